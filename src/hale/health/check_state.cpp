// CheckState: the hysteresis of SPEC §2 as a pure state machine.
//
// Scenario it exists for: a dependency blips for one probe. consecutive_failures goes to 1, the
// check stays `ok`, /readyz stays 200. Only failure_threshold failures in a row, spanning at
// least failure_duration, turn it `fail`. Coming back takes success_threshold passes in a row.
#include "hale/check_state.h"

#include <algorithm>
#include <utility>

namespace hale {

namespace {
Health health_of(Verdict v) { return v == Verdict::kWarn ? Health::kDegraded : Health::kOk; }
}  // namespace

CheckState::CheckState(std::string name, CheckPolicy policy, SteadyTime started)
    : name_(std::move(name)), started_(started), since_(started),
      recent_(std::make_shared<const std::vector<ProbeResult>>()) {
  adopt_policy(policy);
}

void CheckState::adopt_policy(const CheckPolicy& policy) {
  policy_ = policy;
  if (policy_.failure_threshold < 1) policy_.failure_threshold = 1;
  if (policy_.success_threshold < 1) policy_.success_threshold = 1;
}

void CheckState::redact_recent(const std::function<std::string(std::string)>& redact) {
  auto redacted = std::make_shared<std::vector<ProbeResult>>(*recent_);
  for (ProbeResult& r : *redacted) r.reason = redact(std::move(r.reason));
  recent_ = std::move(redacted);
}

void CheckState::restart_failure_run() {
  consecutive_failures_ = 0;
  first_failure_.reset();
}

bool CheckState::in_start_period(SteadyTime now) const {
  return !start_period_over_ && now < started_ + policy_.start_period;
}

std::optional<Transition> CheckState::observe(const ProbeResult& r, WallTime wall_at) {
  auto recent = std::make_shared<std::vector<ProbeResult>>();
  recent->reserve(std::min(recent_->size() + 1, kEvidence));  // exactly: it never holds more
  recent->assign(recent_->size() == kEvidence ? recent_->begin() + 1 : recent_->begin(), recent_->end());
  recent->push_back(r);
  recent_ = std::move(recent);

  if (r.verdict == Verdict::kFail) {
    // SPEC §2: failures inside start_period do not count.
    if (in_start_period(r.at)) return std::nullopt;
    consecutive_successes_ = 0;
    same_kind_run_ = 0;
    ++consecutive_failures_;
    if (!first_failure_) first_failure_ = r.at;
    last_failure_reason_ = r.reason;
    if (health_ == Health::kFail) return std::nullopt;
    // SPEC §2: fail after failure_threshold consecutive failures AND failure_duration since the
    // first of them. Fewer never flip it.
    if (consecutive_failures_ >= policy_.failure_threshold &&
        r.at - *first_failure_ >= policy_.failure_duration) {
      return move_to(Health::kFail, r.reason, r.at, wall_at);
    }
    return std::nullopt;
  }

  // A pass or a warn: SPEC §2 "a pass inside start_period ends the start period".
  start_period_over_ = true;
  consecutive_failures_ = 0;
  first_failure_.reset();
  last_success_ = r.at;
  ++consecutive_successes_;
  if (same_kind_run_ > 0 && last_pass_kind_ != r.verdict) same_kind_run_ = 0;
  last_pass_kind_ = r.verdict;
  ++same_kind_run_;

  const Health target = health_of(r.verdict);
  if (health_ == target) return std::nullopt;
  // SPEC §2: from unknown the first pass decides at once, whatever success_threshold says.
  if (health_ == Health::kUnknown) return move_to(target, r.reason, r.at, wall_at);
  // fail -> ok/degraded takes success_threshold non-failures in a row, pass or warn alike (a
  // latency hovering around max_latency must not keep a working target `fail`); the last one
  // decides between ok and degraded.
  if (health_ == Health::kFail) {
    if (consecutive_successes_ >= policy_.success_threshold) {
      return move_to(target, r.reason, r.at, wall_at);
    }
    return std::nullopt;
  }
  // ok <-> degraded takes success_threshold results in a row of the new kind, so such a
  // latency does not flip the status every probe either.
  if (same_kind_run_ >= policy_.success_threshold) return move_to(target, r.reason, r.at, wall_at);
  return std::nullopt;
}

std::optional<Transition> CheckState::reset(SteadyTime now, WallTime wall_at) {
  started_ = now;
  start_period_over_ = false;
  consecutive_failures_ = 0;
  consecutive_successes_ = 0;
  same_kind_run_ = 0;
  first_failure_.reset();
  recent_ = std::make_shared<const std::vector<ProbeResult>>();
  if (health_ == Health::kUnknown) return std::nullopt;
  return move_to(Health::kUnknown, "reset", now, wall_at);
}

std::optional<Transition> CheckState::move_to(Health to, std::string reason, SteadyTime at,
                                              WallTime wall_at) {
  Transition t;
  t.check = name_;
  t.from = health_;
  t.to = to;
  t.reason = std::move(reason);
  t.at = at;
  t.wall_at = wall_at;
  t.evidence.assign(recent_->begin(), recent_->end());
  health_ = to;
  since_ = at;
  return t;
}

}  // namespace hale
