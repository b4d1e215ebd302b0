// The cron schedule of heartbeats: parsing of every form and error, next_after in UTC and
// across both DST changes of 2026 in Europe/Berlin and America/New_York, the day rule, and
// expressions that never match. The differential test against croniter is in
// tests/integration/cron_differential_test.cpp.
#include "hale/time/cron.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace hale {
namespace {

using namespace std::chrono;

// "2026-03-29T01:00" or "2026-03-29T01:00:30" (UTC) as a WallTime.
WallTime utc(const std::string& s) {
  int y, mo, d, h, mi, sec = 0;
  int n = std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
  EXPECT_GE(n, 5) << s;
  return WallTime{sys_days{year{y} / mo / d}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec}};
}

std::string iso(std::optional<WallTime> t) {
  if (!t) return "none";
  auto s = floor<seconds>(*t);
  auto dp = floor<days>(s);
  year_month_day ymd{dp};
  hh_mm_ss hms{s - dp};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()));
  return std::string(buf) + (hms.seconds().count() ? ":" + std::to_string(hms.seconds().count()) : "");
}

CronSchedule parse_ok(const std::string& expr) {
  auto s = parse_cron(expr);
  EXPECT_TRUE(s.is_ok()) << expr << ": " << s.status().message();
  return s.is_ok() ? s.value() : CronSchedule{};
}

std::string error_of(const std::string& expr) {
  auto s = parse_cron(expr);
  return s.is_ok() ? "(parsed)" : s.status().message();
}

template <std::size_t N>
std::string bits(const std::bitset<N>& b) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i)
    if (b.test(i)) out += (out.empty() ? "" : ",") + std::to_string(i);
  return out;
}

TimeZone zone(const std::string& name) {
  auto z = TimeZone::load(name);
  EXPECT_TRUE(z.is_ok()) << z.status().message();
  return z.is_ok() ? z.value() : TimeZone::utc();
}

// ---- parsing ----

TEST(CronParse, EveryForm) {
  EXPECT_EQ(bits(parse_ok("1,5 * * * *").minutes), "1,5");
  EXPECT_EQ(bits(parse_ok("1-5 * * * *").minutes), "1,2,3,4,5");
  EXPECT_EQ(bits(parse_ok("*/15 * * * *").minutes), "0,15,30,45");
  EXPECT_EQ(bits(parse_ok("10-50/10 * * * *").minutes), "10,20,30,40,50");
  EXPECT_EQ(bits(parse_ok("10/20 * * * *").minutes), "10,30,50");  // croniter's start/step
  EXPECT_EQ(bits(parse_ok("0 0-3,22 * * *").hours), "0,1,2,3,22");
  EXPECT_EQ(parse_ok("* * * * *").minutes.count(), 60u);
  EXPECT_EQ(parse_ok("* * * * *").hours.count(), 24u);
  EXPECT_EQ(bits(parse_ok("0 0 1,15,31 * *").days_of_month), "1,15,31");
  EXPECT_EQ(bits(parse_ok("0 0 * jan-Mar,DEC *").months), "1,2,3,12");
  EXPECT_EQ(bits(parse_ok("0 0 * * sun,SAT").days_of_week), "0,6");
  EXPECT_EQ(bits(parse_ok("0 0 * * 7").days_of_week), "0");
  EXPECT_EQ(bits(parse_ok("0 0 * * 0").days_of_week), "0");
  EXPECT_EQ(bits(parse_ok("0 0 * * 5-7").days_of_week), "0,5,6");
  EXPECT_EQ(bits(parse_ok("0 0 * * FRI-SUN").days_of_week), "0,5,6");
  EXPECT_EQ(bits(parse_ok("0 0 * * Mon-Fri/2").days_of_week), "1,3,5");
  EXPECT_EQ(bits(parse_ok("  0   12\t* * *  ").hours), "12");  // any white space between fields
}

TEST(CronParse, Macros) {
  auto same = [](const std::string& macro, const std::string& expr) {
    auto a = parse_ok(macro), b = parse_ok(expr);
    EXPECT_EQ(a.minutes, b.minutes) << macro;
    EXPECT_EQ(a.hours, b.hours) << macro;
    EXPECT_EQ(a.days_of_month, b.days_of_month) << macro;
    EXPECT_EQ(a.months, b.months) << macro;
    EXPECT_EQ(a.days_of_week, b.days_of_week) << macro;
  };
  same("@yearly", "0 0 1 1 *");
  same("@annually", "0 0 1 1 *");
  same("@monthly", "0 0 1 * *");
  same("@weekly", "0 0 * * 0");
  same("@daily", "0 0 * * *");
  same("@midnight", "0 0 * * *");
  same("@hourly", "0 * * * *");
  same("@DAILY", "0 0 * * *");
  EXPECT_EQ(bits(parse_ok("@weekly").days_of_week), "0");
  EXPECT_EQ(bits(parse_ok("@hourly").hours).size(), bits(parse_ok("* * * * *").hours).size());
}

