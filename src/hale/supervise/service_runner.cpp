// One service's life on the loop (see service_runner.h).
#include "hale/supervise/service_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "hale/health/engine.h"
#include "hale/log/json_log.h"
#include "hale/supervise/guardian.h"
#include "hale/supervise/notify_socket.h"
#include "hale/supervise/rotating_log.h"
#include "hale/supervise/service_process.h"

extern char** environ;

namespace hale {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Restart reasons as /metrics labels them.
std::string_view reason_label(StopCause c) {
  switch (c) {
    case StopCause::kCleanExit: return "clean_exit";
    case StopCause::kCrash: return "crash";
    case StopCause::kStartFailed: return "start_failed";
    case StopCause::kLivenessFailed: return "liveness";
    case StopCause::kWatchdogMissed: return "watchdog";
  }
  return "crash";
}

// hale's environment minus what belongs to hale's own supervisor (systemd) and minus every
// variable that holds one of hale's secrets (HALE_TOKEN must not reach every service), plus
// the service's `env` (which wins, so a service may still be given a secret explicitly).
std::vector<std::string> child_environment(const ServiceSpec& spec, const std::vector<std::string>& secrets) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("NOTIFY_SOCKET=") || kv.starts_with("WATCHDOG_USEC=") ||
        kv.starts_with("WATCHDOG_PID=") || kv.starts_with("LISTEN_FDS=") || kv.starts_with("LISTEN_PID=")) {
      continue;
    }
    const auto eq = kv.find('=');
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    if (!value.empty() && std::find(secrets.begin(), secrets.end(), value) != secrets.end()) continue;
    bool overridden = false;
    for (const auto& [k, v] : spec.env) {
      if (kv.size() > k.size() && kv.substr(0, k.size()) == k && kv[k.size()] == '=') overridden = true;
    }
    if (!overridden) env.emplace_back(kv);
  }
  for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
  return env;
}

std::int64_t micros(Duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

}  // namespace

// The timers and sockets of a runner, kept out of the header (Asio stays in few files).
struct ServiceRunner::Timers {
  explicit Timers(asio::io_context& io) : restart(io), stop(io), watchdog(io) {}
  asio::steady_timer restart;   // backoff, or the end of the stability period
  asio::steady_timer stop;      // stop_timeout: then SIGKILL to the group
  asio::steady_timer watchdog;  // WATCHDOG=1 expected before it fires
  std::unique_ptr<NotifySocket> notify;
  std::shared_ptr<RotatingLog> log;
};

// One running process: its exit watch (pidfd) and its output pump. Lives until the exit is
// seen, even if the runner goes first.
struct ServiceRunner::Process : std::enable_shared_from_this<Process> {
  Process(asio::io_context& io, pid_t pid, int output_fd, int pidfd, std::shared_ptr<RotatingLog> log)
      : pid(pid), exit_watch(io, pidfd), output(io, output_fd), log(std::move(log)) {}

  ~Process() {
    if (!reaped) {  // last resort: the loop is going away with the child still running
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      Guardian::instance().forget(pid);
    }
  }

  void pump() {
    output.async_read_some(asio::buffer(buffer), [self = shared_from_this()](const error_code& ec, std::size_t n) {
      if (n > 0 && self->log) {
        if (Status s = self->log->write(std::string_view(self->buffer.data(), n)); !s && !self->log_error_said) {
          self->log_error_said = true;
          log_event(LogLevel::kError, "service_log_failed", {{"pid", self->pid}, {"message", s.message()}});
        }
      }
      if (ec) {  // EOF: the process and everything it started are gone (or closed their output)
        error_code ignored;
        self->output.close(ignored);
        return;
      }
      self->pump();
    });
  }

