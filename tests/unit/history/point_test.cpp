// Packed points (SPEC §10 history): every field survives a pack, gaps stay gaps, the two
// parts of a minute split by a restart of hale are merged, damaged bytes end the list without
// inventing points, and roll-ups sum what they must and estimate percentiles by weight.
#include <gtest/gtest.h>

#include "hale/history/point.h"

namespace hale::history {
namespace {

Point point(std::int64_t t, std::uint32_t count, std::uint32_t failures, double p50, double p95, double max,
            std::uint32_t up, std::uint32_t down = 0, std::uint32_t maintenance = 0) {
  Point p;
  p.t = t;
  p.count = count;
  p.failures = failures;
  p.p50_ms = p50;
  p.p95_ms = p95;
  p.max_ms = max;
  p.has_latency = max > 0;
  p.up_seconds = up;
  p.down_seconds = down;
  p.maintenance_seconds = maintenance;
  return p;
}

TEST(HistoryPoint, EveryFieldSurvivesAPackAndGapsStayGaps) {
  const std::int64_t hour = 1'800'000'000 - 1'800'000'000 % 3600;
  const std::vector<Point> in = {
      point(hour, 6, 0, 1.25, 3.5, 4.01, 60),                 // a quiet minute
      point(hour + 120, 6, 2, 12.5, 980.33, 1000, 31, 29),    // failing half of it (minute 1 missing)
      point(hour + 3540, 1, 1, 0, 0, 0, 0, 0, 60),            // the last minute, under maintenance
      point(hour + 600, 0, 0, 0, 0, 0, 12),                   // no result, part of the minute known
  };
  std::string pack;
  for (const Point& p : in) append_point(pack, p, Level::kMinute, hour);
  const std::vector<Point> out = decode_pack(pack, Level::kMinute, hour);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], in[0]);
  EXPECT_EQ(out[1], in[1]);
  EXPECT_EQ(out[2], in[3]);  // in index order
  EXPECT_EQ(out[3], in[2]);
  // A quiet minute costs 8 bytes or fewer (the bar of a year of rollups depends on it).
  std::string quiet;
  append_point(quiet, in[0], Level::kMinute, hour);
  EXPECT_LE(quiet.size(), 9u);
}

TEST(HistoryPoint, TwoPartsOfOneMinuteAreMerged) {
  std::string pack;
  append_point(pack, point(3600, 2, 0, 10, 20, 20, 25), Level::kMinute, 3600);
  append_point(pack, point(3600, 2, 1, 30, 40, 50, 20, 10), Level::kMinute, 3600);
  const auto out = decode_pack(pack, Level::kMinute, 3600);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 4u);
  EXPECT_EQ(out[0].failures, 1u);
  EXPECT_EQ(out[0].up_seconds, 45u);
  EXPECT_EQ(out[0].down_seconds, 10u);
  EXPECT_DOUBLE_EQ(out[0].max_ms, 50);
  EXPECT_DOUBLE_EQ(out[0].p50_ms, 20);  // weighted by count: (10*2 + 30*2) / 4
}

TEST(HistoryPoint, DamagedBytesEndTheListWithoutInventingPoints) {
  std::string pack;
  append_point(pack, point(0, 3, 0, 1, 2, 3, 60), Level::kMinute, 0);
  append_point(pack, point(60, 3, 0, 1, 2, 3, 60), Level::kMinute, 0);
  const std::string whole = pack;
  EXPECT_EQ(decode_pack(whole.substr(0, whole.size() - 1), Level::kMinute, 0).size(), 1u);
  std::string bad_index = whole;
  bad_index[0] = static_cast<char>(200);  // no minute 200 in an hour
  EXPECT_TRUE(decode_pack(bad_index, Level::kMinute, 0).empty());
  EXPECT_TRUE(decode_pack("", Level::kMinute, 0).empty());
}

TEST(HistoryPoint, HoursAndDaysUseTheirOwnSteps) {
  std::string pack;
  const std::int64_t block = 32 * 86400 * 600;
  append_point(pack, point(block + 31 * 86400, 8640, 3, 5, 9, 30, 86400), Level::kDay, block);
  const auto out = decode_pack(pack, Level::kDay, block);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].t, block + 31 * 86400);
  EXPECT_EQ(out[0].up_seconds, 86400u);
  EXPECT_EQ(out[0].count, 8640u);
}

TEST(HistoryPoint, CombineSumsAndWeighsPercentilesByCount) {
  const std::vector<Point> minutes = {point(0, 1, 0, 100, 100, 100, 60), point(60, 9, 1, 10, 20, 25, 50, 10),
                                      point(120, 0, 0, 0, 0, 0, 0, 0, 60)};
  const Point hour = combine(minutes, 0);
  EXPECT_EQ(hour.t, 0);
  EXPECT_EQ(hour.count, 10u);
  EXPECT_EQ(hour.failures, 1u);
  EXPECT_EQ(hour.up_seconds, 110u);
  EXPECT_EQ(hour.down_seconds, 10u);
  EXPECT_EQ(hour.maintenance_seconds, 60u);
  EXPECT_DOUBLE_EQ(hour.max_ms, 100);
  EXPECT_DOUBLE_EQ(hour.p50_ms, 10);   // 9 of the 10 results are in the 10 ms minute
  EXPECT_DOUBLE_EQ(hour.p95_ms, 100);  // the 95th of 10 is the 10th: the slow minute
  EXPECT_FALSE(combine(std::vector<Point>{}, 0).has_latency);
}

TEST(HistoryPoint, FloorToRoundsTowardsMinusInfinity) {
  EXPECT_EQ(floor_to(3599, 3600), 0);
  EXPECT_EQ(floor_to(3600, 3600), 3600);
  EXPECT_EQ(floor_to(-1, 3600), -3600);
  std::vector<double> s{5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(percentile(s, 0.5), 3);
  EXPECT_DOUBLE_EQ(percentile(s, 0.95), 5);
}

}  // namespace
}  // namespace hale::history