TEST(CronParse, RestrictedDayFields) {
  EXPECT_FALSE(parse_ok("0 0 * * *").dom_restricted);
  EXPECT_FALSE(parse_ok("0 0 * * *").dow_restricted);
  EXPECT_TRUE(parse_ok("0 0 13 * *").dom_restricted);
  EXPECT_TRUE(parse_ok("0 0 * * FRI").dow_restricted);
  // Whole ranges count as `*`, as croniter decides; a step that leaves days out does not.
  EXPECT_FALSE(parse_ok("0 0 1-31 * *").dom_restricted);
  EXPECT_FALSE(parse_ok("0 0 */1 * *").dom_restricted);
  EXPECT_FALSE(parse_ok("0 0 * * 0-7").dow_restricted);
  EXPECT_FALSE(parse_ok("0 0 * * 1-7").dow_restricted);
  EXPECT_TRUE(parse_ok("0 0 */2 * *").dom_restricted);
}

TEST(CronParse, ErrorsNameTheField) {
  EXPECT_EQ(error_of("61 * * * *"), R"(minute field "61": value out of range 0-59)");
  EXPECT_EQ(error_of("1,61 * * * *"), R"(minute field "61": value out of range 0-59)");
  EXPECT_EQ(error_of("99999999999 * * * *"), R"(minute field "99999999999": value out of range 0-59)");
  EXPECT_EQ(error_of("* 24 * * *"), R"(hour field "24": value out of range 0-23)");
  EXPECT_EQ(error_of("* * 0 * *"), R"(day-of-month field "0": value out of range 1-31)");
  EXPECT_EQ(error_of("* * 32 * *"), R"(day-of-month field "32": value out of range 1-31)");
  EXPECT_EQ(error_of("* * * 0 *"), R"(month field "0": value out of range 1-12)");
  EXPECT_EQ(error_of("* * * 13 *"), R"(month field "13": value out of range 1-12)");
  EXPECT_EQ(error_of("* * * * 8"), R"(day-of-week field "8": value out of range 0-7)");
  EXPECT_EQ(error_of("* * * 1-13 *"), R"(month field "1-13": value out of range 1-12)");
  EXPECT_EQ(error_of("x * * * *"), R"(minute field "x": expected a number)");
  EXPECT_EQ(error_of("-1 * * * *"), R"(minute field "-1": expected a number)");
  EXPECT_EQ(error_of("1-2-3 * * * *"), R"(minute field "1-2-3": expected a number)");
  EXPECT_EQ(error_of("* MON * * *"), R"(hour field "MON": expected a number)");
  EXPECT_EQ(error_of("* * * FOO *"), R"(month field "FOO": expected a number or a month name (JAN-DEC))");
  EXPECT_EQ(error_of("* * * JANUARY *"),
            R"(month field "JANUARY": expected a number or a month name (JAN-DEC))");
  EXPECT_EQ(error_of("* * * * MONDAY"),
            R"(day-of-week field "MONDAY": expected a number or a day name (SUN-SAT))");
  EXPECT_EQ(error_of("* * * * JAN"), R"(day-of-week field "JAN": expected a number or a day name (SUN-SAT))");
  EXPECT_EQ(error_of("*/0 * * * *"), R"(minute field "*/0": step must be a positive number)");
  EXPECT_EQ(error_of("*/ * * * *"), R"(minute field "*/": step must be a positive number)");
  EXPECT_EQ(error_of("*/x * * * *"), R"(minute field "*/x": step must be a positive number)");
  EXPECT_EQ(error_of("* */-2 * * *"), R"(hour field "*/-2": step must be a positive number)");
  EXPECT_EQ(error_of("5-1 * * * *"), R"(minute field "5-1": range start 5 is after its end 1)");
  EXPECT_EQ(error_of("* * * DEC-JAN *"), R"(month field "DEC-JAN": range start 12 is after its end 1)");
  EXPECT_EQ(error_of("1,,2 * * * *"), R"(minute field "1,,2": empty list item)");
  EXPECT_EQ(error_of("1, * * * *"), R"(minute field "1,": empty list item)");
  EXPECT_EQ(error_of(""), "cron expression is empty");
  EXPECT_EQ(error_of("   "), "cron expression is empty");
  EXPECT_EQ(error_of("* * * *"),
            R"(cron expression "* * * *" has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily)");
  EXPECT_EQ(error_of("0 0 * * * *"),
            R"(cron expression "0 0 * * * *" has 6 fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily)");
  EXPECT_EQ(error_of("@often"),
            R"(unknown cron macro "@often": expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)");
  EXPECT_EQ(error_of("@daily 1"),
            R"(cron expression "@daily 1" has 2 fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily)");
}

