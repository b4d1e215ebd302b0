// ServiceMachine: one supervised service's life (SPEC §4) as a pure state machine, in the
// manner of supervisord's states.py and process.py transition(): an event goes in, the next state
// and the actions to carry out come out. No process, timer, socket, log or clock: every event
// carries its time. The ServiceRunner (service_runner.h) does the plumbing: it spawns, signals
// and reaps, arms the timers, and feeds back in what happened. What follows an exit or a health
// failure is decide_restart() (restart_policy.h).
//
// Every legal edge between two states is in kServiceEdges, once, with what takes it, and each
// place that takes one is labelled (`// Backoff -> Starting`). set_state() counts an edge that is
// not in the table (illegal_edges()); the unit tests drive the machine as scripts on simulated
// time and require that count to stay 0.
//
// Scenario: `api` has a liveness check that fails for good, restart_budget {max 2, window 1m} and
// stability_period 2s. Run 1 starts (Stopped -> Starting -> Running), its liveness check fails
// 0.3 s later: Running -> Unhealthy, no restart before the stability period has passed (a restart
// timer for 1.7 s). Then Unhealthy -> Stopping -> Backoff -> Starting: run 2, the same, and run 3
// the same until, at its health failure, 2 restarts lie inside the last minute: Unhealthy ->
// Stopping -> Failed, for good. None of its runs was stable (never up with liveness passing for
// 2 s), so its backoff was never reset either; and nothing but time gives budget back.
//
// Thread-safety: none; the runner uses it on the loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include "hale/random.h"
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/service_view.h"
#include "hale/supervise/restart_policy.h"

namespace hale {

// One legal edge of the machine: from, to, and what takes it.
struct ServiceEdge {
  ServiceState from;
  ServiceState to;
  const char* when;
};

// The legal edges, each once. A state never moves to itself (only its reason changes).
extern const std::vector<ServiceEdge> kServiceEdges;
bool is_legal_edge(ServiceState from, ServiceState to);

// What the machine needs of a service's spec.
struct ServiceMachineSpec {
  RestartPolicy policy;
  bool has_pre_start = false;
  ReadyMode ready = ReadyMode::kStarted;
  std::string liveness;   // check names, for reasons; empty = none
  std::string readiness;
  // SPEC §7: what a failing requirement does (nothing when there is none, or kIgnore).
  bool has_requirements = false;
  RequireFail on_require_fail = RequireFail::kStop;
};
ServiceMachineSpec machine_spec(const ServiceSpec& spec);

// Which process of a run is (to be) running: pre_start, then the command.
enum class RunPhase { kPreStart, kMain };

struct ServiceEvent {
  enum class Kind {
    kBegin,                // first sight: hale started, or a reload added it
    kOperatorStart,        // an operator's calls (`wanted` is already recorded)
    kOperatorStop,
    kOperatorRestart,
    kSpecChanged,          // a reload changed its spec (in force from the next start)
    kAddedBack,            // a reload added it back while the removed one was still stopping
    kRetire,               // a reload removed it, or hale is stopping (`shutting_down`)
    kDependencies,         // answers check_dependencies: `met`, or `detail` names what it waits for
    kDependenciesChanged,  // a service or check changed: a start waiting on depends_on may go
    kSpawned,              // the process of the current phase runs as `pid`
    kSpawnFailed,          // it could not be started: `detail` says why
    kExited,               // the process of the current phase ended: `exit`
    kNotifyReady,          // READY=1 on the notify socket
    kWatchdogPing,         // WATCHDOG=1
    kWatchdogMissed,       // no WATCHDOG=1 in time, or WATCHDOG=trigger: `detail`
    kReadiness,            // its readiness check is now `health`
    kLivenessFailed,       // its liveness check turned fail: `detail`
    kLivenessRecovered,    // its liveness check is no longer fail: `detail`
    kRestartTimer,         // the restart timer fired (a backoff, or a stability-period wait, ended)
    kRequirements,         // its `require`d subjects: `health` kFail while one fails (`detail`
                           // "llama-guard fail"), anything else while none does
  };
  Kind kind = Kind::kBegin;
  SteadyTime now{};
  std::string detail;
  bool met = false;            // kDependencies
  bool shutting_down = false;  // kRetire
  int pid = -1;                // kSpawned
  ExitInfo exit;               // kExited
  Health health = Health::kUnknown;  // kReadiness, kRequirements
};

// What the runner must do after an event, in this order.
struct ServiceActions {
  bool cancel_restart_timer = false;
  bool cancel_watchdog = false;
  bool send_stop_signal = false;   // stop_signal to the run; SIGKILL to all of it after stop_timeout
  bool check_dependencies = false;  // a start: put a changed spec in force, answer with kDependencies
  std::optional<RunPhase> spawn;   // start this process of the run; answer kSpawned or kSpawnFailed
  bool restart_checks = false;     // the command started: liveness and readiness from unknown
  bool arm_watchdog = false;       // (re)arm the watchdog timer
  std::optional<Duration> arm_restart_timer;  // replaces any armed one; answer kRestartTimer
  bool retired = false;            // a retire is complete (nothing runs): call its `done`
  std::vector<ServiceTransition> transitions;  // in order; `wall_at` is the runner's to fill
  bool changed = false;            // the view changed (reason, counters), with or without a transition
};

class ServiceMachine {
 public:
  // `wanted`: the operator's intent as persisted (false: stopped by an operator, across restarts
  // of hale). `seed`: the backoff jitter's random source.
  ServiceMachine(std::string name, ServiceMachineSpec spec, bool wanted, std::uint64_t seed);

