// `schedule` (a cron expression or @macro) and `tz` (a tz database zone): read the same way, with
// the same messages, by [heartbeats.NAME], [[silences]] and [drills.NAME].
#pragma once

#include <optional>
#include <string>

#include <toml++/toml.h>

#include "hale/config/diagnostics.h"

namespace hale::config {

// The cron text when it parses; nullopt, reported at `v` ("`schedule` \"61 * * * *\": minute
// field ..."), otherwise.
std::optional<std::string> read_schedule(const toml::node& v, Diagnostics& d);
// The zone's name when the tz database has it; nullopt, reported at `v`, otherwise.
std::optional<std::string> read_time_zone(const toml::node& v, Diagnostics& d);

}  // namespace hale::config
