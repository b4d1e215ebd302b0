// Cron schedules for heartbeats (SPEC §5, issue 5): a standard 5-field cron expression
// (minute hour day-of-month month day-of-week) or a macro (@daily, ...), and the next
// matching minute after an instant in an IANA time zone.
//
// Hand-written: Debian 12 packages no C++ cron library. Tested differentially against
// Debian's python3-croniter (tests/integration/cron_differential_test.cpp).
//
// Time zones: TimeZone (time_zone.h, on cctz).
//
// DST: the schedule follows the wall clock of the zone.
//  - A local time that does not exist (the spring-forward gap) is skipped: `30 2 * * *` in
//    Europe/Berlin does not fire on 2026-03-29 at all.
//  - A local time that occurs twice (fall back) fires once, at its first occurrence (the
//    earlier instant, still in summer time); the repeated hour fires nothing that already
//    fired. So a heartbeat never expects a run that cron itself would not make twice.
// Day rule (Vixie cron): when both day-of-month and day-of-week are restricted, a day matches
// if either matches; otherwise both must. A field is unrestricted when it covers its whole
// range (`*`, `*/1`, `1-31`, `0-7`), as croniter decides it.
#pragma once

#include <bitset>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/status.h"
#include "hale/time/time_zone.h"

namespace hale {

class CronSchedule {
 public:
  // The first matching minute strictly after t, in zone tz; nullopt when nothing matches
  // within kSearchYears years (e.g. `0 0 30 2 *`).
  std::optional<WallTime> next_after(WallTime t, const TimeZone& tz) const;

  static constexpr int kSearchYears = 8;

  // Whether a local calendar minute matches (the day rule included).
  bool matches(int year, unsigned month, unsigned day, int hour, int minute) const;
  bool day_matches(int year, unsigned month, unsigned day) const;

  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bit 1..31
  std::bitset<13> months;         // bit 1..12
  std::bitset<7> days_of_week;    // bit 0 (Sunday)..6
  bool dom_restricted = false;
  bool dow_restricted = false;
};

// Parses a 5-field cron expression or a macro. Errors name the field, e.g.
// `minute field "61": value out of range 0-59`.
StatusOr<CronSchedule> parse_cron(std::string_view expr);

}  // namespace hale