// ---- next_after ----

struct Row {
  const char* expr;
  const char* after;     // UTC
  const char* expected;  // UTC, or "none"
};

void check_table(const std::string& zone_name, std::initializer_list<Row> rows) {
  TimeZone tz = zone(zone_name);
  for (const Row& r : rows) {
    auto s = parse_ok(r.expr);
    EXPECT_EQ(iso(s.next_after(utc(r.after), tz)), r.expected)
        << r.expr << " in " << zone_name << " after " << r.after << "Z";
  }
}

TEST(CronNext, Utc) {
  check_table("UTC", {
      {"*/15 * * * *", "2026-01-01T00:00", "2026-01-01T00:15"},  // strictly after
      {"*/15 * * * *", "2026-01-01T00:07:30", "2026-01-01T00:15"},
      {"*/15 * * * *", "2026-01-01T00:14:59", "2026-01-01T00:15"},
      {"* * * * *", "2026-01-01T00:00:01", "2026-01-01T00:01"},
      {"0 3 * * *", "2026-04-18T17:59:30", "2026-04-19T03:00"},
      {"10-50/10 * * * *", "2026-04-18T10:50", "2026-04-18T11:10"},
      {"0 0 1 * *", "2026-01-31T12:00", "2026-02-01T00:00"},
      {"0 0 31 * *", "2026-02-01T00:00", "2026-03-31T00:00"},  // skips February
      {"0 0 29 2 *", "2026-03-01T00:00", "2028-02-29T00:00"},
      {"@yearly", "2026-06-01T00:00", "2027-01-01T00:00"},
      {"@weekly", "2026-04-18T12:00", "2026-04-19T00:00"},  // 18th: a Saturday
      {"@hourly", "2026-04-18T23:00", "2026-04-19T00:00"},
      {"@monthly", "2026-12-15T00:00", "2027-01-01T00:00"},
      {"0 9 * * MON-FRI", "2026-04-18T12:00", "2026-04-20T09:00"},
      {"0 12 * * 7", "2026-04-18T12:00", "2026-04-19T12:00"},
      {"59 23 31 12 *", "2026-12-31T23:59", "2027-12-31T23:59"},
      {"0 0 * JAN,jul *", "2026-02-01T00:00", "2026-07-01T00:00"},
      {"30 4 1-7 * *", "2026-05-07T04:30", "2026-06-01T04:30"},
  });
}

TEST(CronNext, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  check_table("UTC", {
      // 2026-01-01 is a Thursday. Both restricted: the 13th or any Friday.
      {"0 0 13 * FRI", "2026-01-01T00:00", "2026-01-02T00:00"},
      {"0 0 13 * FRI", "2026-01-09T00:00", "2026-01-13T00:00"},  // Tuesday the 13th
      {"0 0 13 * FRI", "2026-01-13T00:00", "2026-01-16T00:00"},
      {"0 0 30 2 MON", "2026-01-01T00:00", "2026-02-02T00:00"},  // Feb 30 never; Mondays in Feb
      // One of them `*` (or a whole range): both must match.
      {"0 0 13 * *", "2026-01-01T00:00", "2026-01-13T00:00"},
      {"0 0 * * FRI", "2026-01-01T00:00", "2026-01-02T00:00"},
      {"0 0 1-31 * MON", "2026-01-01T00:00", "2026-01-05T00:00"},
      {"0 0 13 * 0-7", "2026-01-01T00:00", "2026-01-13T00:00"},
      {"0 0 13 * *", "2026-01-14T00:00", "2026-02-13T00:00"},
  });
}

TEST(CronNext, NeverMatching) {
  check_table("UTC", {
      {"0 0 30 2 *", "2026-01-01T00:00", "none"},
      {"0 0 31 4,6,9,11 *", "2026-01-01T00:00", "none"},
      {"0 0 31 APR *", "2026-01-01T00:00", "none"},
  });
  check_table("Europe/Berlin", {{"0 0 30 2 *", "2026-01-01T00:00", "none"}});
  // The search is bounded (kSearchYears): it ends, with no answer. (How fast is not a unit
  // test's business: no wall-clock bounds here.)
  auto s = parse_ok("* * 30 2 *");
  EXPECT_FALSE(s.next_after(utc("2026-01-01T00:00"), zone("America/New_York")).has_value());
}

