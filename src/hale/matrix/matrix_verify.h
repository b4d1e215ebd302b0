// `hale matrix --verify` (SPEC §7): for one row of the degraded-mode matrix, the drill that
// checks it against the running daemon: force that check or heartbeat to fail for long enough
// to settle (its thresholds, failure_duration, a probe in flight, a held service's stop_timeout,
// an alert rule's `after` up to a minute), and expect what the row says. What a drill cannot
// show in that time is listed as not verified, with why. Pure.
#pragma once

#include <string>
#include <vector>

#include "hale/config.h"
#include "hale/matrix/degraded_matrix.h"

namespace hale {

struct VerifyPlan {
  DrillSpec drill;                        // name "verify.<kind>.<name>"
  std::vector<std::string> not_verified;  // "web: restarted (liveness) (not verified: ...)"
};

VerifyPlan verify_plan(const Config& config, const MatrixRow& row);

// The longest `after` a verification waits for: an alert later than this is not verified.
inline constexpr Duration kLongestVerifiedAfter = std::chrono::minutes(1);

}  // namespace hale
