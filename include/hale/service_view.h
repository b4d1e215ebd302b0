// ServiceView: one supervised service as the endpoints, the API and the metrics show it
// (SPEC §4), built by the Supervisor on the loop and published whole, like a check's CheckView.
// Thread-safety: never modified after it is published.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"

namespace hale {

enum class ServiceState {
  kStopped,    // not running, and not wanted running (operator stop) or never started
  kStarting,   // pre_start, waiting for depends_on, or spawned and waiting for its ready condition
  kRunning,    // up (ready = "started"), nothing positively says it is ready
  kReady,      // up, and READY=1 or its readiness check says it is ready
  kUnhealthy,  // up, but its liveness or readiness check fails (a restart may be pending)
  kBackoff,    // ended, and will be started again at next_restart_at
  kStopping,   // stop_signal sent, waiting for the process group to exit
  kFailed,     // restart budget exhausted (or cannot start): no more automatic restarts
  kExited,     // ended and stays down per `restart` (a completed one-shot job, say)
};

inline constexpr ServiceState kAllServiceStates[] = {
    ServiceState::kStopped,   ServiceState::kStarting, ServiceState::kRunning,
    ServiceState::kReady,     ServiceState::kUnhealthy, ServiceState::kBackoff,
    ServiceState::kStopping,  ServiceState::kFailed,   ServiceState::kExited};

std::string_view to_string(ServiceState s);

// How a run ended: an exit code or a signal.
struct ExitInfo {
  std::optional<int> code;    // exited with this status
  std::optional<int> signal;  // killed by this signal
  WallTime at{};
  // "exit code 1", "killed by SIGKILL".
  std::string describe() const;
};

// "SIGTERM" for 15; "signal N" for one without a name.
std::string signal_name(int sig);

// A change of a service's state, the service twin of a check's Transition.
struct ServiceTransition {
  std::string service;
  ServiceState from = ServiceState::kStopped;
  ServiceState to = ServiceState::kStopped;
  std::string reason;
  SteadyTime at{};
  WallTime wall_at{};
  std::string drill;  // SPEC §7: the drill that caused it (a requirement or liveness check it forced)
};

struct ServiceView {
  std::string name;
  ServiceState state = ServiceState::kStopped;
  std::string reason;     // why it is in this state ("crashed: exit code 1; restarting in 2s")
  bool wanted = true;     // the operator's intent: start (true) or stop (false)
  std::optional<int> pid;
  std::uint64_t restarts = 0;  // automatic and operator restarts since hale started
  std::map<std::string, std::uint64_t> restarts_by_reason;  // "crash", "liveness", "operator", ...
  std::optional<ExitInfo> last_exit;
  std::optional<WallTime> next_restart_at;  // set in backoff (and while a health restart waits)
  int budget_left = 0;
  WallTime since{};                   // when the current state began
  std::optional<WallTime> started_at;  // when the current (or last) run started
  std::string liveness;               // check names, empty when none
  std::string readiness;
  std::string guard_code;  // /guard/NAME's 503 code: default_guard_code(name) (SPEC §7)
  // SPEC §7: the checks or heartbeats it must not run without, what it does while one fails,
  // and "held: llama-guard fail" while one does (empty otherwise).
  std::vector<std::string> require;
  RequireFail on_require_fail = RequireFail::kStop;
  std::string held;
  bool critical = false;  // its readiness check's `critical`: weighs in /readyz and /health
  // Added by a reload and without a verdict yet (starting or running, neither ready nor failed):
  // it does not hold /readyz at 503 (SPEC §2: a reload never flips an answer by itself), as for
  // a check a reload adds.
  bool joining = false;
  std::string status_text;  // the last sd_notify STATUS= (ready = "notify")
  std::uint64_t transitions_total = 0;

  // Whether it takes part in /readyz: it has a readiness check, or on_require_fail = "unready"
  // (out of /readyz while a requirement fails).
  bool in_readyz() const;
  // What the service means for /readyz: ok when `ready` (or running, when it has no readiness
  // check), unknown while starting, fail otherwise and while a requirement holds it.
  Health ready_health() const;
  // What it means for /health: ok when running as wanted (or stopped by an operator, or a
  // job that completed), unknown while starting, degraded while it is being healed
  // (unhealthy, backoff, stopping), fail when failed or exited with a failure.
  Health overall_health() const;
};

struct ServicesSnapshot {
  std::vector<std::shared_ptr<const ServiceView>> services;  // sorted by name
  // How the services' descendants are held so that none outlives its run (SPEC §4): "cgroup" or
  // "subreaper"; "" before any service ran.
  std::string containment;
  Health ready = Health::kOk;    // aggregate of ready_health() over services with readiness
  Health overall = Health::kOk;  // aggregate of overall_health()
  const ServiceView* find(std::string_view name) const;
};

// Fills `ready` and `overall` of a snapshot that is about to be published.
void finalize(ServicesSnapshot& snap);

}  // namespace hale
