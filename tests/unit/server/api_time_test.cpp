// The times the history and incident endpoints take (?from=, ?to=, ?at=): RFC 3339, unix seconds, or
// -DURATION before now, from 1970 to 2200. A time outside that range would overflow the nanosecond wall
// clock it is formatted with (UBSan found `to=2999-01-01T00:00:00Z` doing so), so it is refused.
#include <gtest/gtest.h>

#include "hale/server/history_routes.h"

namespace hale {
namespace {

constexpr std::int64_t kNow = 1796601600;  // 2026-12-07T00:00:00Z

TEST(ApiTime, TakesRfc3339UnixSecondsAndADurationBeforeNow) {
  EXPECT_EQ(parse_api_time("2026-12-07T00:00:00Z", kNow), kNow);
  EXPECT_EQ(parse_api_time("1796601600", kNow), kNow);
  EXPECT_EQ(parse_api_time("-24h", kNow), kNow - 86400);
  EXPECT_EQ(parse_api_time("-90s", kNow), kNow - 90);
  EXPECT_EQ(parse_api_time("1970-01-01T00:00:00Z", kNow), 0);
  EXPECT_EQ(parse_api_time("2200-01-01T00:00:00Z", kNow), 7258118400);
}

TEST(ApiTime, RefusesWhatIsNotATimeAndTimesBefore1970OrAfter2200) {
  for (const char* bad : {"", "soon", "-", "-x", "2026-13-01T00:00:00Z", "2200-01-01T00:00:01Z", "2999-01-01T00:00:00Z",
                          "99999999999", "1e30", "-100000000d", "-60000y"}) {
    EXPECT_FALSE(parse_api_time(bad, kNow).has_value()) << bad;
  }
}

}  // namespace
}  // namespace hale
