// Backoff (backoff.h), the one backoff of checks, restarts and deliveries, as a table: growing from
// base, the cap, the jitter share given by the caller's random number, and no overflow however
// many failures. First as a notifier's retry (doubling, a share jitter), then the other forms.
#include "hale/backoff.h"

#include "hale/config.h"
#include "hale/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace hale {
namespace {

using namespace std::chrono_literals;

Backoff policy(Duration base, Duration max, double jitter) { return Backoff{base, max, 2.0, Jitter::share(jitter)}; }

struct Case {
  Backoff policy;
  int failures;
  double u01;
  Duration expected;
};

TEST(BackoffDelay, Table) {
  const Backoff plain = policy(1s, 5min, 0.0);
  const Backoff jittered = policy(1s, 5min, 0.2);
  const std::vector<Case> cases = {
      {plain, 0, 0.0, 0s},  // nothing failed
      {plain, -3, 0.5, 0s},
      {plain, 1, 0.0, 1s},
      {plain, 2, 0.0, 2s},
      {plain, 3, 0.0, 4s},
      {plain, 9, 0.0, 256s},
      {plain, 10, 0.0, 5min},  // 512s capped at 300s
      {plain, 64, 0.0, 5min},
      {plain, 1000, 0.0, 5min},
      {plain, std::numeric_limits<int>::max(), 0.0, 5min},
      {jittered, 1, 0.0, 1s},
      {jittered, 1, 0.5, 1100ms},  // + 0.5 * 0.2 of 1s
      {jittered, 3, 0.5, 4400ms},
      {jittered, 3, 0.999, 4799200us},
      {jittered, 1000, 0.5, 330s},  // the cap, then its jitter
      {jittered, 2, 1.5, 2400ms},  // u01 clamped to 1
      {jittered, 2, -1.0, 2s},     // ... and to 0
      {policy(1s, 5min, 3.0), 1, 0.5, 1500ms},  // jitter clamped to 1
      {policy(250ms, 10s, 0.0), 3, 0.0, 1s},
      {policy(10s, 5s, 0.0), 1, 0.0, 5s},  // base above max: max
      {policy(0s, 5min, 0.2), 4, 0.5, 0s},
      {policy(std::chrono::hours(24 * 365 * 100), Duration::max(), 0.0), 3, 0.0, Duration::max()},
      {policy(1s, Duration::max(), 1.0), 1000, 0.99, Duration::max()},  // jitter past max: saturates
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.policy.delay(c.failures, c.u01), c.expected)
        << "failures " << c.failures << " u01 " << c.u01 << " base " << c.policy.base.count();
  }
}

TEST(BackoffDelay, GrowsMonotonicallyToTheCap) {
  const Backoff p = policy(1s, 5min, 0.0);
  Duration last = 0s;
  for (int n = 1; n <= 40; ++n) {
    const Duration d = p.delay(n, 0.0);
    EXPECT_GE(d, last) << n;
    EXPECT_LE(d, 5min) << n;
    last = d;
  }
  EXPECT_EQ(last, 5min);
}

TEST(BackoffDelay, AMultiplierOtherThanTwo) {
  const Backoff b{1s, 1min, 3.0, Jitter::share(0)};
  EXPECT_EQ(b.delay(1, 0.0), 1s);
  EXPECT_EQ(b.delay(2, 0.0), 3s);
  EXPECT_EQ(b.delay(3, 0.0), 9s);
  EXPECT_EQ(b.delay(5, 0.0), 1min);  // 81s capped
  EXPECT_EQ(b.delay(std::numeric_limits<int>::max(), 0.0), 1min);
  // Below 1 (or NaN) the delay would shrink: it counts as 1.
  EXPECT_EQ((Backoff{2s, 1min, 0.5, Jitter::share(0)}.delay(4, 0.0)), 2s);
  EXPECT_EQ((Backoff{2s, 1min, std::nan(""), Jitter::share(0)}.delay(4, 0.0)), 2s);
  // 1.0 with any number of failures: no loop, no overflow.
  EXPECT_EQ((Backoff{2s, 1min, 1.0, Jitter::share(0)}.delay(std::numeric_limits<int>::max(), 0.0)), 2s);
}

TEST(BackoffDelay, AFixedJitterIsAddedAsWritten) {
  const Backoff b{500ms, 30s, 2.0, Jitter::fixed(250ms)};
  EXPECT_EQ(b.delay(1, 0.0), 500ms);
  EXPECT_EQ(b.delay(1, 0.5), 625ms);
  EXPECT_EQ(b.delay(3, 0.5), 2125ms);
  EXPECT_EQ(b.delay(100, 0.5), 30125ms);  // the cap, then the jitter
  EXPECT_EQ((Backoff{100ms, 1s, 2.0, Jitter::fixed(1s)}.delay(1, 1.0)), 1100ms);  // wider than the delay: as written
  EXPECT_EQ((Backoff{100ms, 1s, 2.0, Jitter::fixed(-1s)}.delay(1, 1.0)), 100ms);  // never negative
}

TEST(BackoffDelay, TheThreeUsesKeepTheirDefaults) {
  // SPEC §1 (a check), §4 (a service), §6 (a notifier).
  EXPECT_EQ(BackoffPolicy().delay(1, 0.0), 500ms);
  EXPECT_EQ(BackoffPolicy().delay(100, 0.99), 30s);  // no jitter by default
  EXPECT_EQ(ServiceBackoff().delay(1, 0.0), 1s);
  EXPECT_EQ(ServiceBackoff().delay(1, 0.5), 1050ms);  // 10 % of the delay
  EXPECT_EQ(ServiceBackoff().delay(100, 0.0), 5min);
  EXPECT_EQ(RetryPolicy().delay(1, 0.5), 1100ms);  // 20 % of the delay
  EXPECT_EQ(RetryPolicy().delay(100, 0.0), 5min);
}

TEST(RandomSource, SeededIsRepeatableAndInRange) {
  Random a(42), b(42);
  for (int i = 0; i < 100; ++i) {
    const double u = a.unit();
    EXPECT_EQ(u, b.unit());
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    const Duration d = a.up_to(10ms);
    EXPECT_EQ(d, b.up_to(10ms));
    EXPECT_GE(d, 0ms);
    EXPECT_LE(d, 10ms);
  }
  EXPECT_EQ(a.up_to(0ms), 0ms);
  EXPECT_EQ(a.up_to(-5ms), 0ms);
}

TEST(RandomSource, AGivenSourceNamesTheNumbers) {
  double next = 0.25;
  Random r = Random::from([&] { return next; });
  EXPECT_EQ(r.unit(), 0.25);
  EXPECT_EQ(r.up_to(1s), 250ms);
  next = 7.0;  // clamped below 1
  EXPECT_LT(r.unit(), 1.0);
  EXPECT_EQ(r.up_to(1s), 1s);
  next = -1.0;
  EXPECT_EQ(r.unit(), 0.0);
}

}  // namespace
}  // namespace hale
