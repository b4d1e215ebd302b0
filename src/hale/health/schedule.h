// Schedule: when a check probes next (SPEC §1-2), as pure functions of its spec, its state and
// an injected random source. Like Envoy's HealthCheckerImplBase::interval(), minus the timers.
//
// Scenario: a check with interval 10s and backoff {base 500ms, max 30s} is ok and probes every
// 10s (less a random jitter). Its target goes down: the next probes come after 500ms, 1s, 2s ...
// capped at 30s, so `fail` is confirmed fast and a dead target is not hammered. One pass and it
// is back on its interval.
#pragma once

#include <optional>

#include "hale/check_state.h"
#include "hale/config.h"
#include "hale/random.h"

namespace hale {

// SPEC §2: the first probe of every check runs right at start-up, spread over at most 1s.
Duration first_probe_delay(const CheckSpec& spec, Random& rng);

// SPEC §8: checks that share an interval spread evenly over it, as Prometheus spreads its
// scrapes: the k-th of `count` (by name) takes interval x k / count off the wait after its first
// result, once. 10,000 checks at 10s then make a steady 1,000 probes a second instead of a
// burst of 10,000 every 10 s. A check alone (k = 0) keeps its interval.
Duration slot_phase(Duration interval, std::size_t index, std::size_t count);
// `steady` (the wait after the first result) less the check's phase; never below 1 ms.
Duration slot_delay(Duration steady, Duration phase);

// The steady wait between probes: `interval` shortened by a random share of the jitter.
// Jitter only ever shortens the wait, so interval x failure_threshold stays an upper bound on
// the time to detect a sustained failure. Never below 1 ms.
Duration interval_delay(Duration interval, Duration jitter, Random& rng);

// The delay before the next probe after `state` has observed a result, or nullopt when probing
// stops: backoff.max_retries is exhausted and the check is `fail` (SPEC §1).
std::optional<Duration> next_probe_delay(const CheckSpec& spec, const CheckState& state, Random& rng);

}  // namespace hale
