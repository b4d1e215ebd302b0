// Cron schedules for heartbeats (SPEC §5, issue 5): a standard 5-field cron expression
// (minute hour day-of-month month day-of-week) or a macro (@daily, ...), and the next
// matching minute after an instant in an IANA time zone.
//
// Hand-written: Debian 12 packages no C++ cron library. Tested differentially against
// Debian's python3-croniter (tests/integration/cron_differential_test.cpp).
//
// Time zones: GCC 12's libstdc++ has the C++20 calendar types but not the time zone database
// (std::chrono::locate_zone is missing). Switching the process-wide TZ variable around
// localtime_r/mktime is not thread-safe and would change what every other thread's
// localtime() returns (spdlog's timestamps), so TimeZone reads the zone's TZif file from
// /usr/share/zoneinfo itself: the 64-bit transition table, and the POSIX TZ rule of the
// file's footer for instants after the last transition. It converts only; it never touches
// the process environment. A TimeZone is immutable after load() and safe to share.
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

namespace hale {

// An IANA time zone loaded from a TZif file: UTC offset at any instant, and the instants a
// local wall time maps to (none in a gap, two in a repeated hour).
class TimeZone {
 public:
  // "UTC" (and "Etc/UTC") always work; other names are read from $TZDIR or /usr/share/zoneinfo.
  static StatusOr<TimeZone> load(std::string_view name);
  static TimeZone utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at `utc_seconds` (seconds since the epoch).
  std::int32_t offset_at(std::int64_t utc_seconds) const;
  // The instants (seconds since the epoch, ascending) whose local wall time is `local_seconds`
  // (a wall time counted as if it were UTC): 0 in a gap, 1 normally, 2 in a repeated hour.
  std::vector<std::int64_t> to_utc(std::int64_t local_seconds) const;

  // A POSIX TZ rule (TZif footer), e.g. "CET-1CEST,M3.5.0,M10.5.0/3". Public for tests.
  struct PosixRule {
    struct When {
      char kind = 'M';  // 'M' (Mm.w.d), 'J' (Jn, 1-365 without Feb 29), 'D' (n, 0-365)
      int month = 0, week = 0, weekday = 0, day = 0;
      std::int32_t time = 7200;  // seconds after local midnight
    };
    std::int32_t std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    std::int32_t dst_offset = 0;
    When start, end;
    static std::optional<PosixRule> parse(std::string_view s);
    std::int32_t offset_at(std::int64_t utc_seconds) const;
  };

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;   // ascending instants
  std::vector<std::int32_t> offsets_;       // offset from transitions_[i] on
  std::int32_t initial_offset_ = 0;         // before the first transition
  std::optional<PosixRule> rule_;           // after the last transition
};

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
