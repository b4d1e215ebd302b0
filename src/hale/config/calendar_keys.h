// `schedule` (a cron expression or @macro) and `tz` (a tz database zone): read the same way, with
// the same messages, by [heartbeats.NAME], [[silences]] and [drills.NAME], each parsed once, at
// its key, and put together into the Calendar the run time keeps.
#pragma once

#include <optional>
#include <string>

#include <toml++/toml.h>

#include "hale/calendar.h"
#include "hale/config/diagnostics.h"
#include "hale/time/cron.h"
#include "hale/time/time_zone.h"

namespace hale::config {

struct ReadSchedule {
  std::string text;
  CronSchedule cron;
};

// The parsed schedule; nullopt, reported at `v` ("`schedule` \"61 * * * *\": minute field ..."),
// when it does not parse.
std::optional<ReadSchedule> read_schedule(const toml::node& v, Diagnostics& d);
// The zone when the tz database has it; nullopt, reported at `v`, otherwise.
std::optional<TimeZone> read_time_zone(const toml::node& v, Diagnostics& d);

// The Calendar of a table whose schedule read (`tz` defaults to UTC); nullopt without a schedule.
std::optional<Calendar> calendar_of(std::optional<ReadSchedule> schedule, std::optional<TimeZone> tz);

}  // namespace hale::config
