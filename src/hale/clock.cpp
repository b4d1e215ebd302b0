// The production clock and ISO 8601 formatting.
#include "hale/clock.h"

#include <ctime>

#include <fmt/format.h>

namespace hale {

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

FakeClock::FakeClock()
    : steady_(std::chrono::hours(1000)),
      // 2026-01-01T00:00:00Z: a fixed instant makes timestamps in test output repeatable.
      wall_(std::chrono::seconds(1767225600)) {}

namespace {
std::tm utc(WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::seconds>(t));
  if (t < std::chrono::time_point_cast<std::chrono::seconds>(t)) --secs;  // floor, not round
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}
}  // namespace

std::string format_iso8601(WallTime t) {
  std::tm tm = utc(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_iso8601_ms(WallTime t) {
  std::tm tm = utc(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace hale
