// Timestamps as credentials write them: ISO 8601 / RFC 3339 variants with offsets, seconds
// or milliseconds since the epoch (as numbers or text), and what is not a timestamp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hale/time/timestamp.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

// 2026-11-23T10:00:00Z.
const ExpiryTime kAt{std::chrono::seconds(1795428000)};

struct Good {
  const char* text;
  ExpiryTime expected;
};

class Iso8601Good : public ::testing::TestWithParam<Good> {};

TEST_P(Iso8601Good, Reads) {
  auto t = parse_iso8601(GetParam().text);
  ASSERT_TRUE(t) << GetParam().text;
  EXPECT_EQ(format_expiry_time(*t), format_expiry_time(GetParam().expected)) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Variants, Iso8601Good,
                         ::testing::Values(Good{"2026-11-23T10:00:00Z", kAt},
                                           Good{"2026-11-23T10:00:00.123456Z", kAt},  // fraction dropped
                                           Good{"2026-11-23T10:00:00,5Z", kAt},       // ISO's decimal comma
                                           Good{"2026-11-23T12:00:00+02:00", kAt},
                                           Good{"2026-11-23T12:00:00+0200", kAt},
                                           Good{"2026-11-23T12:00:00+02", kAt},
                                           Good{"2026-11-23T05:30:00-04:30", kAt},
                                           Good{"2026-11-23T10:00:00.999-00:00", kAt},
                                           Good{"2026-11-23 10:00:00Z", kAt},  // RFC 3339's space
                                           Good{"2026-11-23t10:00:00z", kAt},
                                           Good{"2026-11-23T10:00Z", kAt},        // no seconds
                                           Good{"2026-11-23T10:00:00", kAt},      // no offset: UTC
                                           Good{" 2026-11-23T10:00:00Z\n", kAt},  // whitespace around
                                           Good{"2026-11-23", kAt - 10h},         // a date: midnight UTC
                                           Good{"2026-11-24T01:00:00+15:00", kAt},
                                           Good{"2024-02-29T00:00:00Z", ExpiryTime{std::chrono::seconds(1709164800)}},
                                           // A leap second reads as the next minute's first second.
                                           Good{"2026-12-31T23:59:60Z", ExpiryTime{std::chrono::seconds(1798761600)}}));

TEST(Iso8601, FarFutureAndFormatting) {
  auto t = parse_iso8601("9999-12-31T23:59:59Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_expiry_time(*t), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_expiry_time(kAt), "2026-11-23T10:00:00Z");
  EXPECT_EQ(format_expiry_time(ExpiryTime{}), "1970-01-01T00:00:00Z");
}

class Iso8601Bad : public ::testing::TestWithParam<const char*> {};

TEST_P(Iso8601Bad, IsNotATimestamp) { EXPECT_EQ(parse_iso8601(GetParam()), std::nullopt) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(Garbage, Iso8601Bad,
                         ::testing::Values("", "tomorrow", "2026/11/23", "26-11-23", "2026-11-23T10",
                                           "2026-13-01T00:00:00Z",  // month 13
                                           "2026-02-30",            // no February 30th
                                           "2025-02-29",            // not a leap year
                                           "2026-11-23T24:00:00Z", "2026-11-23T10:60:00Z", "2026-11-23T10:00:61Z",
                                           "2026-11-23T10:00:00+24:00", "2026-11-23T10:00:00+02:60",
                                           "2026-11-23T10:00:00Q", "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00Z junk",
                                           "2026-11-23X10:00:00Z", "2026-11-23T10:00:00+2", "１２３４-11-23"));

TEST(EpochNumber, SecondsAndMilliseconds) {
  EXPECT_EQ(from_epoch_number(1795428000), kAt);
  EXPECT_EQ(from_epoch_number(1795428000.9), kAt);    // rounded down
  EXPECT_EQ(from_epoch_number(1795428000123.0), kAt);  // milliseconds
  EXPECT_EQ(from_epoch_number(0), ExpiryTime{});
}

TEST(EpochNumber, TheMillisecondsRuleAtItsBoundary) {
  // 1e11 is still seconds (the year 5138); anything above is milliseconds (1973 on).
  EXPECT_EQ(from_epoch_number(1e11), ExpiryTime{std::chrono::seconds(100000000000)});
  EXPECT_EQ(from_epoch_number(1e11 + 1), ExpiryTime{std::chrono::seconds(100000000)});
}

TEST(EpochNumber, OutOfRange) {
  EXPECT_EQ(from_epoch_number(-1), std::nullopt);
  EXPECT_EQ(from_epoch_number(3e17), std::nullopt);  // milliseconds after the year 9999
  EXPECT_EQ(from_epoch_number(std::numeric_limits<double>::infinity()), std::nullopt);
  EXPECT_EQ(from_epoch_number(std::nan("")), std::nullopt);
}

TEST(TimestampText, NumbersWrittenAsText) {
  EXPECT_EQ(parse_timestamp_text("1795428000"), kAt);
  EXPECT_EQ(parse_timestamp_text("1795428000123"), kAt);
  EXPECT_EQ(parse_timestamp_text("1795428000.5"), kAt);
  EXPECT_EQ(parse_timestamp_text(" 1795428000\n"), kAt);
  EXPECT_EQ(parse_timestamp_text("2026-11-23T12:00:00+02:00"), kAt);
}

TEST(TimestampText, Garbage) {
  for (const char* text : {"", " ", "1.2.3", "17954 28000", "-5", "0x6B0B4E20", "1e9", "soon", "12abc"}) {
    EXPECT_EQ(parse_timestamp_text(text), std::nullopt) << text;
  }
}

// The CLI reads the daemon's JSON times with the same reader, to the nanosecond.
TEST(Iso8601Instant, KeepsTheFractionAndTheOffset) {
  using namespace std::chrono_literals;
  const WallTime base = WallTime(std::chrono::seconds(1795428000));  // 2026-11-23T10:00:00Z
  EXPECT_EQ(parse_iso8601_instant("2026-11-23T10:00:00Z"), base);
  EXPECT_EQ(parse_iso8601_instant("2026-11-23T10:00:00.25Z"), base + 250ms);
  EXPECT_EQ(parse_iso8601_instant("2026-11-23T10:00:00.123456789Z"), base + 123456789ns);
  EXPECT_EQ(parse_iso8601_instant("2026-11-23T10:00:00.1234567891Z"), base + 123456789ns);  // the tenth digit dropped
  EXPECT_EQ(parse_iso8601_instant("2026-11-23T12:00:00.5+02:00"), base + 500ms);
  EXPECT_EQ(parse_iso8601_instant("1969-12-31T23:59:59.5Z"), WallTime(-500ms));
}

TEST(Iso8601Instant, OutsideWallTimesRangeIsNoInstant) {
  EXPECT_EQ(parse_iso8601_instant("9999-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601_instant("1600-01-01T00:00:00Z"), std::nullopt);
  EXPECT_NE(parse_iso8601_instant("2261-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601_instant("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601_instant("soon"), std::nullopt);
}

}  // namespace
}  // namespace hale
