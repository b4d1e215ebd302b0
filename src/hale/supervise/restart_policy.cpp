// decide_restart: the edges of the supervisor's restart logic, one rule per branch.
#include "hale/supervise/restart_policy.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hale {

namespace {

bool is_health_cause(StopCause c) {
  return c == StopCause::kLivenessFailed || c == StopCause::kWatchdogMissed;
}

// Restarts still inside the window at `now`.
int restarts_in_window(const RestartPolicy& p, const RestartHistory& h, SteadyTime now) {
  return static_cast<int>(std::count_if(h.restarts.begin(), h.restarts.end(),
                                        [&](SteadyTime t) { return now - t < p.budget.window; }));
}

}  // namespace

bool ran_stable(const RestartPolicy& p, const RestartInput& in) {
  // A start that failed never ran, however long ago it was tried; and SPEC §4: a run ended by a
  // health restart is never stable, however long it was healthy before.
  if (in.cause == StopCause::kStartFailed || is_health_cause(in.cause)) return false;
  return in.healthy_for >= p.stability_period;
}

std::string_view to_string(StopCause c) {
  for (const StopCauseWords& w : kStopCauses) {
    if (w.cause == c) return w.text;
  }
  return "stopped";
}

std::string_view reason_label(StopCause c) {
  for (const StopCauseWords& w : kStopCauses) {
    if (w.cause == c) return w.label;
  }
  return "crash";
}

// "crashed (exit code 3)": the cause, and what happened when the caller knows it.
std::string what_happened(const RestartInput& in) {
  if (in.detail.empty()) return std::string(to_string(in.cause));
  return fmt::format("{} ({})", to_string(in.cause), in.detail);
}

// Delays as people read them: whole milliseconds ("545ms", not "545ms354us127ns").
std::string readable(Duration d) {
  return format_duration(std::chrono::round<std::chrono::milliseconds>(d));
}

RestartDecision decide_restart(const RestartPolicy& p, const RestartHistory& h,
                               const RestartInput& in, Random& rng) {
  RestartDecision d;
  // SPEC §4: the budget is a sliding window that only time gives back; a stable run resets
  // only the backoff.
  const bool stable = ran_stable(p, in);
  const int used = restarts_in_window(p, h, in.now);
  d.budget_left = std::max(0, p.budget.max - used);

  // SPEC §4: nothing automatic ever starts a service that an operator stopped.
  if (!in.wanted) {
    d.reason = "stopped by an operator";
    return d;
  }
  // `restart` decides which endings are restarted at all.
  const bool failure = in.cause != StopCause::kCleanExit;
  if (p.mode == RestartMode::kNever || (p.mode == RestartMode::kOnFailure && !failure)) {
    d.reason = fmt::format("{}; restart = {}", what_happened(in),
                           p.mode == RestartMode::kNever ? "never" : "on-failure");
    return d;
  }
  // SPEC §4: no health-driven restart before stability_period has passed since the last start.
  if (is_health_cause(in.cause) && in.now - in.last_start < p.stability_period) {
    d.action = RestartAction::kNotYet;
    d.delay = in.last_start + p.stability_period - in.now;
    d.reason = fmt::format("{} inside the stability period ({} left)", what_happened(in),
                           readable(d.delay));
    return d;
  }
  if (used >= p.budget.max) {
    d.action = RestartAction::kGiveUp;
    d.reason = fmt::format("{}; restart budget exhausted ({} restarts in {})", what_happened(in),
                           used, format_duration(p.budget.window));
    return d;
  }
  const int attempts = stable ? 0 : h.attempts;
  d.action = RestartAction::kRestart;
  d.delay = p.backoff.delay(attempts + 1, rng.unit());  // attempts restarts since it last ran stable
  d.budget_left = p.budget.max - used - 1;
  d.reason = fmt::format("{}; restarting in {}", what_happened(in), readable(d.delay));
  return d;
}

void record_restart(const RestartPolicy& p, RestartHistory& h, const RestartInput& in) {
  if (ran_stable(p, in)) h.attempts = 0;  // the backoff starts over; the window stays (SPEC §4)
  ++h.attempts;
  h.restarts.push_back(in.now);
  while (!h.restarts.empty() && in.now - h.restarts.front() >= p.budget.window) {
    h.restarts.pop_front();
  }
}

}  // namespace hale
