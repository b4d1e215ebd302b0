#!/usr/bin/env python3
"""bench/history: SPEC §10's speed bars and SPEC §8's history bars, measured on the real daemon.

  * A history.db as 10,000 checks leave it after a year (48 h of minutes, 90 days of hours, 365
    days of days each; bench/history/history_fill.cpp writes it in hale's own pack format): its
    size on disk, against the 1 GB bar.
  * hale started on it with those 10,000 checks (tcp, to a listener of this script, every 10 s):
    the time GET /api/v1/overview takes (every check's status, 90 daily uptimes and 24 hourly
    latencies: the dashboard's first read; bar 200 ms), one check's 90-day history (2,160 hourly
    points; bar 50 ms), its uptime over every window and its year of days, each the median of
    ROUNDS requests over one keep-alive connection after a warm-up (client-side: server time plus
    the loopback transfer, an upper bound of the server's time).
  * hale_history_writes_total over 30 s while the 10,000 checks probe: write transactions a second
    (bar: at most 1).

No peer keeps this kind of history on one host from Debian's packages (Gatus and Uptime Kuma are
not packaged; Prometheus keeps series, not incidents): the figures are held to the bars.
Usage: bench/history/run.sh [ROUNDS]
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Listener:
    """A TCP listener that accepts and closes: what every check connects to."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4096)
        self.port = self.sock.getsockname()[1]
        self.running = True
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
                c.close()
            except OSError:
                return


def timed_gets(port, path, rounds):
    """Median seconds of `rounds` GETs of `path` on one keep-alive connection, after one warm-up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    size = 0
    for i in range(rounds + 1):
        start = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        elapsed = time.perf_counter() - start
        if r.status != 200:
            sys.exit(f"{path}: {r.status} {body[:200]!r}")
        size = len(body)
        if i > 0:
            times.append(elapsed)
    conn.close()
    return statistics.median(times), size


def metric(port, name):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hale", default="build/hale")
    ap.add_argument("--fill", default="build/hale_history_fill")
    ap.add_argument("--checks", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--window", type=int, default=30, help="seconds over which writes are counted")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="hale-history-bench-")
    hale = None
    listener = Listener()
    try:
        state = os.path.join(tmp, "state")
        os.makedirs(state)
        db = os.path.join(state, "history.db")
        now = int(time.time())
        start = time.perf_counter()
        subprocess.run([args.fill, db, str(args.checks), str(now)], check=True)
        fill_s = time.perf_counter() - start
        disk = sum(os.path.getsize(db + s) for s in ("", "-wal", "-shm") if os.path.exists(db + s))

        port = free_port()
        lines = [f'[server]\nlisten = "127.0.0.1:{port}"\nstate_dir = "{state}"\n']
        for i in range(args.checks):
            lines.append(f'[checks.c{i:05d}]\ntype = "tcp"\ntarget = "127.0.0.1:{listener.port}"\ninterval = "10s"\n')
        config = os.path.join(tmp, "hale.toml")
        with open(config, "w") as f:
            f.write("\n".join(lines))
        log = open(os.path.join(tmp, "hale.log"), "w")
        hale = subprocess.Popen([args.hale, "run", "-c", config], stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/livez")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("hale did not answer /livez within 60 s")
        time.sleep(12)  # every check probed once (first probes spread over its interval)

        writes_0 = metric(port, "hale_history_writes_total")
        t0 = time.perf_counter()
        overview, overview_size = timed_gets(port, "/api/v1/overview", args.rounds)
        history90, history90_size = timed_gets(port, "/api/v1/history/c00042?from=-90d", args.rounds)
        year, year_size = timed_gets(port, "/api/v1/history/c00042?from=-365d&step=day", args.rounds)
        uptime, _ = timed_gets(port, "/api/v1/uptime/c00042", args.rounds)
        day, _ = timed_gets(port, "/api/v1/history/c00042", args.rounds)
        rest = args.window - (time.perf_counter() - t0)
        if rest > 0:
            time.sleep(rest)
        writes_1 = metric(port, "hale_history_writes_total")
        writes_per_s = (writes_1 - writes_0) / (time.perf_counter() - t0)
        errors = metric(port, "hale_history_write_errors_total")
        rss = rss_mb(hale.pid)

        ms = lambda s: f"{s * 1000:.1f} ms"
        print(f"history bench: {args.checks} checks, medians of {args.rounds} requests")
        print(f"| what | result | bar |")
        print(f"| --- | --- | --- |")
        print(f"| history.db after a year (48 h minutes, 90 d hours, 365 d days) | {disk / 1e6:.0f} MB "
              f"({disk / args.checks / 1024:.1f} KB a check; written in {fill_s:.0f} s) | < 1 GB |")
        print(f"| GET /api/v1/overview | {ms(overview)} ({overview_size / 1e6:.2f} MB) | < 200 ms |")
        print(f"| GET /api/v1/history/NAME?from=-90d (2,160 hours) | {ms(history90)} ({history90_size / 1e3:.0f} KB) | < 50 ms |")
        print(f"| GET /api/v1/history/NAME?from=-365d&step=day | {ms(year)} ({year_size / 1e3:.0f} KB) | |")
        print(f"| GET /api/v1/history/NAME (24 h of minutes) | {ms(day)} | |")
        print(f"| GET /api/v1/uptime/NAME (5 windows) | {ms(uptime)} | |")
        print(f"| write transactions a second, over {args.window} s | {writes_per_s:.2f} ({errors:.0f} failed) | <= 1 |")
        print(f"| hale RSS with {args.checks} checks and history | {rss:.1f} MB | |")
    finally:
        listener.running = False
        if hale:
            hale.send_signal(signal.SIGTERM)
            try:
                hale.wait(30)
            except subprocess.TimeoutExpired:
                hale.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
