// The supervisor's restart decision (SPEC §4) as one small pure function of the service's
// policy and what just happened, on injected time: no processes, no timers, no I/O.
//
// Scenario it exists for: `api` crashes 30 s after a start, with restart_budget {max 5, window
// 10m} and backoff {base 1s, multiplier 2}. It is restarted after 1 s, crashes again, after
// 2 s, 4 s ... The sixth restart inside ten minutes finds no budget left: the service stays
// `failed` and says so. The budget is a sliding window that only time gives back (systemd's
// StartLimitBurst in StartLimitIntervalSec): had a run stayed up and healthy past
// stability_period, only its backoff would have started over, never the budget. And nothing
// ever restarts a service an operator stopped.
#pragma once

#include <array>

#include <deque>
#include <optional>
#include <string>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/random.h"

namespace hale {

// Why the service is no longer running (or no longer wanted running).
enum class StopCause {
  kCleanExit,       // exit status 0
  kCrash,           // non-zero exit, or killed by a signal hale did not send
  kStartFailed,     // could not start (exec failed, pre_start failed)
  kLivenessFailed,  // its liveness check turned `fail`
  kWatchdogMissed,  // ready = "notify" with watchdog: no WATCHDOG=1 in time
};

// One row per cause, the one list of them: its `reason` label of hale_service_restarts_total and
// its words in reasons and log lines. (An operator's restart is the label "operator", no cause.)
struct StopCauseWords {
  StopCause cause;
  std::string_view label;
  std::string_view text;
};
inline constexpr std::array<StopCauseWords, 5> kStopCauses{{
    {StopCause::kCrash, "crash", "crashed"},
    {StopCause::kCleanExit, "clean_exit", "exited cleanly"},
    {StopCause::kStartFailed, "start_failed", "failed to start"},
    {StopCause::kLivenessFailed, "liveness", "liveness check failed"},
    {StopCause::kWatchdogMissed, "watchdog", "watchdog missed"},
}};
inline constexpr std::string_view kOperatorRestartLabel = "operator";

// Restart reasons as /metrics labels them: "crash", "liveness", ...
std::string_view reason_label(StopCause c);

// RestartMode, ServiceBackoff and RestartBudget are config values (hale/config.h).
struct RestartPolicy {
  RestartMode mode = RestartMode::kOnFailure;
  ServiceBackoff backoff;
  RestartBudget budget;
  Duration stability_period = std::chrono::seconds(60);
};

// The service's restart history, kept by the supervisor and updated with record_restart().
struct RestartHistory {
  std::deque<SteadyTime> restarts;  // automatic restarts inside the budget window, oldest first
  int attempts = 0;                 // restarts since the service last ran stable (backoff exponent)
};

struct RestartInput {
  bool wanted = true;  // the operator's intent (persisted): false = stopped by an operator
  StopCause cause = StopCause::kCrash;
  SteadyTime now{};
  SteadyTime last_start{};  // when the run that just ended (or is unhealthy) started
  // The longest stretch of that run that was up with its liveness check (and watchdog) not
  // failing. At stability_period or more the run was stable: its backoff starts over.
  Duration healthy_for{};
  std::string detail;       // for the reason: "exit code 3", "liveness check api-live failed: ..."
};

enum class RestartAction {
  kRestart,      // start again after `delay`
  kStay,         // leave it as it is: exited (per `restart`), or stopped by the operator
  kNotYet,       // a health failure inside stability_period: no restart yet, look again later
  kGiveUp,       // restart budget exhausted: state `failed`, no more automatic restarts
};

struct RestartDecision {
  RestartAction action = RestartAction::kStay;
  Duration delay{};           // kRestart: the backoff delay; kNotYet: when to look again
  std::string reason;         // for the log line and the service's state
  int budget_left = 0;        // restarts left in the window after this decision
};

// True when the run `in` describes was stable (SPEC §4): it stayed up with its liveness check not
// failing for stability_period in one stretch. A start that failed never ran, and a run ended
// by a health restart (liveness, watchdog) is never stable.
bool ran_stable(const RestartPolicy& policy, const RestartInput& in);

// Decides what follows `in` under `policy`. Pure: `history` is read, not changed.
RestartDecision decide_restart(const RestartPolicy& policy, const RestartHistory& history,
                               const RestartInput& in, Random& rng);

// Records that a restart decided by decide_restart() happened at `now` (and forgets restarts
// that left the window). A stable run (see RestartInput::healthy_for) resets attempts first;
// the restarts inside the window stay: only time gives budget back.
void record_restart(const RestartPolicy& policy, RestartHistory& history, const RestartInput& in);


std::string_view to_string(StopCause c);

}  // namespace hale
