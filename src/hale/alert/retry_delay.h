// How long a delivery waits before its next attempt after failures in a row (SPEC §6: "retried
// with backoff until the receiver accepts it"): exponential, capped, jittered. Pure: the random
// share comes from the caller (its injected RNG), so a test names the exact delay.
#pragma once

#include "hale/clock.h"
#include "hale/config.h"

namespace hale {

// The wait after the n-th failure in a row: base * 2^(n-1), capped at max, plus u01 * jitter of
// it (u01 in [0, 1), jitter a share 0..1; values outside are clamped). n <= 0 (nothing failed)
// is no wait. Never overflows: n = 1000 is max plus its jitter, and a delay that cannot be
// represented is Duration::max(). A Retry-After from the receiver replaces it (delivery_outcome.h).
Duration retry_delay(const RetryPolicy& p, int failures_in_a_row, double u01);

}  // namespace hale
