// `schedule` (a cron expression or @macro) and `tz` (a tz database zone): read the same way, with
// the same messages, by [heartbeats.NAME], [[silences]] and [drills.NAME].
#pragma once

#include <optional>
#include <string>

#include <toml++/toml.h>

#include "hale/calendar.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

// The cron text when it parses; nullopt, reported at `v` ("`schedule` \"61 * * * *\": minute
// field ..."), otherwise.
std::optional<std::string> read_schedule(const toml::node& v, Diagnostics& d);
// The zone's name when the tz database has it; nullopt, reported at `v`, otherwise.
std::optional<std::string> read_time_zone(const toml::node& v, Diagnostics& d);

// The two read together, once the table is read: the parsed Calendar the run time keeps, when
// the schedule read (`tz` defaults to UTC; a `tz` that did not read was reported, and the table
// is refused anyway).
std::optional<Calendar> calendar_of(const std::optional<std::string>& schedule, const std::optional<std::string>& tz);

}  // namespace hale::config
