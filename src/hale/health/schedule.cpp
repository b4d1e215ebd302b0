// Schedule: next-probe delays (see schedule.h for the scenario).
#include "hale/health/schedule.h"

#include <algorithm>

namespace hale {

namespace {
using namespace std::chrono_literals;

Duration uniform(Duration lo, Duration hi, Rng& rng) {
  if (hi <= lo) return lo;
  std::uniform_int_distribution<Duration::rep> dist(lo.count(), hi.count());
  return Duration(dist(rng));
}
}  // namespace

Duration first_probe_delay(const CheckSpec& spec, Rng& rng) {
  const Duration spread = std::min<Duration>(1s, spec.interval);
  return uniform(Duration::zero(), spread - Duration(1), rng);
}

Duration interval_delay(Duration interval, Duration jitter, Rng& rng) {
  jitter = std::clamp<Duration>(jitter, Duration::zero(), interval);
  return std::max<Duration>(1ms, interval - uniform(Duration::zero(), jitter, rng));
}

Duration backoff_delay(const BackoffPolicy& b, int consecutive_failures, Rng& rng) {
  Duration d = b.base;
  for (int i = 1; i < consecutive_failures && d < b.max; ++i) d *= 2;
  d = std::min(d, b.max);
  return std::max<Duration>(1ms, d + uniform(Duration::zero(), b.jitter, rng));
}

std::optional<Duration> next_probe_delay(const CheckSpec& spec, const CheckState& state,
                                         Rng& rng) {
  const int failures = state.consecutive_failures();
  if (spec.backoff && failures > 0) {
    // SPEC §1: past max_retries the check stays fail and stops probing. The first failure is
    // the attempt itself; every probe after it is a retry.
    const int retries_done = failures - 1;
    if (spec.backoff->max_retries > 0 && retries_done >= spec.backoff->max_retries &&
        state.health() == Health::kFail) {
      return std::nullopt;
    }
    return backoff_delay(*spec.backoff, failures, rng);
  }
  return interval_delay(spec.interval, spec.jitter.resolve(spec.interval), rng);
}

}  // namespace hale
