// A cron schedule read in a time zone (SPEC §5 `schedule` and `tz`; heartbeats, [[silences]] and
// drills): parsed once, when the config is loaded, and kept parsed, so nothing at run time
// parses it again or can find it broken. Copies share the parsed form; it is immutable and safe
// to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hale/clock.h"
#include "hale/status.h"

namespace hale {

class CronSchedule;  // time/cron.h
class TimeZone;      // time/time_zone.h

class Calendar {
 public:
  // No schedule: never fires (a drill run only when asked).
  Calendar() = default;

  // A 5-field cron expression or a @macro, read in the tz database zone `tz`. Errors name the
  // part: "`schedule` \"61 * * * *\": minute field ...", "`tz` \"Mars/Base\": ...".
  static StatusOr<Calendar> parse(std::string_view cron, std::string_view tz = "UTC");

  bool empty() const { return parsed_ == nullptr; }
  const std::string& cron() const { return cron_; }  // "" when empty
  const std::string& tz() const { return tz_; }
  // "0 3 * * * (Europe/Berlin)"; "" when empty.
  std::string describe() const;

  // The first matching minute strictly after t; nullopt when empty or when nothing matches
  // within eight years (`0 0 30 2 *`). Daylight saving time as time/cron.h says.
  std::optional<WallTime> next_after(WallTime t) const;

  // The same text in the same zone: decides "changed" on reload.
  bool operator==(const Calendar& o) const { return cron_ == o.cron_ && tz_ == o.tz_; }

 private:
  // The config loader, which reads `schedule` and `tz` at their own keys, builds it from the parts
  // it parsed (time/calendar_parts.h): each is parsed once.
  friend Calendar calendar_from(std::string cron, CronSchedule schedule, TimeZone zone);

  struct Parsed;  // the cron fields and the zone (src/hale/time/calendar.cpp)
  std::shared_ptr<const Parsed> parsed_;
  std::string cron_;
  std::string tz_ = "UTC";
};

}  // namespace hale