  // Calls `exited(code, signal)` once the process has exited and is reaped.
  void watch_exit(std::function<void(int, int)> exited) {
    exit_watch.async_wait(asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this(), exited = std::move(exited)](const error_code& ec) mutable {
                            if (ec == asio::error::operation_aborted) return;
                            siginfo_t info{};
                            if (!ec) {
                              // Peek first (WNOWAIT): a spurious wake-up must not kill a live child.
                              if (::waitid(P_PID, static_cast<id_t>(self->pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                                  info.si_pid == 0) {
                                self->watch_exit(std::move(exited));
                                return;
                              }
                            }
                            // A zombie now, so its pid (our pgid) cannot be reused yet: the last safe
                            // moment to kill what it left running in its group.
                            ::kill(-self->pid, SIGKILL);
                            info = {};
                            ::waitid(P_PID, static_cast<id_t>(self->pid), &info, WEXITED);
                            self->reaped = true;
                            Guardian::instance().forget(self->pid);
                            error_code ignored;
                            self->exit_watch.close(ignored);
                            const bool killed = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
                            exited(killed ? -1 : info.si_status, killed ? info.si_status : 0);
                          });
  }

  pid_t pid;
  asio::posix::stream_descriptor exit_watch;
  asio::posix::stream_descriptor output;
  std::shared_ptr<RotatingLog> log;
  std::array<char, 16 * 1024> buffer{};
  bool reaped = false;
  bool log_error_said = false;
};

ServiceRunner::ServiceRunner(SupervisorHost& host, ServiceSpec spec, bool wanted)
    : host_(host), spec_(std::move(spec)), wanted_(wanted), timers_(std::make_unique<Timers>(host.io())) {
  since_ = host_.clock().now();
  budget_left_ = spec_.restart_budget.max;
}

ServiceRunner::~ServiceRunner() {
  timers_->restart.cancel();
  timers_->stop.cancel();
  ++watchdog_gen_;
  timers_->watchdog.cancel();
  // A Process still running is killed and reaped by its own destructor once its handlers go.
}

RestartPolicy ServiceRunner::policy() const {
  RestartPolicy p;
  p.mode = spec_.restart;
  p.backoff = spec_.backoff;
  p.budget = spec_.restart_budget;
  p.stability_period = spec_.stability_period;
  return p;
}

void ServiceRunner::begin() {
  if (wanted_) {
    start_run();
  } else {
    set_state(ServiceState::kStopped, "stopped by an operator (kept across restarts of hale)");
  }
}

// ---- starting ----

void ServiceRunner::start_run() {
  cancel_restart_timer();
  if (next_spec_) {
    spec_ = std::move(*next_spec_);
    next_spec_.reset();
    timers_->log.reset();  // log_max_bytes / log_keep may have changed
    if (spec_.ready != ReadyMode::kNotify) timers_->notify.reset();
  }
  std::string waiting;
  if (!host_.dependencies_met(spec_, waiting)) {
    waiting_deps_ = true;
    set_state(ServiceState::kStarting, "waiting for " + waiting);
    return;
  }
  waiting_deps_ = false;
  after_exit_ = AfterExit::kDecide;
  liveness_failing_ = false;
  watchdog_missed_ = false;
  watchdog_override_.reset();
  readiness_ = Health::kUnknown;
  ready_seen_ = spec_.ready != ReadyMode::kNotify;
  status_text_.clear();
  spawn(spec_.pre_start.empty() ? Phase::kMain : Phase::kPreStart);
}

void ServiceRunner::spawn(Phase phase) {
  phase_ = phase;
  // Any failure below goes through decide(); a zero-delay restart must not recurse.
  spawning_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{spawning_};
  if (!timers_->log) {
    timers_->log = std::make_shared<RotatingLog>(host_.logs_dir() + "/" + spec_.name + ".log", spec_.log_max_bytes,
                                                 spec_.log_keep);
  }
  ServiceLaunch launch;
  launch.argv = phase == Phase::kPreStart ? spec_.pre_start : spec_.command;
  launch.env = child_environment(spec_, host_.secrets());
  if (!spec_.user.empty()) {
    // spawn_service sets the target user's HOME, USER and LOGNAME; hale's must not shadow them
    // (getenv returns the first). An explicit `env` value still wins.
    std::erase_if(launch.env, [&](const std::string& kv) {
      for (std::string_view k : {"HOME=", "USER=", "LOGNAME="}) {
        if (kv.starts_with(k) && std::none_of(spec_.env.begin(), spec_.env.end(), [&](const auto& e) {
              return kv.compare(0, e.first.size() + 1, e.first + "=") == 0;
            })) {
          return true;
        }
      }
      return false;
    });
  }
  launch.cwd = spec_.cwd;
  launch.user = spec_.user;
  if (phase == Phase::kMain && spec_.ready == ReadyMode::kNotify) {
    if (!timers_->notify) {
      auto sock = NotifySocket::open(host_.io(), spec_.name);
      if (!sock) {
        decide(StopCause::kStartFailed, "cannot start: " + sock.status().message());
        return;
      }
      timers_->notify = std::move(sock).value();
    }
    launch.env.push_back("NOTIFY_SOCKET=" + timers_->notify->address());
    if (spec_.watchdog) {
      launch.env.push_back("WATCHDOG_USEC=" + std::to_string(micros(*spec_.watchdog)));
      launch.add_watchdog_pid = true;
    }
  }
  if (phase == Phase::kMain || phase == Phase::kPreStart) {
    last_start_ = host_.clock().now();
    started_wall_ = host_.clock().wall_now();
  }
  auto spawned = spawn_service(launch);
  if (!spawned) {
    const std::string what = phase == Phase::kPreStart ? "pre_start: " : "";
    decide(StopCause::kStartFailed, what + spawned.status().message());
    return;
  }
  on_spawned(spawned->pid, spawned->output_fd, spawned->pidfd);
}

void ServiceRunner::on_spawned(pid_t pid, int output_fd, int pidfd) {
  pid_ = pid;
  if (Status s = Guardian::instance().watch(pid); !s) {
    log_event(LogLevel::kWarn, "guardian_unavailable", {{"service", spec_.name}, {"message", s.message()}});
  }
  process_ = std::make_shared<Process>(host_.io(), pid, output_fd, pidfd, timers_->log);
  process_->pump();
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  process_->watch_exit([weak, pid](int code, int sig) {
    auto self = weak.lock();
    if (self && self->pid_ == pid) self->on_exit(code, sig);
  });
  if (phase_ == Phase::kPreStart) {
    set_state(ServiceState::kStarting, fmt::format("running pre_start (pid {})", pid));
    return;
  }
  // A restarted service is never judged by its predecessor's failures (SPEC §4).
  const std::string why = fmt::format("service {} started", spec_.name);
  if (!spec_.liveness.empty()) host_.engine().restart_check(spec_.liveness, why);
  if (!spec_.readiness.empty() && spec_.readiness != spec_.liveness) host_.engine().restart_check(spec_.readiness, why);
  if (timers_->notify) {
    timers_->notify->listen(pid, [weak](const NotifyMessage& m) {
      auto self = weak.lock();
      if (!self) return;
      if (m.status) {
        self->status_text_ = *m.status;
        self->host_.changed(nullptr);
      }
      if (m.watchdog_interval && *m.watchdog_interval > Duration::zero()) {
        self->watchdog_override_ = *m.watchdog_interval;  // this run only: not a config change
      }
      if (m.ready && !self->ready_seen_) self->on_notify_ready();
      if (m.watchdog && self->ready_seen_) {
        self->arm_watchdog();
        if (self->watchdog_missed_) {
          self->watchdog_missed_ = false;
          self->health_recovered("WATCHDOG=1 again");
        }
      }
      if (m.watchdog_trigger) self->health_failure(StopCause::kWatchdogMissed, "WATCHDOG=trigger from the service");
    });
  }
  refresh_up_state(fmt::format("started (pid {})", pid));
}

void ServiceRunner::on_notify_ready() {
  ready_seen_ = true;
  arm_watchdog();
  refresh_up_state("READY=1");
}

void ServiceRunner::arm_watchdog() {
  const std::optional<Duration> every = watchdog();
  if (!every || !alive()) return;
  timers_->watchdog.expires_after(*every);
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  timers_->watchdog.async_wait([weak, gen = ++watchdog_gen_, every](const error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->watchdog_gen_ != gen) return;
    self->health_failure(StopCause::kWatchdogMissed, fmt::format("no WATCHDOG=1 for {}", format_duration(*every)));
  });
}