TEST(CronNext, EuropeBerlinSpringForward) {
  // 2026-03-29 01:00Z: 02:00 CET becomes 03:00 CEST; 02:00-02:59 local does not exist.
  check_table("Europe/Berlin", {
      {"30 2 * * *", "2026-03-28T12:00", "2026-03-30T00:30"},  // the gap is skipped
      {"0 2 * * *", "2026-03-28T12:00", "2026-03-30T00:00"},
      {"30 1 * * *", "2026-03-28T12:00", "2026-03-29T00:30"},  // 01:30 CET
      {"0 3 * * *", "2026-03-28T12:00", "2026-03-29T01:00"},   // 03:00 CEST
      {"*/20 * * * *", "2026-03-29T00:50", "2026-03-29T01:00"},
      {"30 * * * *", "2026-03-29T00:30", "2026-03-29T01:30"},  // 01:30 CET, then 03:30 CEST
      {"0 12 * * *", "2026-03-28T12:00", "2026-03-29T10:00"},  // noon CEST
      {"0 12 * * *", "2026-03-28T10:00", "2026-03-28T11:00"},  // noon CET
  });
}

TEST(CronNext, EuropeBerlinFallBack) {
  // 2026-10-25 01:00Z: 03:00 CEST becomes 02:00 CET; 02:00-02:59 local happens twice.
  check_table("Europe/Berlin", {
      {"30 2 * * *", "2026-10-24T12:00", "2026-10-25T00:30"},  // first occurrence (CEST)
      {"30 2 * * *", "2026-10-25T00:30", "2026-10-26T01:30"},  // not again at 02:30 CET
      {"30 2 * * *", "2026-10-25T01:10", "2026-10-26T01:30"},
      {"30 * * * *", "2026-10-25T00:30", "2026-10-25T02:30"},  // 03:30 CET
      {"30 * * * *", "2026-10-25T01:10", "2026-10-25T02:30"},  // t inside the repeat
      {"0 3 * * *", "2026-10-24T12:00", "2026-10-25T02:00"},   // 03:00 CET
      {"0 0 * * *", "2026-10-24T12:00", "2026-10-24T22:00"},   // midnight CEST
      {"0 0 * * *", "2026-10-24T22:00", "2026-10-25T23:00"},   // midnight CET
  });
}

TEST(CronNext, AmericaNewYorkSpringForward) {
  // 2026-03-08 07:00Z: 02:00 EST becomes 03:00 EDT.
  check_table("America/New_York", {
      {"30 2 * * *", "2026-03-07T12:00", "2026-03-09T06:30"},  // skipped on the 8th
      {"0 3 * * *", "2026-03-07T12:00", "2026-03-08T07:00"},
      {"59 1 * * *", "2026-03-07T12:00", "2026-03-08T06:59"},
      {"*/30 * * * *", "2026-03-08T06:30", "2026-03-08T07:00"},
      {"0 9 * * MON-FRI", "2026-03-06T15:00", "2026-03-09T13:00"},  // 09:00 EDT on Monday
  });
}

TEST(CronNext, AmericaNewYorkFallBack) {
  // 2026-11-01 06:00Z: 02:00 EDT becomes 01:00 EST; 01:00-01:59 local happens twice.
  check_table("America/New_York", {
      {"30 1 * * *", "2026-10-31T12:00", "2026-11-01T05:30"},  // 01:30 EDT
      {"30 1 * * *", "2026-11-01T05:30", "2026-11-02T06:30"},  // once: next day, EST
      {"*/30 * * * *", "2026-11-01T05:30", "2026-11-01T07:00"},  // 02:00 EST
      {"0 2 * * *", "2026-10-31T12:00", "2026-11-01T07:00"},
      {"0 0 * * *", "2026-11-01T00:00", "2026-11-01T04:00"},
      {"0 0 * * *", "2026-11-01T04:00", "2026-11-02T05:00"},
  });
}

// ---- time zones ----

