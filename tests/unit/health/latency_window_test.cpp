// LatencyWindow and over_budget (SPEC §7 latency budgets), on simulated time.
#include "hale/health/latency_window.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

using namespace std::chrono_literals;

constexpr SteadyTime kT0{std::chrono::hours(1)};

// n results one second apart from `from`, latencies 1 ms, 2 ms, ... n ms.
SteadyTime feed_ramp(LatencyWindow& w, SteadyTime from, int n) {
  SteadyTime at = from;
  for (int i = 1; i <= n; ++i) {
    at = from + std::chrono::seconds(i - 1);
    w.observe(at, std::chrono::milliseconds(i));
  }
  return at;
}

TEST(LatencyWindow, NothingIsJudgedBeforeTwentyResults) {
  LatencyWindow w(10min);
  const SteadyTime last = feed_ramp(w, kT0, 19);
  EXPECT_FALSE(w.quantiles(last).has_value());
  w.observe(last + 1s, 500ms);
  ASSERT_TRUE(w.quantiles(last + 1s).has_value());
  EXPECT_EQ(w.quantiles(last + 1s)->results, 20u);
}

TEST(LatencyWindow, QuantilesAreNearestRank) {
  LatencyWindow w(10min);
  const SteadyTime last = feed_ramp(w, kT0, 100);  // 1..100 ms
  const auto q = w.quantiles(last);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->p50, 50ms);
  EXPECT_EQ(q->p95, 95ms);
  EXPECT_EQ(q->results, 100u);
}

TEST(LatencyWindow, OnlyTheWindowCounts) {
  LatencyWindow w(1min);
  // 40 slow results, then a minute and a half of fast ones: the slow ones leave the window.
  for (int i = 0; i < 40; ++i) w.observe(kT0 + std::chrono::seconds(i), 900ms);
  SteadyTime at = kT0 + 40s;
  for (int i = 0; i < 90; ++i, at += 1s) w.observe(at, 10ms);
  const auto q = w.quantiles(at);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->p95, 10ms);
  EXPECT_LE(q->results, 61u);
  // Nothing new for longer than the window: too few results to judge again.
  EXPECT_FALSE(w.quantiles(at + 2min).has_value());
}

TEST(LatencyWindow, AShorterWindowAfterAReloadJudgesAtOnce) {
  LatencyWindow w(10min);
  const SteadyTime last = feed_ramp(w, kT0, 100);
  w.set_window(30s);
  const auto q = w.quantiles(last);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->results, 31u);  // the results of the last 30 s, both ends included
  EXPECT_EQ(q->p50, 85ms);
}

TEST(LatencyWindow, MemoryIsBoundedWhateverTheWindow) {
  LatencyWindow w(24h);
  for (std::size_t i = 0; i < LatencyWindow::kMaxResults + 500; ++i) {
    w.observe(kT0 + std::chrono::milliseconds(i), 1ms);
  }
  EXPECT_EQ(w.quantiles(kT0 + 1h)->results, LatencyWindow::kMaxResults);
}

TEST(OverBudget, SaysWhichQuantileIsOverAndByHowMuch) {
  LatencyBudget budget{100ms, 400ms, 10min};
  EXPECT_EQ(over_budget(budget, {80ms, 400ms, 20}), std::nullopt);  // at the budget is within it
  EXPECT_EQ(over_budget(budget, {80ms, std::chrono::microseconds(512'400), 20}), "p95 512ms over budget 400ms");
  EXPECT_EQ(over_budget(budget, {150ms, 1200ms, 20}), "p50 150ms over budget 100ms; p95 1s200ms over budget 400ms");
  LatencyBudget p95_only{std::nullopt, 400ms, 10min};
  EXPECT_EQ(over_budget(p95_only, {390ms, 399ms, 20}), std::nullopt);
  EXPECT_EQ(over_budget(p95_only, {390ms, 401ms, 20}), "p95 401ms over budget 400ms");
}

}  // namespace
}  // namespace hale
