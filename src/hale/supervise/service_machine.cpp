// The supervisor's state machine (see service_machine.h): the table of edges, then one handler
// per event. Each set_state() call is labelled with the edges it may take.
#include "hale/supervise/service_machine.h"

#include <algorithm>

#include <fmt/format.h>

namespace hale {

namespace {

using S = ServiceState;

}  // namespace

const std::vector<ServiceEdge> kServiceEdges = {
    // Starting a run: every start goes through `starting` (depends_on, pre_start, the ready condition).
    {S::kStopped, S::kStarting, "wanted at hale's start, an operator's start, a reload, a requirement usable again"},
    {S::kExited, S::kStarting, "an operator's start or restart, a reload"},
    {S::kFailed, S::kStarting, "an operator's start or restart, a reload"},
    {S::kBackoff, S::kStarting, "the backoff delay is over"},
    {S::kStopping, S::kStarting, "the old run is gone: restart now (operator, reload, zero backoff)"},
    // While it runs: the ready condition and its health.
    {S::kStarting, S::kRunning, "the command runs (ready = started, or no readiness verdict yet)"},
    {S::kStarting, S::kReady, "READY=1, or its readiness check passes"},
    {S::kStarting, S::kUnhealthy, "its readiness or liveness check fails, or the watchdog is missed"},
    {S::kRunning, S::kReady, "its readiness check passes"},
    {S::kRunning, S::kUnhealthy, "its readiness or liveness check fails, or the watchdog is missed"},
    {S::kReady, S::kRunning, "its readiness check has no verdict any more (a reload replaced it); held (unready)"},
    {S::kReady, S::kUnhealthy, "its readiness or liveness check fails, or the watchdog is missed"},
    {S::kUnhealthy, S::kRunning, "healthy again, without a readiness verdict"},
    {S::kUnhealthy, S::kReady, "healthy and ready again"},
    {S::kUnhealthy, S::kStarting, "healthy again, waiting for a readiness verdict; or it ended: zero backoff"},
    // Stopping a run: an operator's stop or restart, a health restart, a reload, hale stopping.
    {S::kStarting, S::kStopping, "stop, restart, health restart, give-up, reload, hale stopping"},
    {S::kRunning, S::kStopping, "stop, restart, health restart, give-up, reload, hale stopping"},
    {S::kReady, S::kStopping, "stop, restart, health restart, give-up, reload, hale stopping"},
    {S::kUnhealthy, S::kStopping, "stop, restart, health restart, give-up, reload, hale stopping"},
    {S::kStopping, S::kStopped, "stopped: by an operator, a reload removed it, hale is stopping, held by a requirement"},
    {S::kStopping, S::kBackoff, "a health restart: the old run is gone, the backoff delay starts"},
    {S::kStopping, S::kFailed, "a health failure with no budget left: the run is gone"},
    // A run ended on its own (or could not start).
    {S::kStarting, S::kBackoff, "it could not start, or ended: restarting after the backoff"},
    {S::kRunning, S::kBackoff, "it ended: restarting after the backoff"},
    {S::kReady, S::kBackoff, "it ended: restarting after the backoff"},
    {S::kUnhealthy, S::kBackoff, "it ended: restarting after the backoff"},
    {S::kRunning, S::kStarting, "it ended: restarting at once (zero backoff); or no readiness verdict"},
    {S::kReady, S::kStarting, "it ended: restarting at once (zero backoff); or no readiness verdict"},
    {S::kStarting, S::kExited, "it could not start, or ended, and `restart` says not again"},
    {S::kRunning, S::kExited, "it ended, and `restart` says not again"},
    {S::kReady, S::kExited, "it ended, and `restart` says not again"},
    {S::kUnhealthy, S::kExited, "it ended, and `restart` says not again"},
    {S::kStarting, S::kFailed, "it could not start, or ended, with no budget left"},
    {S::kRunning, S::kFailed, "it ended with no budget left"},
    {S::kReady, S::kFailed, "it ended with no budget left"},
    {S::kUnhealthy, S::kFailed, "it ended with no budget left"},
    // Not running, and an operator (or hale stopping) says stop.
    {S::kStarting, S::kStopped, "an operator's stop while it waits for depends_on; held by a requirement; hale stopping"},
    {S::kBackoff, S::kStopped, "an operator's stop; held by a requirement; hale stopping"},
    {S::kExited, S::kStopped, "an operator's stop; hale stopping"},
    {S::kFailed, S::kStopped, "an operator's stop; hale stopping"},
};

bool is_legal_edge(ServiceState from, ServiceState to) {
  return std::any_of(kServiceEdges.begin(), kServiceEdges.end(),
                     [&](const ServiceEdge& e) { return e.from == from && e.to == to; });
}

ServiceMachineSpec machine_spec(const ServiceSpec& spec) {
  ServiceMachineSpec m;
  m.policy.mode = spec.restart;
  m.policy.backoff = spec.backoff;
  m.policy.budget = spec.restart_budget;
  m.policy.stability_period = spec.stability_period;
  m.has_pre_start = !spec.pre_start.empty();
  m.ready = spec.ready;
  m.liveness = spec.liveness;
  m.readiness = spec.readiness;
  m.has_requirements = !spec.require.empty();
  m.on_require_fail = spec.on_require_fail;
  return m;
}

ServiceMachine::ServiceMachine(std::string name, ServiceMachineSpec spec, bool wanted, std::uint64_t seed)
    : name_(std::move(name)), spec_(std::move(spec)), wanted_(wanted), rng_(seed) {}

int ServiceMachine::budget_left(SteadyTime now) const {
  if (state_ == S::kFailed) return 0;  // not restarted until an operator starts it
  const auto used = std::count_if(history_.restarts.begin(), history_.restarts.end(),
                                  [&](SteadyTime t) { return now - t < spec_.policy.budget.window; });
  return std::max(0, spec_.policy.budget.max - static_cast<int>(used));
}

ServiceActions ServiceMachine::handle(const ServiceEvent& e) {
  ServiceActions out;
  now_ = e.now;
  out_ = &out;
  using K = ServiceEvent::Kind;
  switch (e.kind) {
    case K::kBegin:
      if (wanted_) {
        begin_start();
      } else {
        // Stopped (stays): SPEC §4, nothing automatic starts what an operator stopped.
        set_state(S::kStopped, "stopped by an operator (kept across restarts of hale)");
      }
      break;
    case K::kOperatorStart:
      wanted_ = true;
      history_ = {};  // an operator's start gives a failed service a fresh budget
      out.changed = true;
      if (alive_) {
        // On its way down (an operator's stop, a health restart, a give-up): back at once.
        if (state_ == S::kStopping && sequel_ != Sequel::kRetire) sequel_ = Sequel::kRestartNow;
        break;
      }
      begin_start();
      break;
    case K::kOperatorStop:
      wanted_ = false;
      waiting_deps_ = false;
      next_restart_at_.reset();
      out.cancel_restart_timer = true;
      if (alive_) {
        stop(Sequel::kStop, "stop requested by an operator");
      } else {
        // Starting|Backoff|Exited|Failed -> Stopped
        set_state(S::kStopped, "stopped by an operator");
      }
      break;
    case K::kOperatorRestart:
      wanted_ = true;
      ++restarts_;
      ++restarts_by_reason_[std::string(kOperatorRestartLabel)];
      out.changed = true;
      if (alive_) {
        stop(Sequel::kRestartNow, "restart requested by an operator");
      } else {
        begin_start();
      }
      break;
    case K::kSpecChanged:
      history_ = {};
      out.changed = true;
      if (alive_) {
        if (sequel_ == Sequel::kDecide || sequel_ == Sequel::kHealthRestart) {
          stop(Sequel::kRestartNow, "configuration changed");
        }
      } else if (wanted_) {
        begin_start();
      }
      break;
    case K::kAddedBack:
      if (alive_) {
        sequel_ = wanted_ ? Sequel::kRestartNow : Sequel::kStop;
        reason_ = "added back to the configuration";
        out.changed = true;
      } else {
        history_ = {};
        if (wanted_) begin_start();
      }
      break;
    case K::kRetire:
      waiting_deps_ = false;
      next_restart_at_.reset();
      out.cancel_restart_timer = true;
      if (alive_) {
        stop(Sequel::kRetire, e.shutting_down ? "hale is stopping" : "removed from the configuration");
      } else {
        // Starting|Backoff|Exited|Failed -> Stopped
        if (e.shutting_down) set_state(S::kStopped, "hale is stopping");
        out.retired = true;
      }
      break;
    case K::kDependencies:
      on_dependencies(e.met, e.detail);
      break;
    case K::kDependenciesChanged:
      if (waiting_deps_ && wanted_ && !alive_) begin_start();
      break;
    case K::kSpawned:
      on_spawned(e.pid);
      break;
    case K::kSpawnFailed:
      decide(StopCause::kStartFailed, (phase_ == RunPhase::kPreStart ? "pre_start: " : "") + e.detail);
      break;
    case K::kExited:
      on_exited(e.exit);
      break;
    case K::kNotifyReady:
      if (!ready_seen_ && alive_) {
        ready_seen_ = true;
        out.arm_watchdog = true;
        refresh_up_state("READY=1");
      }
      break;
    case K::kWatchdogPing:
      if (ready_seen_ && alive_) {
        out.arm_watchdog = true;
        if (watchdog_missed_) {
          watchdog_missed_ = false;
          health_recovered("WATCHDOG=1 again");
        }
      }
      break;
    case K::kWatchdogMissed:
      health_failure(StopCause::kWatchdogMissed, e.detail);
      break;
    case K::kReadiness:
      readiness_ = e.health;
      refresh_up_state(fmt::format("readiness check {} is {}", spec_.readiness, to_string(e.health)));
      break;
    case K::kLivenessFailed:
      health_failure(StopCause::kLivenessFailed, e.detail);
      break;
    case K::kLivenessRecovered:
      if (liveness_failing_) {
        liveness_failing_ = false;
        health_recovered(e.detail);
      }
      break;
    case K::kRestartTimer:
      on_restart_timer();
      break;
    case K::kRequirements:
      on_requirements(e.health == Health::kFail, e.detail);
      break;
  }
  out_ = nullptr;
  return out;
}

// ---- starting ----

// Asks the runner to look at depends_on; the answer (kDependencies) goes on with the start.
void ServiceMachine::begin_start() {
  next_restart_at_.reset();
  out_->cancel_restart_timer = true;
  out_->check_dependencies = true;
}

void ServiceMachine::on_dependencies(bool met, const std::string& what) {
  if (alive_ || !wanted_) return;  // a stale answer: something else happened meanwhile
  // A spec put in force at this start may no longer hold the service (a reload took `require`
  // away, or made it "ignore").
  if (!spec_.has_requirements || spec_.on_require_fail == RequireFail::kIgnore) held_.clear();
  if (!met && !held_.empty()) {
    // An operator's start (or a reload) while a requirement fails: held, not waiting.
    waiting_deps_ = false;
    // Stopped|Exited|Failed|Backoff|Stopping -> Stopped
    return set_state(S::kStopped, held_);
  }
  if (!met) {
    waiting_deps_ = true;
    // Stopped|Exited|Failed|Backoff|Stopping -> Starting (or a new reason while it waits)
    return set_state(S::kStarting, "waiting for " + what);
  }
  waiting_deps_ = false;
  sequel_ = Sequel::kDecide;
  liveness_failing_ = false;
  watchdog_missed_ = false;
  readiness_ = Health::kUnknown;
  ready_seen_ = spec_.ready != ReadyMode::kNotify;
  phase_ = spec_.has_pre_start ? RunPhase::kPreStart : RunPhase::kMain;
  // Stopped|Exited|Failed|Backoff|Stopping -> Starting
  set_state(S::kStarting, phase_ == RunPhase::kPreStart ? "running pre_start" : "starting");
  out_->spawn = phase_;
}

void ServiceMachine::on_spawned(int pid) {
  alive_ = true;
  if (phase_ == RunPhase::kPreStart) return set_state(S::kStarting, fmt::format("running pre_start (pid {})", pid));
  last_start_ = now_;
  healthy_since_ = now_;
  healthy_for_ = Duration::zero();
  // What the readiness check said while pre_start ran was about the run before.
  readiness_ = Health::kUnknown;
  // SPEC §4: a restarted service is never judged by its predecessor's failures.
  out_->restart_checks = true;
  refresh_up_state(fmt::format("started (pid {})", pid));
}

// ---- while it runs ----

// Starting -> Running|Ready|Unhealthy, and between those, as the ready condition says.
void ServiceMachine::refresh_up_state(const std::string& reason) {
  if (!alive_ || phase_ != RunPhase::kMain || sequel_ != Sequel::kDecide) return;
  if (health_cause()) return;  // unhealthy until the check recovers or the restart happens
  if (!ready_seen_) return set_state(S::kStarting, "waiting for READY=1");
  // on_require_fail = "unready": it runs on, but is not ready while a requirement fails.
  if (!held_.empty() && spec_.on_require_fail == RequireFail::kUnready) return set_state(S::kRunning, held_);
  if (!spec_.readiness.empty()) {
    switch (readiness_) {
      case Health::kOk:
      case Health::kDegraded: return set_state(S::kReady, "readiness check " + spec_.readiness + " passes");
      case Health::kFail: return set_state(S::kUnhealthy, "readiness check " + spec_.readiness + " fails");
      case Health::kUnknown:
        if (spec_.ready == ReadyMode::kCheck) {
          return set_state(S::kStarting, "waiting for readiness check " + spec_.readiness);
        }
        return set_state(S::kRunning, reason);
    }
  }
  set_state(spec_.ready == ReadyMode::kNotify ? S::kReady : S::kRunning, reason);
}

std::optional<StopCause> ServiceMachine::health_cause() const {
  if (liveness_failing_) return StopCause::kLivenessFailed;
  if (watchdog_missed_) return StopCause::kWatchdogMissed;
  return std::nullopt;
}

// A healthy stretch ends now (a health failure, or the run's end): keep its length if it is
// the longest of the run. Only such a stretch makes a run stable (SPEC §4).
void ServiceMachine::note_healthy_stretch() {
  if (health_cause()) return;  // no stretch is running
  healthy_for_ = std::max(healthy_for_, now_ - healthy_since_);
}

RestartInput ServiceMachine::restart_input(StopCause cause, const std::string& what) const {
  RestartInput in;
  in.wanted = wanted_;
  in.cause = cause;
  in.now = now_;
  in.last_start = last_start_;
  in.healthy_for = healthy_for_;
  in.detail = what;
  return in;
}

void ServiceMachine::count_restart(StopCause cause) {
  ++restarts_;
  ++restarts_by_reason_[std::string(reason_label(cause))];
}

void ServiceMachine::health_failure(StopCause cause, const std::string& what) {
  if (!alive_ || phase_ != RunPhase::kMain || sequel_ != Sequel::kDecide) return;
  bool& failing = cause == StopCause::kLivenessFailed ? liveness_failing_ : watchdog_missed_;
  if (!failing) {
    note_healthy_stretch();
    failing = true;
    health_detail_ = what;
  }
  decide_health(cause);
}

void ServiceMachine::decide_health(StopCause cause) {
  const RestartInput in = restart_input(cause, health_detail_);
  const RestartDecision d = decide_restart(spec_.policy, history_, in, rng_);
  switch (d.action) {
    case RestartAction::kNotYet:
      // Starting|Running|Ready -> Unhealthy: SPEC §4, no health restart inside the stability
      // period; the restart timer looks again when it ends.
      set_state(S::kUnhealthy, d.reason);
      next_restart_at_ = now_ + d.delay;
      out_->arm_restart_timer = d.delay;
      out_->changed = true;
      return;
    case RestartAction::kRestart:
      record_restart(spec_.policy, history_, in);
      count_restart(cause);
      restart_delay_ = d.delay;
      return stop(Sequel::kHealthRestart, d.reason);
    case RestartAction::kGiveUp:
      return stop(Sequel::kGiveUp, d.reason);
    case RestartAction::kStay:
      // Starting|Running|Ready -> Unhealthy: restart = never (or not wanted).
      return set_state(S::kUnhealthy, d.reason);
  }
}

// One health cause went away: healthy again only when none is left.
void ServiceMachine::health_recovered(const std::string& reason) {
  if (health_cause()) return;
  healthy_since_ = now_;
  if (alive_ && sequel_ == Sequel::kDecide && next_restart_at_) {
    next_restart_at_.reset();
    out_->cancel_restart_timer = true;  // the stability-period wait is over: nothing to restart
  }
  refresh_up_state(reason);
}

void ServiceMachine::on_restart_timer() {
  next_restart_at_.reset();
  if (alive_) {
    // The stability period ended with the service still unhealthy: decide again.
    if (auto cause = health_cause(); cause && sequel_ == Sequel::kDecide) decide_health(*cause);
    return;
  }
  // Backoff -> Starting (or Starting after a zero backoff): the delay is over.
  if (wanted_ && sequel_ != Sequel::kRetire && (state_ == S::kBackoff || state_ == S::kStarting)) begin_start();
}

// ---- requirements (SPEC §7) ----

// A held service is neither an operator's stop (`wanted` is untouched) nor a spent restart (no
// budget is used, no restart counted): it stops while a requirement fails and starts again by
// itself once every requirement is usable (the start waits for that like a depends_on).
void ServiceMachine::on_requirements(bool failing, const std::string& detail) {
  const bool active = spec_.has_requirements && spec_.on_require_fail != RequireFail::kIgnore;
  if (failing && active) {
    if (std::string reason = "held: " + detail; reason != held_) {
      held_ = std::move(reason);
      out_->changed = true;
    }
    if (spec_.on_require_fail == RequireFail::kUnready) return refresh_up_state(held_);
    if (!wanted_) return;  // stopped by an operator: that stands, and says so
    if (alive_) {
      if (sequel_ == Sequel::kDecide || sequel_ == Sequel::kHealthRestart || sequel_ == Sequel::kRestartNow ||
          sequel_ == Sequel::kHold) {
        stop(Sequel::kHold, held_);
      }
      return;
    }
    if (state_ == S::kStarting || state_ == S::kBackoff || state_ == S::kStopped) {
      waiting_deps_ = false;
      next_restart_at_.reset();
      out_->cancel_restart_timer = true;
      // Starting|Backoff -> Stopped (or a new reason while held)
      set_state(S::kStopped, held_);
    }
    return;  // exited or failed: stays so; the requirement is not why
  }
  if (held_.empty()) return;
  held_.clear();
  out_->changed = true;
  if (spec_.on_require_fail == RequireFail::kUnready) return refresh_up_state("requirements usable again");
  if (!wanted_) return;
  if (alive_) {
    if (state_ == S::kStopping && sequel_ == Sequel::kHold) sequel_ = Sequel::kRestartNow;
    return;
  }
  if (state_ == S::kStopped) begin_start();  // Stopped -> Starting, once every requirement is usable
}

// ---- stopping ----

void ServiceMachine::stop(Sequel then, const std::string& reason) {
  // Removed by a reload or hale stopping: that ending stands (its `retired` is awaited), whatever
  // an operator asks meanwhile.
  if (sequel_ != Sequel::kRetire || !alive_) sequel_ = then;
  next_restart_at_.reset();
  out_->cancel_restart_timer = true;
  out_->cancel_watchdog = true;
  if (state_ == S::kStopping) {  // already on its way down: only the sequel changes
    reason_ = reason;
    out_->changed = true;
    return;
  }
  // Starting|Running|Ready|Unhealthy -> Stopping
  set_state(S::kStopping, reason);
  out_->send_stop_signal = true;
}

void ServiceMachine::on_exited(const ExitInfo& e) {
  alive_ = false;
  out_->cancel_watchdog = true;
  if (phase_ == RunPhase::kPreStart) {
    if (sequel_ == Sequel::kDecide && e.code == 0) {
      phase_ = RunPhase::kMain;
      out_->spawn = RunPhase::kMain;
      return;
    }
    if (sequel_ == Sequel::kDecide) return decide(StopCause::kStartFailed, "pre_start " + e.describe());
  } else {
    last_exit_ = e;
    note_healthy_stretch();
  }
  after_exit(e);
}

void ServiceMachine::after_exit(const ExitInfo& e) {
  switch (sequel_) {
    case Sequel::kDecide:
      return decide(e.code == 0 ? StopCause::kCleanExit : StopCause::kCrash, e.describe());
    case Sequel::kStop:
      // Stopping -> Stopped
      return set_state(S::kStopped, "stopped by an operator (" + e.describe() + ")");
    case Sequel::kRestartNow:
      return begin_start();  // Stopping -> Starting, once depends_on answers
    case Sequel::kHealthRestart:
      return schedule_restart(restart_delay_, reason_);  // Stopping -> Backoff|Starting
    case Sequel::kGiveUp:
      // Stopping -> Failed
      return set_state(S::kFailed, reason_);
    case Sequel::kHold:
      // Stopping -> Stopped: until every requirement is usable again
      return set_state(S::kStopped, held_.empty() ? reason_ : held_);
    case Sequel::kRetire:
      // Stopping -> Stopped
      set_state(S::kStopped, "stopped (" + e.describe() + ")");
      sequel_ = Sequel::kDecide;
      out_->retired = true;
      return;
  }
}

// ---- after an exit ----

void ServiceMachine::decide(StopCause cause, const std::string& what) {
  const RestartInput in = restart_input(cause, what);
  const RestartDecision d = decide_restart(spec_.policy, history_, in, rng_);
  switch (d.action) {
    case RestartAction::kRestart:
      record_restart(spec_.policy, history_, in);
      count_restart(cause);
      return schedule_restart(d.delay, d.reason);
    case RestartAction::kGiveUp:
      // Starting|Running|Ready|Unhealthy -> Failed
      return set_state(S::kFailed, d.reason);
    case RestartAction::kStay:
    case RestartAction::kNotYet:  // only health causes get it, and they come from health_failure
      // Starting|Running|Ready|Unhealthy -> Exited (or Stopped when not wanted)
      return set_state(wanted_ ? S::kExited : S::kStopped, d.reason);
  }
}

void ServiceMachine::schedule_restart(Duration delay, const std::string& reason) {
  // The timer fires even at zero delay: the start comes on the next turn of the loop, never
  // from inside the failure that led to it.
  out_->arm_restart_timer = std::max(delay, Duration::zero());
  if (delay <= Duration::zero()) {
    // Running|Ready|Unhealthy|Stopping -> Starting: every restart is a transition (an event).
    return set_state(S::kStarting, reason);
  }
  // Starting|Running|Ready|Unhealthy|Stopping -> Backoff
  set_state(S::kBackoff, reason);
  next_restart_at_ = now_ + delay;
}

// ---- state ----

void ServiceMachine::set_state(ServiceState to, std::string reason) {
  if (to == state_) {  // same state, new detail: no transition
    if (reason != reason_) {
      reason_ = std::move(reason);
      out_->changed = true;
    }
    return;
  }
  if (!is_legal_edge(state_, to)) ++illegal_edges_;
  ServiceTransition t;
  t.service = name_;
  t.from = state_;
  t.to = to;
  t.reason = reason;
  t.at = now_;
  state_ = to;
  reason_ = std::move(reason);
  since_ = now_;
  ++transitions_total_;
  if (to != S::kBackoff) next_restart_at_.reset();
  out_->transitions.push_back(std::move(t));
  out_->changed = true;
}

}  // namespace hale
