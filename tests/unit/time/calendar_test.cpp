// Calendar: a schedule and its zone parsed once, at load; what it says at run time.
#include "hale/calendar.h"

#include <gtest/gtest.h>

#include "hale/time/timestamp.h"

namespace hale {
namespace {

WallTime at(const char* iso) { return parse_iso8601_instant(iso).value(); }

TEST(Calendar, NextAfterReadsTheScheduleInItsZone) {
  const Calendar berlin = Calendar::parse("0 2 * * *", "Europe/Berlin").value();
  // 02:00 in Berlin is 01:00 UTC in winter and 00:00 UTC in summer.
  EXPECT_EQ(berlin.next_after(at("2026-01-10T12:00:00Z")), at("2026-01-11T01:00:00Z"));
  EXPECT_EQ(berlin.next_after(at("2026-07-10T12:00:00Z")), at("2026-07-11T00:00:00Z"));
  EXPECT_EQ(berlin.cron(), "0 2 * * *");
  EXPECT_EQ(berlin.tz(), "Europe/Berlin");
  EXPECT_EQ(berlin.describe(), "0 2 * * * (Europe/Berlin)");
}

TEST(Calendar, ErrorsNameThePartThatIsWrong) {
  const auto bad_cron = Calendar::parse("61 * * * *", "UTC");
  ASSERT_FALSE(bad_cron);
  EXPECT_EQ(bad_cron.status().message().rfind("`schedule` \"61 * * * *\": minute field", 0), 0u)
      << bad_cron.status().message();
  const auto bad_zone = Calendar::parse("@daily", "Mars/Olympus");
  ASSERT_FALSE(bad_zone);
  EXPECT_EQ(bad_zone.status().message().rfind("`tz` \"Mars/Olympus\"", 0), 0u) << bad_zone.status().message();
}

TEST(Calendar, AnEmptyCalendarNeverFires) {
  const Calendar none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.next_after(at("2026-01-10T12:00:00Z")), std::nullopt);
  EXPECT_EQ(none.describe(), "");
  EXPECT_FALSE(Calendar::parse("@hourly").value().empty());
}

TEST(Calendar, EqualWhenTheTextAndZoneAre) {
  const Calendar a = Calendar::parse("@daily").value();
  const Calendar copy = a;  // shares the parsed form
  EXPECT_EQ(a, copy);
  EXPECT_EQ(copy.next_after(at("2026-01-10T12:00:00Z")), at("2026-01-11T00:00:00Z"));
  EXPECT_EQ(a, Calendar::parse("@daily", "UTC").value());
  EXPECT_NE(a, Calendar::parse("@daily", "Europe/Berlin").value());
  EXPECT_NE(a, Calendar::parse("0 0 * * *").value());  // the same times, written differently: a change
  EXPECT_NE(a, Calendar{});
}

}  // namespace
}  // namespace hale
