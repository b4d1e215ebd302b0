// Times as the CLI shows them: ISO 8601 from the daemon's JSON in, short spans out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/clock.h"

namespace hale::cli {

// "2026-04-18T17:59:30Z", with optional fractional seconds and a "Z" or "+HH:MM"/"-HH:MM"
// offset. nullopt for anything else.
std::optional<WallTime> parse_iso8601(std::string_view text);

// A span in its two largest units, rounded down to whole seconds: "0s", "45s", "3m12s",
// "2h5m", "3d4h". A negative span is shown as "0s".
std::string short_span(Duration d);

}  // namespace hale::cli
