#!/usr/bin/python3
"""Reference answers for tests/integration/cron_differential_test.cpp from Debian's python3-croniter.

Reads cases from the file named by argv[1], one per line: EXPR<TAB>ZONE<TAB>UNIX_SECONDS.
Prints one line per case: the Unix seconds of croniter's get_next (strictly after the
instant, in ZONE), "none" when croniter finds no next date, or "error MESSAGE".
One process for all cases.
"""
import sys
from datetime import datetime

import pytz
from croniter import croniter, CroniterBadDateError

def main():
    out = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            expr, zone, ts = line.split("\t")
            tz = pytz.timezone(zone)
            start = datetime.fromtimestamp(int(ts), tz)
            try:
                nxt = croniter(expr, start).get_next(datetime)
                out.append(str(int(nxt.timestamp())))
            except CroniterBadDateError:
                out.append("none")
            except Exception as e:  # a parse error: the C++ side reports it
                out.append("error " + str(e).replace("\n", " "))
    sys.stdout.write("\n".join(out) + "\n")

if __name__ == "__main__":
    main()