std::optional<StopCause> ServiceRunner::health_cause() const {
  if (liveness_failing_) return StopCause::kLivenessFailed;
  if (watchdog_missed_) return StopCause::kWatchdogMissed;
  return std::nullopt;
}

// One health cause went away: healthy again only when none is left.
void ServiceRunner::health_recovered(const std::string& reason) {
  if (health_cause()) return;
  if (alive() && after_exit_ == AfterExit::kDecide) cancel_restart_timer();
  refresh_up_state(reason);
}

// ---- while it runs ----

void ServiceRunner::refresh_up_state(const std::string& reason) {
  if (!alive() || phase_ != Phase::kMain || after_exit_ != AfterExit::kDecide) return;
  if (health_cause()) return;  // unhealthy until the check recovers or the restart happens
  if (!ready_seen_) return set_state(ServiceState::kStarting, "waiting for READY=1");
  if (!spec_.readiness.empty()) {
    switch (readiness_) {
      case Health::kOk:
      case Health::kDegraded: return set_state(ServiceState::kReady, "readiness check " + spec_.readiness + " passes");
      case Health::kFail: return set_state(ServiceState::kUnhealthy, "readiness check " + spec_.readiness + " fails");
      case Health::kUnknown:
        if (spec_.ready == ReadyMode::kCheck) {
          return set_state(ServiceState::kStarting, "waiting for readiness check " + spec_.readiness);
        }
        return set_state(ServiceState::kRunning, reason);
    }
  }
  set_state(spec_.ready == ReadyMode::kNotify ? ServiceState::kReady : ServiceState::kRunning, reason);
}

