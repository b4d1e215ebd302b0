// TimeZone: an IANA time zone, read through Debian's cctz (libcctz-dev), which reads the TZif
// files under $TZDIR or /usr/share/zoneinfo, including the POSIX rule of their footer for instants
// after the last transition. It converts only; it never touches the process environment
// (switching TZ around localtime_r/mktime is not thread-safe and would change what every other
// thread's localtime() returns, spdlog's timestamps included). A TimeZone is a small handle,
// immutable, and safe to share between threads.
//
// Why not std::chrono: GCC 12's libstdc++ has the C++20 calendar types but not the time zone
// database (std::chrono::locate_zone is missing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <cctz/time_zone.h>

#include "hale/status.h"

namespace hale {

class TimeZone {
 public:
  // "UTC" (and "Etc/UTC") always work; other names are read from $TZDIR or
  // /usr/share/zoneinfo. A name is letters, digits and `/_-+`, never absolute and never `..`.
  static StatusOr<TimeZone> load(std::string_view name);
  static TimeZone utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at `utc_seconds` (seconds since the epoch).
  std::int32_t offset_at(std::int64_t utc_seconds) const;
  // The instants (seconds since the epoch, ascending) whose local wall time is `local_seconds`
  // (a wall time counted as if it were UTC): 0 in a gap (spring forward), 1 normally, 2 in a
  // repeated hour (fall back).
  std::vector<std::int64_t> to_utc(std::int64_t local_seconds) const;

 private:
  std::string name_;
  cctz::time_zone zone_;
};

}  // namespace hale
