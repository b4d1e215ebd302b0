// The vocabulary of health: one probe's Verdict, a check's Health, a ProbeResult and a
// Transition (SPEC §2). Plain values, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hale/clock.h"
#include "hale/error_kind.h"

namespace hale {

// One probe's outcome: it says something about the target, never about the prober.
enum class Verdict { kPass, kWarn, kFail };

// What a check (or a group of checks) reports.
enum class Health { kUnknown, kOk, kDegraded, kFail };

std::string_view to_string(Verdict v);
std::string_view to_string(Health h);

struct ProbeResult {
  Verdict verdict = Verdict::kFail;
  // A short reason a person can read: "200 OK", "connection refused", "timeout after 1s",
  // a Nagios plugin's first line. Never a response body (SPEC §2: bodies may hold personal data).
  std::string reason;
  // Why it did not pass (error_kind.h: its word is the `error_code` of /health and the `code`
  // of /metrics). kNone on pass.
  ErrorKind error = ErrorKind::kNone;
  Duration latency{};
  SteadyTime at{};  // when the result arrived
};

inline ProbeResult probe_result(Verdict verdict, std::string reason, ErrorKind error = ErrorKind::kNone) {
  ProbeResult r;
  r.verdict = verdict;
  r.reason = std::move(reason);
  r.error = error;
  return r;
}
inline ProbeResult probe_failure(std::string reason, ErrorKind error) {
  return probe_result(Verdict::kFail, std::move(reason), error);
}

// A change of a check's Health, with the evidence that caused it.
struct Transition {
  std::string check;
  Health from = Health::kUnknown;
  Health to = Health::kUnknown;
  std::string reason;
  SteadyTime at{};
  WallTime wall_at{};
  std::vector<ProbeResult> evidence;  // the last results, oldest first
  // SPEC §7 depends_on: the parent that blocks this check (to fail only), and the checks this
  // one blocks (its failing children), as they stand at the transition.
  std::string blocked_by;
  std::vector<std::string> blocking;
  // SPEC §7 drills: the drill that caused it (its result forced, or the recovery when the drill
  // ended), "" for everything real.
  std::string drill;
};

}  // namespace hale
