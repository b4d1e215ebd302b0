// parse_duration / format_duration as tables, and the round trip between them.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "hale/config.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

struct ParseCase {
  const char* text;
  std::optional<Duration> expect;
};

TEST(ParseDuration, AcceptsEveryUnitAndCombinations) {
  const ParseCase cases[] = {
      {"250ms", 250ms},
      {"10s", 10s},
      {"5m", 5min},
      {"1h", 1h},
      {"14d", 14 * 24h},
      {"1m30s", 90s},
      {"1s500ms", 1500ms},
      {"1d2h3m4s5ms", 24h + 2h + 3min + 4s + 5ms},
      {"0s", 0s},
      {"0ms", 0ms},
      {"007s", 7s},
      {"1500us", 1500us},
      {"1ns", 1ns},
      {"90s", 90s},  // not required to be normalised
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_duration(c.text), c.expect) << c.text;
  }
}

TEST(ParseDuration, RejectsWhatIsNotADuration) {
  const char* bad[] = {
      "",        // empty
      "10",      // missing unit
      "0",       // missing unit, even for zero
      "-1s",     // negative
      "+1s",     // sign
      " 1s",     // space
      "1s ",     // trailing space
      "1 s",     // space before the unit
      "1.5s",    // fraction
      "1x",      // unknown unit
      "1sec",    // unknown unit
      "1S",      // units are lower case
      "s",       // unit without number
      "30s1m",   // out of order
      "1s1s",    // repeated
      "1m1m",    // repeated
      "1h-1m",   // sign inside
      "10s5",    // trailing number without unit
      "106752d",                 // overflows int64 nanoseconds
      "9223372036854775808ns",   // overflows while reading digits
      "99999999999999999999s",   // overflows while reading digits
      "106751d23h47m16s854ms776us808ns",  // one past the maximum
  };
  for (const char* text : bad) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(ParseDuration, AcceptsTheLargestDuration) {
  EXPECT_EQ(parse_duration("106751d23h47m16s854ms775us807ns"), Duration::max());
}

TEST(FormatDuration, UsesTheLargestUnitsComposite) {
  const struct {
    Duration d;
    const char* expect;
  } cases[] = {
      {0s, "0s"},
      {250ms, "250ms"},
      {1s, "1s"},
      {60s, "1m"},
      {90s, "1m30s"},
      {1500ms, "1s500ms"},
      {1h, "1h"},
      {3601s, "1h1s"},
      {24h, "1d"},
      {14 * 24h, "14d"},
      {25h + 1ms, "1d1h1ms"},
      {1500us, "1ms500us"},
      {7ns, "7ns"},
      {-5s, "-5s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_duration(c.d), c.expect);
  }
}

TEST(FormatDuration, RoundTripsThroughParse) {
  const Duration samples[] = {0s, 1ns, 999ns, 1us, 1ms, 999ms, 1s, 59s, 61s, 3599s, 3600s, 86399s, 86400s,
                              90061001ms, 14 * 24h, 365 * 24h + 1ns, Duration::max()};
  for (Duration d : samples) {
    const std::string text = format_duration(d);
    EXPECT_EQ(parse_duration(text), d) << text;
  }
  // And text in canonical form comes back unchanged.
  for (const char* text : {"250ms", "10s", "5m", "1h", "14d", "1m30s", "1s500ms", "0s"}) {
    auto d = parse_duration(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(format_duration(*d), text);
  }
}

TEST(FormatDuration, RoundTripsAPseudoRandomSweep) {
  // Deterministic: a linear congruential sequence over the whole non-negative range.
  std::uint64_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto ns = static_cast<std::int64_t>(x >> 1 >> (i % 40));  // all magnitudes
    const Duration d{ns};
    ASSERT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
}

}  // namespace
}  // namespace hale
