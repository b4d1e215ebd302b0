// Building a Calendar (include/hale/calendar.h) from a schedule and a zone already parsed: the
// config loader parses `schedule` and `tz` at their own keys (so that an error names the key it
// is at) and keeps what it parsed, rather than parsing both again.
#pragma once

#include <string>

#include "hale/calendar.h"
#include "hale/time/cron.h"
#include "hale/time/time_zone.h"

namespace hale {

Calendar calendar_from(std::string cron, CronSchedule schedule, TimeZone zone);

}  // namespace hale
