// Times as the CLI shows them: short spans. (ISO 8601 is read by time/timestamp.h.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/clock.h"
#include "hale/time/timestamp.h"

namespace hale::cli {

// A span in its two largest units, rounded down to whole seconds: "0s", "45s", "3m12s",
// "2h5m", "3d4h". A negative span is shown as "0s".
std::string short_span(Duration d);

}  // namespace hale::cli
