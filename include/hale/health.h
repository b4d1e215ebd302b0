// The vocabulary of health: one probe's Verdict, a check's Health, a ProbeResult and a
// Transition (SPEC §2). Plain values, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hale/clock.h"

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
  // A stable machine code for failures, counted in /metrics: "timeout", "refused", "status",
  // "body", "json", "exit", "dns", "tls", "connect", "spawn", "latency", "warn". Empty on pass.
  std::string error_code;
  Duration latency{};
  SteadyTime at{};  // when the result arrived
};

inline ProbeResult probe_result(Verdict verdict, std::string reason, std::string error_code = {}) {
  ProbeResult r;
  r.verdict = verdict;
  r.reason = std::move(reason);
  r.error_code = std::move(error_code);
  return r;
}
inline ProbeResult probe_failure(std::string reason, std::string error_code) {
  return probe_result(Verdict::kFail, std::move(reason), std::move(error_code));
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