void ServiceRunner::on_check(const Transition& t) {
  if (t.check == spec_.readiness) {
    readiness_ = t.to;
    refresh_up_state("readiness check " + t.check + " is " + std::string(to_string(t.to)));
  }
  if (t.check == spec_.liveness) {
    if (t.to == Health::kFail) {
      health_failure(StopCause::kLivenessFailed, t.check + ": " + t.reason);
    } else if (liveness_failing_) {
      liveness_failing_ = false;
      health_recovered("liveness check " + t.check + " recovered");
    }
  }
}

void ServiceRunner::health_failure(StopCause cause, const std::string& what) {
  if (!alive() || phase_ != Phase::kMain || after_exit_ != AfterExit::kDecide) return;
  (cause == StopCause::kLivenessFailed ? liveness_failing_ : watchdog_missed_) = true;
  const SteadyTime now = host_.clock().now();
  RestartInput in{wanted_, cause, now, last_start_, what};
  RestartDecision d = decide_restart(policy(), history_, in, host_.rng());
  budget_left_ = d.budget_left;
  switch (d.action) {
    case RestartAction::kNotYet: {
      // SPEC §4: no health restart inside the stability period; look again when it ends.
      set_state(ServiceState::kUnhealthy, d.reason);
      next_restart_at_ = now + d.delay;
      timers_->restart.expires_after(d.delay);
      std::weak_ptr<ServiceRunner> weak = weak_from_this();
      timers_->restart.async_wait([weak, gen = ++restart_gen_, what](const error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->restart_gen_ != gen) return;
        self->next_restart_at_.reset();
        // Still failing? A reload may have replaced the liveness check meanwhile.
        if (self->liveness_failing_ && !self->spec_.liveness.empty()) {
          const auto snap = self->host_.engine().snapshot();
          const CheckView* c = snap->find(self->spec_.liveness);
          if (!c || c->status != Health::kFail) {
            self->liveness_failing_ = false;
            return self->health_recovered("liveness check " + self->spec_.liveness + " no longer fails");
          }
        }
        if (auto cause = self->health_cause()) self->health_failure(*cause, what);
      });
      return;
    }
    case RestartAction::kRestart:
      record_restart(policy(), history_, in);
      ++restarts_;
      ++restarts_by_reason_[std::string(reason_label(cause))];
      restart_delay_ = d.delay;
      return stop_process(AfterExit::kHealthRestart, d.reason);
    case RestartAction::kGiveUp:
      return stop_process(AfterExit::kGiveUp, d.reason);
    case RestartAction::kStay:
      return set_state(ServiceState::kUnhealthy, d.reason);
  }
}

