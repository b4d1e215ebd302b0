// Schedule: next-probe delays (see schedule.h for the scenario).
#include "hale/health/schedule.h"

#include <algorithm>

namespace hale {

namespace {
using namespace std::chrono_literals;
}  // namespace

Duration first_probe_delay(const CheckSpec& spec, Random& rng) {
  const Duration spread = std::min<Duration>(1s, spec.interval);
  return rng.up_to(spread - Duration(1));
}

Duration slot_phase(Duration interval, std::size_t index, std::size_t count) {
  if (count == 0 || index >= count) return Duration::zero();
  // In steps of interval / count: interval x index could overflow for long intervals.
  return interval / static_cast<Duration::rep>(count) * static_cast<Duration::rep>(index);
}

Duration slot_delay(Duration steady, Duration phase) { return std::max<Duration>(1ms, steady - phase); }

Duration interval_delay(Duration interval, Duration jitter, Random& rng) {
  jitter = std::clamp<Duration>(jitter, Duration::zero(), interval);
  return std::max<Duration>(1ms, interval - rng.up_to(jitter));
}

std::optional<Duration> next_probe_delay(const CheckSpec& spec, const CheckState& state, Random& rng) {
  const int failures = state.consecutive_failures();
  if (spec.backoff && failures > 0) {
    // SPEC §1: past max_retries the check stays fail and stops probing. The first failure is
    // the attempt itself; every probe after it is a retry.
    const int retries_done = failures - 1;
    if (spec.backoff->max_retries > 0 && retries_done >= spec.backoff->max_retries &&
        state.health() == Health::kFail) {
      return std::nullopt;
    }
    return std::max<Duration>(1ms, spec.backoff->delay(failures, rng.unit()));
  }
  return interval_delay(spec.interval, spec.jitter.resolve(spec.interval), rng);
}

}  // namespace hale