  // A spec in force from now on (at a start, or while nothing runs).
  void set_spec(ServiceMachineSpec spec) { spec_ = std::move(spec); }

  ServiceActions handle(const ServiceEvent& event);

  ServiceState state() const { return state_; }
  const std::string& reason() const { return reason_; }
  SteadyTime since() const { return since_; }
  bool wanted() const { return wanted_; }
  bool alive() const { return alive_; }
  RunPhase phase() const { return phase_; }
  bool waiting_for_dependencies() const { return waiting_deps_; }
  bool retiring() const { return sequel_ == Sequel::kRetire && alive_; }
  bool liveness_failing() const { return liveness_failing_; }
  bool ready_seen() const { return ready_seen_; }
  // "held: llama-guard fail" while a requirement holds it (SPEC §7); empty otherwise.
  const std::string& held() const { return held_; }
  std::uint64_t restarts() const { return restarts_; }
  const std::map<std::string, std::uint64_t>& restarts_by_reason() const { return restarts_by_reason_; }
  const std::optional<ExitInfo>& last_exit() const { return last_exit_; }
  const std::optional<SteadyTime>& next_restart_at() const { return next_restart_at_; }
  std::uint64_t transitions_total() const { return transitions_total_; }
  // Automatic restarts left inside the budget window at `now`; 0 once failed.
  int budget_left(SteadyTime now) const;
  // Edges taken that are not in kServiceEdges: a bug in the machine (tests require 0).
  std::uint64_t illegal_edges() const { return illegal_edges_; }

 private:
  // What to do once the running process has exited.
  enum class Sequel {
    kDecide,         // it ends on its own: ask decide_restart()
    kStop,           // an operator's stop: stay stopped
    kRestartNow,     // an operator's restart, a changed spec: start again at once
    kHealthRestart,  // a health restart: start again after restart_delay_
    kGiveUp,         // a health failure with no budget left: failed
    kRetire,         // removed by a reload, or hale is stopping
    kHold,           // a requirement fails (on_require_fail = "stop"): stopped until it is usable
  };

  void begin_start();
  void on_dependencies(bool met, const std::string& what);
  void on_spawned(int pid);
  void on_exited(const ExitInfo& exit);
  void after_exit(const ExitInfo& exit);
  void decide(StopCause cause, const std::string& what);
  void schedule_restart(Duration delay, const std::string& reason);
  void health_failure(StopCause cause, const std::string& what);
  void decide_health(StopCause cause);
  void health_recovered(const std::string& reason);
  void on_restart_timer();
  void on_requirements(bool failing, const std::string& detail);
  void stop(Sequel then, const std::string& reason);
  void refresh_up_state(const std::string& reason);
  void note_healthy_stretch();
  std::optional<StopCause> health_cause() const;
  RestartInput restart_input(StopCause cause, const std::string& what) const;
  void count_restart(StopCause cause);
  void set_state(ServiceState to, std::string reason);

  std::string name_;
  ServiceMachineSpec spec_;
  bool wanted_;
  Random rng_;

  ServiceState state_ = ServiceState::kStopped;
  std::string reason_;
  SteadyTime since_{};
  std::uint64_t transitions_total_ = 0;
  std::uint64_t illegal_edges_ = 0;

  // The run.
  bool alive_ = false;
  RunPhase phase_ = RunPhase::kMain;
  Sequel sequel_ = Sequel::kDecide;
  bool waiting_deps_ = false;
  SteadyTime last_start_{};        // when the command of this run started
  SteadyTime healthy_since_{};     // start of the current stretch without a health failure
  Duration healthy_for_{};         // the longest such stretch of this run that has ended
  bool ready_seen_ = true;         // READY=1 (or not needed)
  bool liveness_failing_ = false;
  bool watchdog_missed_ = false;
  Health readiness_ = Health::kUnknown;
  std::string health_detail_;      // what the current health failure is ("api-live: HTTP 500")
  std::string held_;               // "held: llama-guard fail" while a requirement fails

  // Restarts.
  RestartHistory history_;
  std::uint64_t restarts_ = 0;
  std::map<std::string, std::uint64_t> restarts_by_reason_;
  std::optional<ExitInfo> last_exit_;
  std::optional<SteadyTime> next_restart_at_;
  Duration restart_delay_{};

  // While handle() runs.
  SteadyTime now_{};
  ServiceActions* out_ = nullptr;
};

}  // namespace hale
