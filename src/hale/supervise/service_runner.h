// ServiceRunner: the process plumbing of one supervised service on the loop: its processes
// (pre_start, then the command), their output, its notify socket and watchdog, and the timers.
// What state the service is in and what follows an event is the ServiceMachine's (pure); the
// runner feeds it every happening (an exit, a check transition, an operator call, a timer) and
// carries out the actions it returns. The Supervisor owns the runners.
// Thread-safety: loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include "hale/random.h"
#include <string>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/service_view.h"
#include "hale/supervise/service_machine.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class Containment;
class Engine;
class Timers;

// What a runner needs from the supervisor around it.
class SupervisorHost {
 public:
  virtual ~SupervisorHost() = default;
  virtual boost::asio::io_context& io() = 0;
  virtual Clock& clock() = 0;
  // The timers a runner waits with (on the same time as clock()).
  virtual Timers& timers() = 0;
  virtual Engine& engine() = 0;
  virtual Random& rng() = 0;
  virtual const std::string& logs_dir() = 0;
  // How a run's descendants are held and ended (null: by its process group only).
  virtual Containment* containment() = 0;
  // Secret values of the config (admin token, env:/file: values): an inherited environment
  // variable holding one is not passed on to services.
  virtual const std::vector<std::string>& secrets() = 0;
  // Whether `spec`'s depends_on hold now (and, with on_require_fail = "stop", whether every
  // `require`d subject is usable); when not, `waiting` says for what.
  virtual bool dependencies_met(const ServiceSpec& spec, std::string& waiting) = 0;
  // "llama-guard fail" when a subject `spec` requires is fail (SPEC §7); nullopt otherwise.
  virtual std::optional<std::string> failing_requirement(const ServiceSpec& spec) = 0;
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
  ServiceState state() const { return machine_.state(); }
  bool wanted() const { return machine_.wanted(); }
  std::optional<ExitInfo> last_exit() const { return machine_.last_exit(); }
  // The current run's INVOCATION_ID while a process of it runs, else "".
  const std::string& live_invocation_id() const;

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
  // A reload removed it, or hale is stopping: stop the process (wanted untouched) and call
  // `done` once nothing runs any more.
  void retire(std::function<void()> done, bool shutting_down);

  // A check transition: liveness / readiness.
  void on_check(const Transition& t);
  // Some service or check changed: a start waiting on depends_on may go ahead.
  void dependencies_changed();
  // A check or heartbeat changed: a required one may now hold the service, or let it go.
  void requirements_changed();

  std::shared_ptr<const ServiceView> view() const;
  // Its readiness check's `critical` (how much the service weighs in /readyz and /health).
  void set_readiness_critical(bool critical) { readiness_critical_ = critical; }
  // A reload added it: `starting` does not hold /readyz until it was ready or failed once.
  void set_joining() { joining_ = true; }

  struct Process;  // the running pid's descriptors and watchers

 private:
  // Hands `e` (at now) to the machine and carries out what it says.
  void feed(ServiceEvent e);
  void carry_out(ServiceActions a);
  void put_spec_in_force();
  void spawn(RunPhase phase);
  void on_spawned(pid_t pid, int output_fd, int pidfd);
  void listen_notify(pid_t pid);
  void on_exit(int code, int signal);
  void send_stop_signal();
  void arm_restart_timer(Duration delay);
  void on_restart_timer();
  void arm_watchdog();
  void publish(ServiceTransition t);
  std::optional<Duration> watchdog() const { return watchdog_override_ ? watchdog_override_ : spec_.watchdog; }

  SupervisorHost& host_;
  ServiceSpec spec_;
  std::optional<ServiceSpec> next_spec_;  // put in force at the next start (a reload changed it)
  ServiceMachine machine_;

  pid_t pid_ = -1;
  std::shared_ptr<Process> process_;
  bool readiness_critical_ = false;
  bool joining_ = false;
  std::optional<WallTime> started_wall_;
  std::string invocation_id_;                  // of the current (or last) run: INVOCATION_ID
  std::string cgroup_leaf_;                    // its process's cgroup (cgroup mode): the id[.pre_start]
  std::string status_text_;                    // the last STATUS= (ready = notify)
  std::optional<Duration> watchdog_override_;  // WATCHDOG_USEC= from the service, this run only
  std::function<void()> retired_;
  struct Wiring;  // its timers, notify socket and log
  std::unique_ptr<Wiring> wiring_;
};

}  // namespace hale
