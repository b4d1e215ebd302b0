// The backoff of deliveries (retry_delay.h) as a table: doubling from base, the cap, the jitter
// share given by the caller's random number, and no overflow however many failures.
#include "hale/alert/retry_delay.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace hale {
namespace {

using namespace std::chrono_literals;

RetryPolicy policy(Duration base, Duration max, double jitter) {
  RetryPolicy p;
  p.base = base;
  p.max = max;
  p.jitter = jitter;
  return p;
}

struct Case {
  RetryPolicy policy;
  int failures;
  double u01;
  Duration expected;
};

TEST(RetryDelay, Table) {
  const RetryPolicy plain = policy(1s, 5min, 0.0);
  const RetryPolicy jittered = policy(1s, 5min, 0.2);
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
    EXPECT_EQ(retry_delay(c.policy, c.failures, c.u01), c.expected)
        << "failures " << c.failures << " u01 " << c.u01 << " base " << c.policy.base.count();
  }
}

TEST(RetryDelay, GrowsMonotonicallyToTheCap) {
  const RetryPolicy p = policy(1s, 5min, 0.0);
  Duration last = 0s;
  for (int n = 1; n <= 40; ++n) {
    const Duration d = retry_delay(p, n, 0.0);
    EXPECT_GE(d, last) << n;
    EXPECT_LE(d, 5min) << n;
    last = d;
  }
  EXPECT_EQ(last, 5min);
}

}  // namespace
}  // namespace hale
