// One service's life on the loop (see service_runner.h).
#include "hale/supervise/service_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "hale/health/engine.h"
#include "hale/log/json_log.h"
#include "hale/proc/child_registry.h"
#include "hale/supervise/containment.h"
#include "hale/supervise/guardian.h"
#include "hale/supervise/notify_socket.h"
#include "hale/supervise/rotating_log.h"
#include "hale/supervise/service_process.h"
#include "hale/time/timer.h"

extern char** environ;

namespace hale {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// hale's environment minus what belongs to hale's own supervisor (systemd: the notify socket,
// the watchdog, socket activation, hale's own INVOCATION_ID) and minus every
// variable that holds one of hale's secrets (HALE_TOKEN must not reach every service), plus
// the service's `env` (which wins, so a service may still be given a secret explicitly).
std::vector<std::string> child_environment(const ServiceSpec& spec, const std::vector<std::string>& secrets) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("NOTIFY_SOCKET=") || kv.starts_with("WATCHDOG_USEC=") ||
        kv.starts_with("WATCHDOG_PID=") || kv.starts_with("LISTEN_FDS=") || kv.starts_with("LISTEN_PID=") ||
        kv.starts_with("INVOCATION_ID=")) {
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

// The timers and sockets of a runner, kept out of the header (Asio stays in few files). The
// timers come from the host (time/timer.h): the loop's, or a test's FakeTimers.
struct ServiceRunner::Wiring {
  explicit Wiring(hale::Timers& timers) : restart(timers.make()), stop(timers.make()), watchdog(timers.make()) {}
  std::unique_ptr<Timer> restart;   // backoff, or the end of the stability period
  std::unique_ptr<Timer> stop;      // stop_timeout: then SIGKILL to the group
  std::unique_ptr<Timer> watchdog;  // WATCHDOG=1 expected before it fires
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
      if (end_leftovers) end_leftovers();
      ::waitpid(pid, nullptr, 0);
      forget_own_child(pid);
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
                            // moment to kill what it left running in its group. Then what left the
                            // group: its cgroup, or what carries the run's INVOCATION_ID.
                            ::kill(-self->pid, SIGKILL);
                            if (self->end_leftovers) self->end_leftovers();
                            info = {};
                            ::waitid(P_PID, static_cast<id_t>(self->pid), &info, WEXITED);
                            self->reaped = true;
                            forget_own_child(self->pid);
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
  std::function<void()> end_leftovers;  // SIGKILLs what the run left outside its group
  std::array<char, 16 * 1024> buffer{};
  bool reaped = false;
  bool log_error_said = false;
};

ServiceRunner::ServiceRunner(SupervisorHost& host, ServiceSpec spec, bool wanted)
    : host_(host),
      spec_(std::move(spec)),
      machine_(spec_.name, machine_spec(spec_), wanted, host.rng().next()),
      wiring_(std::make_unique<Wiring>(host.timers())) {}

ServiceRunner::~ServiceRunner() {
  wiring_->restart->cancel();
  wiring_->stop->cancel();
  wiring_->watchdog->cancel();
  // A Process still running is killed and reaped by its own destructor once its handlers go.
}

// ---- the machine ----

void ServiceRunner::feed(ServiceEvent e) {
  e.now = host_.clock().now();
  carry_out(machine_.handle(e));
}

// In this order: what stops, what is published, what is armed, then what starts (which feeds
// the machine again: the answer to a dependency look-up, a spawn).
void ServiceRunner::carry_out(ServiceActions a) {
  if (a.cancel_restart_timer) wiring_->restart->cancel();
  if (a.cancel_watchdog) wiring_->watchdog->cancel();
  if (a.send_stop_signal) send_stop_signal();
  for (ServiceTransition& t : a.transitions) publish(std::move(t));
  if (a.changed && a.transitions.empty()) host_.changed(nullptr);
  if (a.arm_restart_timer) arm_restart_timer(*a.arm_restart_timer);
  if (a.arm_watchdog) arm_watchdog();
  if (a.restart_checks) {
    // SPEC §4: a restarted service is never judged by its predecessor's failures.
    const std::string why = fmt::format("service {} started", spec_.name);
    if (!spec_.liveness.empty()) host_.engine().restart_check(spec_.liveness, why);
    if (!spec_.readiness.empty() && spec_.readiness != spec_.liveness) host_.engine().restart_check(spec_.readiness, why);
  }
  if (a.retired) {
    auto done = std::move(retired_);
    retired_ = nullptr;
    if (done) done();
  }
  if (a.check_dependencies) {
    put_spec_in_force();
    ServiceEvent answer{ServiceEvent::Kind::kDependencies};
    answer.met = host_.dependencies_met(spec_, answer.detail);
    feed(std::move(answer));
    return;  // the answer carried on (a spawn, if any, came from it)
  }
  if (a.spawn) spawn(*a.spawn);
}

// A spec a reload changed while the service ran comes into force at its next start.
void ServiceRunner::put_spec_in_force() {
  if (!next_spec_) return;
  spec_ = std::move(*next_spec_);
  next_spec_.reset();
  wiring_->log.reset();  // log_max_bytes / log_keep may have changed
  if (spec_.ready != ReadyMode::kNotify) wiring_->notify.reset();
  machine_.set_spec(machine_spec(spec_));
}

void ServiceRunner::publish(ServiceTransition t) {
  t.wall_at = host_.clock().wall_now();
  const ServiceState to = t.to;
  // Ready, unhealthy, ended or stopped: it has a verdict (starting and running wait for one).
  if (to != ServiceState::kStarting && to != ServiceState::kRunning) joining_ = false;
  const std::optional<ExitInfo>& last = machine_.last_exit();
  const bool bad = to == ServiceState::kFailed || to == ServiceState::kUnhealthy ||
                   (to == ServiceState::kExited && !(last && last->code == 0));
  nlohmann::json fields = {{"service", t.service}, {"from", to_string(t.from)}, {"to", to_string(to)},
                           {"reason", t.reason}, {"at", format_iso8601_ms(t.wall_at)},
                           {"wanted", machine_.wanted() ? "start" : "stop"}, {"restarts", machine_.restarts()},
                           {"budget_left", machine_.budget_left(t.at)}};
  if (pid_ > 0) fields["pid"] = pid_;
  log_event(bad ? LogLevel::kError : LogLevel::kInfo, "service_transition", std::move(fields));
  if (!is_legal_edge(t.from, to)) {
    log_event(LogLevel::kError, "service_illegal_transition",
              {{"service", t.service}, {"from", to_string(t.from)}, {"to", to_string(to)},
               {"message", "an edge the supervisor's state machine does not list: a bug in hale"}});
  }
  host_.changed(&t);
}

void ServiceRunner::begin() { feed({ServiceEvent::Kind::kBegin}); }

const std::string& ServiceRunner::live_invocation_id() const {
  static const std::string none;
  return pid_ > 0 ? invocation_id_ : none;
}

// ---- starting ----

void ServiceRunner::spawn(RunPhase phase) {
  watchdog_override_.reset();
  status_text_.clear();
  if (!wiring_->log) {
    wiring_->log = std::make_shared<RotatingLog>(host_.logs_dir() + "/" + spec_.name + ".log", spec_.log_max_bytes,
                                                 spec_.log_keep);
  }
  auto failed = [&](const std::string& why) {
    ServiceEvent e{ServiceEvent::Kind::kSpawnFailed};
    e.detail = why;
    feed(std::move(e));
  };
  ServiceLaunch launch;
  launch.argv = phase == RunPhase::kPreStart ? spec_.pre_start : spec_.command;
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
  // A run is pre_start and the command: one INVOCATION_ID for both (systemd's name for it),
  // inherited by everything the run starts, which is how its leftovers are found.
  if (phase == RunPhase::kPreStart || spec_.pre_start.empty()) {
    invocation_id_ = new_invocation_id(host_.rng().next(), host_.rng().next());
  }
  std::erase_if(launch.env, [](const std::string& kv) { return kv.starts_with("INVOCATION_ID="); });
  launch.env.push_back("INVOCATION_ID=" + invocation_id_);
  if (phase == RunPhase::kMain && spec_.ready == ReadyMode::kNotify) {
    if (!wiring_->notify) {
      auto sock = NotifySocket::open(host_.io(), spec_.name);
      if (!sock) return failed("cannot start: " + sock.status().message());
      wiring_->notify = std::move(sock).value();
    }
    launch.env.push_back("NOTIFY_SOCKET=" + wiring_->notify->address());
    if (spec_.watchdog) {
      launch.env.push_back("WATCHDOG_USEC=" + std::to_string(micros(*spec_.watchdog)));
      launch.add_watchdog_pid = true;
    }
  }
  cgroup_leaf_ = phase == RunPhase::kPreStart ? invocation_id_ + ".pre_start" : invocation_id_;
  if (Containment* c = host_.containment()) {  // last: nothing below can fail before the close
    auto fd = c->open_run_cgroup(spec_.name, cgroup_leaf_);
    if (!fd) return failed("cannot start: " + fd.status().message());
    launch.cgroup_fd = *fd;
  }
  started_wall_ = host_.clock().wall_now();
  auto spawned = spawn_service(launch);
  if (launch.cgroup_fd >= 0) ::close(launch.cgroup_fd);
  if (!spawned) return failed(spawned.status().message());
  on_spawned(spawned->pid, spawned->output_fd, spawned->pidfd);
}

void ServiceRunner::on_spawned(pid_t pid, int output_fd, int pidfd) {
  pid_ = pid;
  if (Status s = Guardian::instance().watch(pid, invocation_id_); !s) {
    log_event(LogLevel::kWarn, "guardian_unavailable", {{"service", spec_.name}, {"message", s.message()}});
  }
  process_ = std::make_shared<Process>(host_.io(), pid, output_fd, pidfd, wiring_->log);
  if (Containment* c = host_.containment()) {
    process_->end_leftovers = [c, name = spec_.name, leaf = cgroup_leaf_, id = invocation_id_] {
      c->kill_leftovers(name, leaf, id);
    };
  }
  process_->pump();
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  process_->watch_exit([weak, pid](int code, int sig) {
    auto self = weak.lock();
    if (self && self->pid_ == pid) self->on_exit(code, sig);
  });
  if (machine_.phase() == RunPhase::kMain && wiring_->notify) listen_notify(pid);
  ServiceEvent e{ServiceEvent::Kind::kSpawned};
  e.pid = pid;
  feed(std::move(e));
}

// sd_notify messages of run `pid`, as events.
void ServiceRunner::listen_notify(pid_t pid) {
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  wiring_->notify->listen(pid, [weak](const NotifyMessage& m) {
    auto self = weak.lock();
    if (!self) return;
    if (m.status) {
      self->status_text_ = *m.status;
      self->host_.changed(nullptr);
    }
    if (m.watchdog_interval && *m.watchdog_interval > Duration::zero()) {
      self->watchdog_override_ = *m.watchdog_interval;  // this run only: not a config change
    }
    if (m.ready) self->feed({ServiceEvent::Kind::kNotifyReady});
    if (m.watchdog) self->feed({ServiceEvent::Kind::kWatchdogPing});
    if (m.watchdog_trigger) {
      ServiceEvent e{ServiceEvent::Kind::kWatchdogMissed};
      e.detail = "WATCHDOG=trigger from the service";
      self->feed(std::move(e));
    }
  });
}

// ---- timers ----

void ServiceRunner::arm_watchdog() {
  const std::optional<Duration> every = watchdog();
  if (!every || pid_ <= 0) return;
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  wiring_->watchdog->start(*every, [weak, every] {
    auto self = weak.lock();
    if (!self) return;
    ServiceEvent e{ServiceEvent::Kind::kWatchdogMissed};
    e.detail = fmt::format("no WATCHDOG=1 for {}", format_duration(*every));
    self->feed(std::move(e));
  });
}

void ServiceRunner::arm_restart_timer(Duration delay) {
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  wiring_->restart->start(delay, [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->on_restart_timer();
  });
}

void ServiceRunner::on_restart_timer() {
  // Still failing? A reload may have replaced the liveness check while the stability period ran.
  if (machine_.liveness_failing() && !spec_.liveness.empty()) {
    const auto snap = host_.engine().snapshot();
    const CheckView* c = snap->find(spec_.liveness);
    if (!c || c->status != Health::kFail) {
      ServiceEvent e{ServiceEvent::Kind::kLivenessRecovered};
      e.detail = "liveness check " + spec_.liveness + " no longer fails";
      feed(std::move(e));
    }
  }
  feed({ServiceEvent::Kind::kRestartTimer});
}

// ---- stopping ----

void ServiceRunner::send_stop_signal() {
  if (pid_ <= 0) return;
  ::kill(-pid_, spec_.stop_signal);
  // Only if it left its group: a second SIGTERM/SIGINT means "quit now" to many runtimes.
  if (::getpgid(pid_) != pid_) ::kill(pid_, spec_.stop_signal);
  std::weak_ptr<ServiceRunner> weak = weak_from_this();
  wiring_->stop->start(spec_.stop_timeout, [weak, pid = pid_] {
    auto self = weak.lock();
    if (!self || self->pid_ != pid || self->machine_.state() != ServiceState::kStopping) return;
    log_event(LogLevel::kWarn, "service_stop_timeout",
              {{"service", self->spec_.name}, {"pid", pid},
               {"message", fmt::format("still running {} after {}; sending SIGKILL to its process group",
                                       signal_name(self->spec_.stop_signal), format_duration(self->spec_.stop_timeout))}});
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    if (self->process_ && self->process_->end_leftovers) self->process_->end_leftovers();
  });
}

void ServiceRunner::on_exit(int code, int sig) {
  ServiceEvent e{ServiceEvent::Kind::kExited};
  if (sig > 0) e.exit.signal = sig; else e.exit.code = code;
  e.exit.at = host_.clock().wall_now();
  const pid_t pid = pid_;
  pid_ = -1;
  process_.reset();
  wiring_->stop->cancel();
  if (wiring_->notify) wiring_->notify->pause();
  log_event(e.exit.code == 0 ? LogLevel::kInfo : LogLevel::kWarn, "service_exited",
            {{"service", spec_.name}, {"pid", pid}, {"exit", e.exit.describe()},
             {"phase", machine_.phase() == RunPhase::kPreStart ? "pre_start" : "main"}});
  feed(std::move(e));
}

// ---- operator calls and reloads ----

void ServiceRunner::operator_start() { feed({ServiceEvent::Kind::kOperatorStart}); }

void ServiceRunner::operator_stop() { feed({ServiceEvent::Kind::kOperatorStop}); }

void ServiceRunner::operator_restart() { feed({ServiceEvent::Kind::kOperatorRestart}); }

void ServiceRunner::replace_spec(ServiceSpec next) {
  if (machine_.alive()) {
    next_spec_ = std::move(next);  // in force at the next start
  } else {
    next_spec_.reset();
    spec_ = std::move(next);
    wiring_->log.reset();  // log size and keep may have changed
    if (spec_.ready != ReadyMode::kNotify) wiring_->notify.reset();
    machine_.set_spec(machine_spec(spec_));
  }
  feed({ServiceEvent::Kind::kSpecChanged});
}

void ServiceRunner::unretire(ServiceSpec next) {
  retired_ = nullptr;
  if (!machine_.alive()) return replace_spec(std::move(next));
  next_spec_ = std::move(next);
  feed({ServiceEvent::Kind::kAddedBack});
}

void ServiceRunner::retire(std::function<void()> done, bool shutting_down) {
  retired_ = std::move(done);
  ServiceEvent e{ServiceEvent::Kind::kRetire};
  e.shutting_down = shutting_down;
  feed(std::move(e));
}

void ServiceRunner::on_check(const Transition& t) {
  if (t.check == spec_.readiness) {
    ServiceEvent e{ServiceEvent::Kind::kReadiness};
    e.health = t.to;
    feed(std::move(e));
  }
  if (t.check == spec_.liveness) {
    ServiceEvent e{t.to == Health::kFail ? ServiceEvent::Kind::kLivenessFailed : ServiceEvent::Kind::kLivenessRecovered};
    e.detail = t.to == Health::kFail ? t.check + ": " + t.reason : "liveness check " + t.check + " recovered";
    feed(std::move(e));
  }
}

void ServiceRunner::dependencies_changed() { feed({ServiceEvent::Kind::kDependenciesChanged}); }

void ServiceRunner::requirements_changed() {
  ServiceEvent e{ServiceEvent::Kind::kRequirements};
  if (auto failing = host_.failing_requirement(spec_)) {
    e.health = Health::kFail;
    e.detail = std::move(*failing);
  }
  feed(std::move(e));
}

// ---- view ----

std::shared_ptr<const ServiceView> ServiceRunner::view() const {
  auto v = std::make_shared<ServiceView>();
  Clock& clock = host_.clock();
  v->name = spec_.name;
  v->state = machine_.state();
  v->reason = machine_.reason();
  v->wanted = machine_.wanted();
  if (pid_ > 0 && machine_.phase() == RunPhase::kMain) v->pid = pid_;
  v->restarts = machine_.restarts();
  v->restarts_by_reason = machine_.restarts_by_reason();
  v->last_exit = machine_.last_exit();
  if (machine_.next_restart_at()) v->next_restart_at = clock.to_wall(*machine_.next_restart_at());
  // Restarts that left the window give budget back even without a new decision.
  v->budget_left = machine_.budget_left(clock.now());
  v->since = clock.to_wall(machine_.since());
  v->started_at = started_wall_;
  // A service that is unready while a requirement fails weighs in /readyz like a critical check
  // unless its readiness check says otherwise.
  const bool unready_only = spec_.readiness.empty() && !spec_.require.empty() &&
                            spec_.on_require_fail == RequireFail::kUnready;
  v->critical = readiness_critical_ || unready_only;
  v->joining = joining_;
  v->liveness = spec_.liveness;
  v->readiness = spec_.readiness;
  v->guard_code = default_guard_code(spec_.name);
  v->require = spec_.require;
  v->on_require_fail = spec_.on_require_fail;
  v->held = machine_.held();
  v->status_text = status_text_;
  v->transitions_total = machine_.transitions_total();
  return v;
}

}  // namespace hale