// ---- stopping ----

void ServiceRunner::stop_process(AfterExit then, const std::string& reason) {
  after_exit_ = then;
  cancel_restart_timer();
  ++watchdog_gen_;
  timers_->watchdog.cancel();
  if (state_ == ServiceState::kStopping) {  // already on its way down: only the sequel changes
    reason_ = reason;
    host_.changed(nullptr);
    return;
  }
  set_state(ServiceState::kStopping, reason);
  ::kill(-pid_, spec_.stop_signal);
  // Only if it left its group: a second SIGTERM/SIGINT means "quit now" to many runtimes.
  if (::getpgid(pid_) != pid_) ::kill(pid_, spec_.stop_signal);
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  timers_->stop.expires_after(spec_.stop_timeout);
  timers_->stop.async_wait([weak, pid = pid_](const error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->pid_ != pid || self->state_ != ServiceState::kStopping) return;
    log_event(LogLevel::kWarn, "service_stop_timeout",
              {{"service", self->spec_.name}, {"pid", pid},
               {"message", fmt::format("still running {} after {}; sending SIGKILL to its process group",
                                       signal_name(self->spec_.stop_signal), format_duration(self->spec_.stop_timeout))}});
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  });
}

void ServiceRunner::on_exit(int code, int sig) {
  ExitInfo e;
  if (sig > 0) e.signal = sig; else e.code = code;
  e.at = host_.clock().wall_now();
  const pid_t pid = pid_;
  pid_ = -1;
  process_.reset();
  timers_->stop.cancel();
  ++watchdog_gen_;
  timers_->watchdog.cancel();
  if (timers_->notify) timers_->notify->pause();
  log_event(e.code == 0 ? LogLevel::kInfo : LogLevel::kWarn, "service_exited",
            {{"service", spec_.name}, {"pid", pid}, {"exit", e.describe()},
             {"phase", phase_ == Phase::kPreStart ? "pre_start" : "main"}});
  if (phase_ == Phase::kPreStart) {
    if (after_exit_ == AfterExit::kDecide && e.code == 0) return spawn(Phase::kMain);
    if (after_exit_ == AfterExit::kDecide) return decide(StopCause::kStartFailed, "pre_start " + e.describe());
  } else {
    last_exit_ = e;
  }
  after_exit(e);
}

void ServiceRunner::after_exit(const ExitInfo& e) {
  switch (after_exit_) {
    case AfterExit::kDecide:
      return decide(e.code == 0 ? StopCause::kCleanExit : StopCause::kCrash, e.describe());
    case AfterExit::kStop:
      return set_state(ServiceState::kStopped, "stopped by an operator (" + e.describe() + ")");
    case AfterExit::kRestartNow:
      return start_run();
    case AfterExit::kHealthRestart:
      return schedule_start(restart_delay_, reason_);
    case AfterExit::kGiveUp:
      return set_state(ServiceState::kFailed, reason_);
    case AfterExit::kRetire: {
      set_state(ServiceState::kStopped, "stopped (" + e.describe() + ")");
      auto done = std::move(retired_);
      retired_ = nullptr;
      if (done) done();
      return;
    }
  }
}