TEST(TimeZoneTest, OffsetsAndLocalTimes) {
  TimeZone berlin = zone("Europe/Berlin");
  auto secs = [](const char* s) { return duration_cast<seconds>(utc(s).time_since_epoch()).count(); };
  EXPECT_EQ(berlin.offset_at(secs("2026-01-15T12:00")), 3600);
  EXPECT_EQ(berlin.offset_at(secs("2026-07-15T12:00")), 7200);
  EXPECT_EQ(berlin.offset_at(secs("2026-03-29T00:59:59")), 3600);
  EXPECT_EQ(berlin.offset_at(secs("2026-03-29T01:00")), 7200);
  // After the file's transitions (2037): the footer's POSIX rule.
  EXPECT_EQ(berlin.offset_at(secs("2045-01-15T12:00")), 3600);
  EXPECT_EQ(berlin.offset_at(secs("2045-07-15T12:00")), 7200);
  // Wall times (written as if UTC): the gap has none, the repeated hour two.
  EXPECT_TRUE(berlin.to_utc(secs("2026-03-29T02:30")).empty());
  auto twice = berlin.to_utc(secs("2026-10-25T02:30"));
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_EQ(twice[0], secs("2026-10-25T00:30"));
  EXPECT_EQ(twice[1], secs("2026-10-25T01:30"));
  auto once = berlin.to_utc(secs("2026-06-01T12:00"));
  ASSERT_EQ(once.size(), 1u);
  EXPECT_EQ(once[0], secs("2026-06-01T10:00"));
  EXPECT_EQ(TimeZone::utc().offset_at(secs("2026-07-15T12:00")), 0);
  EXPECT_EQ(zone("Australia/Sydney").offset_at(secs("2026-01-15T12:00")), 39600);
  EXPECT_EQ(zone("Australia/Sydney").offset_at(secs("2026-07-15T12:00")), 36000);
  EXPECT_EQ(zone("Asia/Kolkata").offset_at(secs("2026-07-15T12:00")), 19800);
}

// After a TZif file's last transition (2037 in Debian's files), a zone follows the POSIX rule of
// the file's footer: far-future summers and winters keep their offsets, including a zone whose
// summer time is half an hour (Lord Howe) and one without summer time (Tokyo).
TEST(TimeZoneTest, FarFutureOffsetsFollowTheZonesRule) {
  auto secs = [](const char* s) { return duration_cast<seconds>(utc(s).time_since_epoch()).count(); };
  struct Case {
    const char* zone;
    const char* at;
    std::int32_t offset;
  };
  for (Case c : {Case{"Europe/Berlin", "2100-01-15T12:00", 3600}, Case{"Europe/Berlin", "2100-07-15T12:00", 7200},
                 // 2100-03-28 is the last Sunday of March: 01:00 UTC is the switch.
                 Case{"Europe/Berlin", "2100-03-28T00:59:59", 3600}, Case{"Europe/Berlin", "2100-03-28T01:00", 7200},
                 Case{"America/New_York", "2090-01-15T12:00", -18000},
                 Case{"America/New_York", "2090-07-15T12:00", -14400},
                 Case{"Australia/Sydney", "2090-01-15T12:00", 39600},
                 Case{"Australia/Sydney", "2090-07-15T12:00", 36000},
                 Case{"Australia/Lord_Howe", "2090-01-15T12:00", 39600},
                 Case{"Australia/Lord_Howe", "2090-07-15T12:00", 37800},
                 Case{"Asia/Tokyo", "2090-07-15T12:00", 32400}}) {
    EXPECT_EQ(zone(c.zone).offset_at(secs(c.at)), c.offset) << c.zone << " " << c.at;
  }
  // Wall times in the far future: the gap and the repeated hour still are.
  TimeZone berlin = zone("Europe/Berlin");
  EXPECT_TRUE(berlin.to_utc(secs("2100-03-28T02:30")).empty());
  EXPECT_EQ(berlin.to_utc(secs("2100-10-31T02:30")).size(), 2u);
}

TEST(TimeZoneTest, UnknownZonesAreErrors) {
  auto z = TimeZone::load("Mars/Olympus_Mons");
  ASSERT_FALSE(z.is_ok());
  EXPECT_EQ(z.status().message(), R"(unknown time zone "Mars/Olympus_Mons": no file /usr/share/zoneinfo/Mars/Olympus_Mons)");
  EXPECT_EQ(z.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(TimeZone::load("../etc/passwd").is_ok());
  EXPECT_FALSE(TimeZone::load("/etc/localtime").is_ok());
  EXPECT_FALSE(TimeZone::load("").is_ok());
  auto notzif = TimeZone::load("leapseconds");
  ASSERT_FALSE(notzif.is_ok());
  EXPECT_NE(notzif.status().message().find("is not a TZif file"), std::string::npos) << notzif.status().message();
  EXPECT_EQ(notzif.status().code(), StatusCode::kInvalid);
  EXPECT_TRUE(TimeZone::load("Etc/UTC").is_ok());
}

}  // namespace
}  // namespace hale
