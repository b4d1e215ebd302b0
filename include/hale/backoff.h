// Backoff: the one exponential backoff of hale, for a check while it fails (SPEC §1 `backoff`),
// a service's restarts (§4 `backoff`) and an alert's delivery retries (§6 `retry`). The three
// config values are Backoffs with their own defaults and one extra each (BackoffPolicy,
// ServiceBackoff and RetryPolicy in config.h), read by one TOML reader (config/backoff_keys).
//
// The wait after the n-th failure in a row is base × multiplier^(n-1), capped at max, plus a
// random share of the jitter: u01 × spread, where spread is a share of that delay ("10%") or a
// fixed duration ("250ms"). It is a pure function of n and u01: the random number comes from the
// caller's Random (random.h), so a test names the exact delay.
#pragma once

#include <chrono>

#include "hale/clock.h"

namespace hale {

// `jitter`: either an absolute duration or a share of something (an interval, a delay): "10%".
struct Jitter {
  bool is_fraction = true;
  double fraction = 0.10;
  Duration absolute{};

  static Jitter share(double fraction) { return Jitter{true, fraction, Duration::zero()}; }
  static Jitter fixed(Duration d) { return Jitter{false, 0, d}; }

  // The spread for a check with this interval: fraction × interval, or `absolute`; never more
  // than the interval itself, never negative. (A check's interval jitter only shortens the wait.)
  Duration resolve(Duration interval) const;
  bool operator==(const Jitter&) const = default;
};

struct Backoff {
  Duration base{};
  Duration max{};
  double multiplier = 2.0;  // below 1 counts as 1
  Jitter jitter = Jitter::fixed(Duration::zero());

  // The wait after `failures_in_a_row` failures (n <= 0, or a base of 0: no wait). `u01` in
  // [0, 1) picks the jitter's share (values outside, and NaN, are clamped). A fraction jitter is
  // clamped to 0..1 of the delay; a fixed one is added as written. Never overflows: n = 1000 is
  // max plus its jitter, and a wait that cannot be represented is Duration::max().
  Duration delay(int failures_in_a_row, double u01) const;

  bool operator==(const Backoff&) const = default;
};

}  // namespace hale