// ---- after an exit ----

void ServiceRunner::decide(StopCause cause, const std::string& what) {
  const SteadyTime now = host_.clock().now();
  RestartInput in{wanted_, cause, now, last_start_, what};
  RestartDecision d = decide_restart(policy(), history_, in, host_.rng());
  budget_left_ = d.budget_left;
  const std::string& reason = d.reason;
  switch (d.action) {
    case RestartAction::kRestart:
      record_restart(policy(), history_, in);
      ++restarts_;
      ++restarts_by_reason_[std::string(reason_label(cause))];
      return schedule_start(d.delay, reason);
    case RestartAction::kGiveUp:
      return set_state(ServiceState::kFailed, reason);
    case RestartAction::kStay:
    case RestartAction::kNotYet:  // only health causes get it, and they come from health_failure
      return set_state(wanted_ ? ServiceState::kExited : ServiceState::kStopped, reason);
  }
}

void ServiceRunner::schedule_start(Duration delay, const std::string& reason) {
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  if (delay <= Duration::zero()) {
    // Through `starting`, so that every restart is a transition (an event), even at zero delay.
    set_state(ServiceState::kStarting, reason);
    if (!spawning_) return start_run();
    // A start that failed inside spawn(): go round the loop instead of recursing.
    asio::post(host_.io(), [weak, gen = ++restart_gen_] {
      auto self = weak.lock();
      if (self && self->restart_gen_ == gen && !self->alive() && self->wanted_ && !self->retiring() &&
          self->state_ == ServiceState::kStarting) {
        self->start_run();
      }
    });
    return;
  }
  next_restart_at_ = host_.clock().now() + delay;
  set_state(ServiceState::kBackoff, reason);
  timers_->restart.expires_after(delay);
  timers_->restart.async_wait([weak, gen = ++restart_gen_](const error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->restart_gen_ != gen || self->alive() || !self->wanted_ || self->retiring()) return;
    self->start_run();
  });
}

void ServiceRunner::cancel_restart_timer() {
  ++restart_gen_;
  timers_->restart.cancel();
  next_restart_at_.reset();
}

// ---- operator calls and reloads ----

void ServiceRunner::operator_start() {
  wanted_ = true;
  history_ = {};  // an operator's start gives a failed service a fresh budget
  budget_left_ = spec_.restart_budget.max;
  if (alive()) {
    // On its way down (an operator stop, a health restart, a give-up): come back at once.
    if (state_ == ServiceState::kStopping && after_exit_ != AfterExit::kRetire) after_exit_ = AfterExit::kRestartNow;
    return;
  }
  start_run();
}

void ServiceRunner::operator_stop() {
  wanted_ = false;
  cancel_restart_timer();
  waiting_deps_ = false;
  if (alive()) return stop_process(AfterExit::kStop, "stop requested by an operator");
  set_state(ServiceState::kStopped, "stopped by an operator");
}

void ServiceRunner::operator_restart() {
  wanted_ = true;
  ++restarts_;
  ++restarts_by_reason_["operator"];
  if (alive()) return stop_process(AfterExit::kRestartNow, "restart requested by an operator");
  start_run();
}

void ServiceRunner::replace_spec(ServiceSpec next) {
  history_ = {};
  budget_left_ = next.restart_budget.max;
  if (alive()) {
    next_spec_ = std::move(next);
    if (after_exit_ == AfterExit::kDecide || after_exit_ == AfterExit::kHealthRestart) {
      stop_process(AfterExit::kRestartNow, "configuration changed");
    }
    return;
  }
  spec_ = std::move(next);
  timers_->log.reset();  // log size and keep may have changed
  if (spec_.ready != ReadyMode::kNotify) timers_->notify.reset();
  if (wanted_) start_run();
}

