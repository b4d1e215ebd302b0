// CheckState: one check's hysteresis (SPEC §2), pure: no I/O, no timers, no logging.
// The caller feeds each ProbeResult to observe() and acts on the Transition it may return.
// Not thread-safe: one CheckState belongs to one check runner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>
#include <string>

#include "hale/clock.h"
#include "hale/health.h"

namespace hale {

struct CheckPolicy {
  int failure_threshold = 3;
  int success_threshold = 1;
  Duration failure_duration{};  // a failure must also have lasted this long to count as `fail`
  Duration start_period{};      // failures inside it do not count; a pass ends it
};

class CheckState {
 public:
  // `started` is when the check (or its service) started: start_period counts from it.
  CheckState(std::string name, CheckPolicy policy, SteadyTime started);

  // Records one probe result; returns the transition it caused, if any.
  std::optional<Transition> observe(const ProbeResult& r, WallTime wall_at);

  // Back to `unknown` with a fresh start_period (a restarted service is never judged by its
  // predecessor's failures, SPEC §4). Returns the transition to unknown, if it was not already.
  std::optional<Transition> reset(SteadyTime now, WallTime wall_at);

  // A reload changed how the check is probed: the status and the runs in progress stay, and
  // the new thresholds judge the next results (SPEC §2: the status holds until the new
  // settings decide).
  void adopt_policy(const CheckPolicy& policy);

  // Rewrites the reasons of the kept results through `redact` (a new list; lists already shared
  // stay as they were): a reload may have added a secret that one of them quotes.
  void redact_recent(const std::function<std::string(std::string)>& redact);

  // The failures in a row count from zero again, the status stays: a reload gives a check whose
  // backoff.max_retries ran out a new set of retries (schedule.h counts them from this run).
  void restart_failure_run();

  Health health() const { return health_; }
  const std::string& name() const { return name_; }
  int consecutive_failures() const { return consecutive_failures_; }
  int consecutive_successes() const { return consecutive_successes_; }
  bool in_start_period(SteadyTime now) const;
  // When the current health began (steady time), and the reason of the last failure.
  SteadyTime since() const { return since_; }
  std::optional<SteadyTime> last_success() const { return last_success_; }
  std::optional<SteadyTime> first_failure() const { return first_failure_; }
  const std::string& last_failure_reason() const { return last_failure_reason_; }
  const std::vector<ProbeResult>& recent() const { return *recent_; }
  // The same list, to share: it is never changed, the next result makes a new one.
  const std::shared_ptr<const std::vector<ProbeResult>>& shared_recent() const { return recent_; }
  const CheckPolicy& policy() const { return policy_; }

  static constexpr std::size_t kEvidence = 5;  // results kept as a transition's evidence

 private:
  std::optional<Transition> move_to(Health to, std::string reason, SteadyTime at, WallTime wall_at);

  std::string name_;
  CheckPolicy policy_;
  Health health_ = Health::kUnknown;
  SteadyTime started_;
  bool start_period_over_ = false;
  SteadyTime since_;
  int consecutive_failures_ = 0;
  int consecutive_successes_ = 0;
  int same_kind_run_ = 0;                     // passes-or-warns in a row of the same kind
  Verdict last_pass_kind_ = Verdict::kPass;  // pass or warn: the kind of that run
  std::optional<SteadyTime> first_failure_;
  std::optional<SteadyTime> last_success_;
  std::string last_failure_reason_;
  // The last kEvidence results, oldest first; never null. Immutable once made, so that the
  // engine's published view of the check shares it instead of copying it (10,000 checks: 3.5 MB).
  // A vector, not a deque: a deque's first block alone is 512 bytes.
  std::shared_ptr<const std::vector<ProbeResult>> recent_;
};

}  // namespace hale
