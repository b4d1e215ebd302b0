// Probe scheduling: first-probe spread, interval jitter bounds, backoff growth and cap.
#include "hale/health/schedule.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

using namespace std::chrono_literals;

TEST(Schedule, FirstProbeSpreadOverAtMostOneSecond) {
  Random rng(1);
  CheckSpec spec;
  spec.interval = 10s;
  Duration lo = 1h, hi = 0s;
  for (int i = 0; i < 2000; ++i) {
    Duration d = first_probe_delay(spec, rng);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, 0s);
  EXPECT_LT(hi, 1s);
  EXPECT_LT(lo, 100ms);  // actually spread, not all at one instant
  EXPECT_GT(hi, 900ms);
}

TEST(Schedule, FirstProbeWithinShortInterval) {
  Random rng(2);
  CheckSpec spec;
  spec.interval = 200ms;
  for (int i = 0; i < 500; ++i) EXPECT_LT(first_probe_delay(spec, rng), 200ms);
}

TEST(Schedule, JitterOnlyShortensTheInterval) {
  Random rng(3);
  Duration lo = 1h, hi = 0s;
  for (int i = 0; i < 2000; ++i) {
    Duration d = interval_delay(10s, 1s, rng);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, 9s);
  EXPECT_LE(hi, 10s);
  EXPECT_LT(lo, 9100ms);
  EXPECT_GT(hi, 9900ms);
}

TEST(Schedule, ZeroJitterIsExactInterval) {
  Random rng(4);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(interval_delay(5s, 0s, rng), 5s);
}

TEST(Schedule, JitterLargerThanIntervalIsCappedAndFloorIsOneMillisecond) {
  Random rng(5);
  for (int i = 0; i < 1000; ++i) {
    Duration d = interval_delay(10ms, 1s, rng);
    EXPECT_GE(d, 1ms);
    EXPECT_LE(d, 10ms);
  }
}

TEST(Schedule, BackoffDoublesUpToMax) {
  Random rng(6);
  BackoffPolicy b;
  b.base = 500ms;
  b.max = 30s;
  b.jitter = Jitter::fixed(0s);
  const Duration expected[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s};
  for (int n = 1; n <= 9; ++n) EXPECT_EQ(b.delay(n, rng.unit()), expected[n - 1]) << n;
  EXPECT_EQ(b.delay(1000, rng.unit()), 30s);  // no overflow for long outages
}

TEST(Schedule, BackoffJitterWithinBounds) {
  Random rng(7);
  BackoffPolicy b;
  b.base = 1s;
  b.max = 8s;
  b.jitter = Jitter::fixed(250ms);
  for (int i = 0; i < 1000; ++i) {
    Duration d = b.delay(3, rng.unit());
    EXPECT_GE(d, 4s);
    EXPECT_LE(d, 4250ms);
  }
}

}  // namespace
}  // namespace hale

namespace hale {
namespace {

using namespace std::chrono_literals;

ProbeResult fail_at(SteadyTime t) {
  ProbeResult r;
  r.verdict = Verdict::kFail;
  r.at = t;
  return r;
}

TEST(NextProbeDelay, IntervalWhileOkBackoffWhileFailingThenIntervalAgain) {
  Random rng(8);
  FakeClock clock;
  CheckSpec spec;
  spec.interval = 10s;
  spec.jitter.is_fraction = false;
  spec.jitter.absolute = 0s;
  spec.failure_threshold = 3;
  spec.backoff = BackoffPolicy{500ms, 4s, 0s, 0};
  CheckState state("x", CheckPolicy{3, 1, 0s, 0s}, clock.now());
  ProbeResult pass;
  pass.verdict = Verdict::kPass;
  pass.at = clock.now();
  state.observe(pass, clock.wall_now());
  EXPECT_EQ(next_probe_delay(spec, state, rng), 10s);
  const Duration expected[] = {500ms, 1s, 2s, 4s, 4s};
  for (Duration e : expected) {
    state.observe(fail_at(clock.now()), clock.wall_now());
    EXPECT_EQ(next_probe_delay(spec, state, rng), e);
  }
  pass.at = clock.now();
  state.observe(pass, clock.wall_now());
  EXPECT_EQ(next_probe_delay(spec, state, rng), 10s);
}

TEST(NextProbeDelay, WithoutBackoffFailingChecksKeepTheirInterval) {
  Random rng(9);
  FakeClock clock;
  CheckSpec spec;
  spec.interval = 2s;
  spec.jitter.is_fraction = true;
  spec.jitter.fraction = 0.0;
  CheckState state("x", CheckPolicy{3, 1, 0s, 0s}, clock.now());
  state.observe(fail_at(clock.now()), clock.wall_now());
  EXPECT_EQ(next_probe_delay(spec, state, rng), 2s);
}

TEST(NextProbeDelay, StopsPastMaxRetriesOnlyOnceFail) {
  Random rng(10);
  FakeClock clock;
  CheckSpec spec;
  spec.backoff = BackoffPolicy{100ms, 1s, 0s, 2};
  // failure_threshold 4: fail is reached after the 4th failure, past max_retries already.
  CheckState state("x", CheckPolicy{4, 1, 0s, 0s}, clock.now());
  for (int i = 1; i <= 3; ++i) {
    state.observe(fail_at(clock.now()), clock.wall_now());
    EXPECT_TRUE(next_probe_delay(spec, state, rng).has_value()) << i;
  }
  state.observe(fail_at(clock.now()), clock.wall_now());
  ASSERT_EQ(state.health(), Health::kFail);
  EXPECT_FALSE(next_probe_delay(spec, state, rng).has_value());
}

// SPEC §8: checks sharing an interval take evenly spaced slots of it.
TEST(Schedule, SlotsSpreadChecksEvenlyOverTheirInterval) {
  EXPECT_EQ(slot_phase(10s, 0, 4), 0s);
  EXPECT_EQ(slot_phase(10s, 1, 4), 2500ms);
  EXPECT_EQ(slot_phase(10s, 3, 4), 7500ms);
  EXPECT_EQ(slot_phase(10s, 0, 1), 0s) << "a check alone keeps its interval";
  // 10,000 checks: consecutive slots 1 ms apart, the last one a slot short of the interval.
  EXPECT_EQ(slot_phase(10s, 1, 10000), 1ms);
  EXPECT_EQ(slot_phase(10s, 9999, 10000), 9999ms);
  EXPECT_EQ(slot_phase(10s, 4, 4), 0s) << "out of range: no shift";
  // A long interval does not overflow: 14 days over 100,000 checks.
  EXPECT_EQ(slot_phase(std::chrono::hours(24 * 14), 99999, 100000),
            Duration(std::chrono::hours(24 * 14)) / 100000 * 99999);
}

TEST(Schedule, SlotDelayShortensTheWaitButNeverBelowAMillisecond) {
  EXPECT_EQ(slot_delay(10s, 2500ms), 7500ms);
  EXPECT_EQ(slot_delay(10s, 0s), 10s);
  EXPECT_EQ(slot_delay(10s, 10s), 1ms);
  EXPECT_EQ(slot_delay(9s, 9999ms), 1ms);
}

}  // namespace
}  // namespace hale