void ServiceRunner::unretire(ServiceSpec next) {
  retired_ = nullptr;
  if (alive()) {
    next_spec_ = std::move(next);
    after_exit_ = wanted_ ? AfterExit::kRestartNow : AfterExit::kStop;
    reason_ = "added back to the configuration";
    host_.changed(nullptr);
    return;
  }
  replace_spec(std::move(next));
}

void ServiceRunner::retire(std::function<void()> done, bool shutting_down) {
  cancel_restart_timer();
  waiting_deps_ = false;
  if (!alive()) {
    if (shutting_down) set_state(ServiceState::kStopped, "hale is stopping");
    if (done) done();
    return;
  }
  retired_ = std::move(done);
  stop_process(AfterExit::kRetire, shutting_down ? "hale is stopping" : "removed from the configuration");
}

void ServiceRunner::dependencies_changed() {
  if (waiting_deps_ && wanted_ && !alive()) start_run();
}

// ---- state and view ----

void ServiceRunner::set_state(ServiceState to, std::string reason) {
  if (to == state_ && reason == reason_) return;
  if (to == state_) {  // same state, new detail: no transition
    reason_ = std::move(reason);
    host_.changed(nullptr);
    return;
  }
  ServiceTransition t;
  t.service = spec_.name;
  t.from = state_;
  t.to = to;
  t.reason = reason;
  t.at = host_.clock().now();
  t.wall_at = host_.clock().wall_now();
  state_ = to;
  reason_ = std::move(reason);
  since_ = t.at;
  ++transitions_total_;
  if (to != ServiceState::kBackoff) next_restart_at_.reset();
  const bool bad = to == ServiceState::kFailed || to == ServiceState::kUnhealthy ||
                   (to == ServiceState::kExited && !(last_exit_ && last_exit_->code == 0));
  nlohmann::json fields = {{"service", t.service}, {"from", to_string(t.from)}, {"to", to_string(t.to)},
                           {"reason", t.reason}, {"at", format_iso8601_ms(t.wall_at)},
                           {"wanted", wanted_ ? "start" : "stop"}, {"restarts", restarts_},
                           {"budget_left", budget_left_}};
  if (pid_ > 0) fields["pid"] = pid_;
  log_event(bad ? LogLevel::kError : LogLevel::kInfo, "service_transition", std::move(fields));
  host_.changed(&t);
}

std::shared_ptr<const ServiceView> ServiceRunner::view() const {
  auto v = std::make_shared<ServiceView>();
  Clock& clock = host_.clock();
  v->name = spec_.name;
  v->state = state_;
  v->reason = reason_;
  v->wanted = wanted_;
  if (pid_ > 0 && phase_ == Phase::kMain) v->pid = pid_;
  v->restarts = restarts_;
  v->restarts_by_reason = restarts_by_reason_;
  v->last_exit = last_exit_;
  if (next_restart_at_) v->next_restart_at = clock.to_wall(*next_restart_at_);
  // Restarts that left the window give budget back even without a new decision.
  const SteadyTime now = clock.now();
  const auto in_window = std::count_if(history_.restarts.begin(), history_.restarts.end(), [&](SteadyTime t) {
    return now - t < spec_.restart_budget.window;
  });
  // A failed service stays at 0: it is not restarted until an operator starts it.
  v->budget_left = state_ == ServiceState::kFailed
                       ? 0
                       : std::max(0, spec_.restart_budget.max - static_cast<int>(in_window));
  v->since = clock.to_wall(since_);
  v->started_at = started_wall_;
  v->critical = readiness_critical_;
  v->liveness = spec_.liveness;
  v->readiness = spec_.readiness;
  v->status_text = status_text_;
  v->transitions_total = transitions_total_;
  return v;
}

}  // namespace hale
