// ServiceRunner: one supervised service's life on the loop: its process (pre_start, then the
// command), its output, its notify socket and watchdog, its state and restart history. The
// Supervisor owns the runners and decides nothing per service; the runner asks
// decide_restart() what follows an exit or a health failure and carries it out.
// Thread-safety: loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/service_view.h"
#include "hale/supervise/restart_policy.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class Engine;

// What a runner needs from the supervisor around it.
class SupervisorHost {
 public:
  virtual ~SupervisorHost() = default;
  virtual boost::asio::io_context& io() = 0;
  virtual Clock& clock() = 0;
  virtual Engine& engine() = 0;
  virtual std::mt19937_64& rng() = 0;
  virtual const std::string& logs_dir() = 0;
  // Secret values of the config (admin token, env:/file: values): an inherited environment
  // variable holding one is not passed on to services.
  virtual const std::vector<std::string>& secrets() = 0;
  // Whether `spec`'s depends_on hold now; when not, `waiting` says for what.
  virtual bool dependencies_met(const ServiceSpec& spec, std::string& waiting) = 0;
  // The runner's view changed; `t` is set when its state did.
  virtual void changed(const ServiceTransition* t) = 0;
};

class ServiceRunner : public std::enable_shared_from_this<ServiceRunner> {
 public:
  ServiceRunner(SupervisorHost& host, ServiceSpec spec, bool wanted);
  ~ServiceRunner();  // SIGKILLs and reaps a process still running (last resort)
  ServiceRunner(const ServiceRunner&) = delete;
  ServiceRunner& operator=(const ServiceRunner&) = delete;

  const ServiceSpec& spec() const { return spec_; }
  ServiceState state() const { return state_; }
  bool wanted() const { return wanted_; }
  bool alive() const { return pid_ > 0; }
  std::optional<ExitInfo> last_exit() const { return last_exit_; }
  bool waiting_for_dependencies() const { return waiting_deps_; }

  // First sight (hale started, or a reload added it): starts it when wanted.
  void begin();

  // Operator calls; the Supervisor has already recorded `wanted`.
  void operator_start();
  void operator_stop();
  void operator_restart();

  // A reload changed its spec: restart with the new one (if running or meant to run).
  void replace_spec(ServiceSpec next);
  // A reload brought back a service that a previous reload removed and that is still
  // stopping: keep this runner (never two processes for one name) with `next`.
  void unretire(ServiceSpec next);
  bool retiring() const { return static_cast<bool>(retired_); }
  // A reload removed it, or hale is stopping: stop the process (wanted untouched) and call
  // `done` once nothing runs any more.
  void retire(std::function<void()> done, bool shutting_down);

  // A check transition: liveness / readiness bookkeeping.
  void on_check(const Transition& t);
  // Some service or check changed: a start waiting on depends_on may go ahead.
  void dependencies_changed();

  std::shared_ptr<const ServiceView> view() const;
  // Its readiness check's `critical` (how much the service weighs in /readyz and /health).
  void set_readiness_critical(bool critical) { readiness_critical_ = critical; }

  struct Process;  // the running pid's descriptors and watchers

 private:
  enum class Phase { kPreStart, kMain };
  // What to do once the running process has exited.
  enum class AfterExit {
    kDecide,         // it ended on its own: ask decide_restart()
    kStop,           // an operator stop: stay stopped
    kRestartNow,     // an operator restart or a changed spec: start again at once
    kHealthRestart,  // a health restart: start again after restart_delay_
    kGiveUp,         // a health failure with no budget left: failed
    kRetire,         // removed by a reload, or hale is stopping
  };

  RestartPolicy policy() const;
  void start_run();
  void spawn(Phase phase);
  void on_spawned(pid_t pid, int output_fd, int pidfd);
  void on_exit(int code, int signal);
  void after_exit(const ExitInfo& e);
  void decide(StopCause cause, const std::string& what);
  void schedule_start(Duration delay, const std::string& reason);
  void health_failure(StopCause cause, const std::string& what);
  void stop_process(AfterExit then, const std::string& reason);
  void on_notify_ready();
  void arm_watchdog();
  void refresh_up_state(const std::string& reason);
  void set_state(ServiceState to, std::string reason);
  void cancel_restart_timer();
  std::optional<StopCause> health_cause() const;
  void health_recovered(const std::string& reason);
  std::optional<Duration> watchdog() const { return watchdog_override_ ? watchdog_override_ : spec_.watchdog; }

  SupervisorHost& host_;
  ServiceSpec spec_;
  std::optional<ServiceSpec> next_spec_;  // applied at the next start (a reload changed it)
  bool wanted_;

  ServiceState state_ = ServiceState::kStopped;
  std::string reason_;
  SteadyTime since_{};
  std::uint64_t transitions_total_ = 0;

  pid_t pid_ = -1;
  Phase phase_ = Phase::kMain;
  AfterExit after_exit_ = AfterExit::kDecide;
  std::shared_ptr<Process> process_;
  bool waiting_deps_ = false;
  bool spawning_ = false;  // inside spawn(): a failed start must not recurse into start_run()
  bool readiness_critical_ = false;

  RestartHistory history_;
  SteadyTime last_start_{};
  std::optional<WallTime> started_wall_;
  std::uint64_t restarts_ = 0;
  std::map<std::string, std::uint64_t> restarts_by_reason_;
  std::optional<ExitInfo> last_exit_;
  std::optional<SteadyTime> next_restart_at_;
  int budget_left_ = 0;
  Duration restart_delay_{};

  // Health, as the checks and the notify socket last said.
  bool ready_seen_ = false;      // READY=1 (or not needed)
  bool liveness_failing_ = false;  // its liveness check is `fail`
  bool watchdog_missed_ = false;   // no WATCHDOG=1 in time (or WATCHDOG=trigger)
  std::optional<Duration> watchdog_override_;  // WATCHDOG_USEC= from the service, this run only
  // Bumped whenever a timer is re-armed or cancelled: a handler of an older arming that was
  // already queued (Asio runs expired handlers with success even after cancel) does nothing.
  std::uint64_t restart_gen_ = 0;
  std::uint64_t watchdog_gen_ = 0;
  Health readiness_ = Health::kUnknown;
  std::string status_text_;

  std::function<void()> retired_;
  struct Timers;
  std::unique_ptr<Timers> timers_;
};

}  // namespace hale
