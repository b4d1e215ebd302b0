// Supervisor: runs the services of [services.NAME] and heals them (SPEC §4). Built on the check
// engine: it subscribes to check transitions (a service's `liveness` turning fail is a health
// restart; its `readiness` decides `ready`) and asks the engine to start those checks over from
// `unknown` after every (re)start. What to do after an exit or a health failure is the pure
// decide_restart() (restart_policy.h); this class does the processes, timers and bookkeeping.
//
// Operator intent (`wanted`) is persisted in the StateStore before it is acted on, and read
// when a service is first seen: an operator's stop survives a restart of hale.
// Thread-safety: everything on the loop thread, except snapshot() (any thread).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/service_view.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class Containment;
class Engine;
class StateStore;
class Timers;

// What an operator's start/stop/restart call led to (the API answers with it).
struct ServiceActionResult {
  int http_status = 200;  // 200 done, 404 no such service, 409 makes no sense now, 500 not recorded
  std::string error_code;  // "not_found", "conflict", "state_not_saved"
  std::string message;
  ServiceState state = ServiceState::kStopped;  // after the action began
};

class Supervisor {
 public:
  using TransitionListener = std::function<void(const ServiceTransition&)>;

  // `store` may be null (state_dir unusable): services then run, but operator calls answer 500
  // because their intent could not be kept. `logs_dir` holds NAME.log files.
  // `timers`: a test's FakeTimers on the same FakeClock as `clock` (time/fake_timers.h); by
  // default the loop's.
  Supervisor(boost::asio::io_context& io, Clock& clock, Engine& engine, StateStore* store,
             std::string logs_dir, std::uint64_t seed, Timers* timers = nullptr);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // The store to keep `wanted` in, once it could be opened (before the first apply()).
  void set_store(StateStore* store);

  // How services' descendants are held (before the first apply() with services; it outlives
  // the supervisor). In subreaper mode, or when hale is PID 1, adopted orphans are reaped here.
  void set_containment(Containment* containment);

  // Makes the services match `config`: new ones start (when wanted), removed ones stop,
  // changed ones restart with their new spec, unchanged ones are left alone.
  void apply(const Config& config);

  // A heartbeat's status, at start (restored) and on each of its transitions: a service may
  // `require` it (SPEC §7). Checks are followed through the engine.
  void note_heartbeat(const std::string& name, Health health);

  // start | stop | restart, from the API.
  ServiceActionResult act(std::string_view name, std::string_view action);

  // Every service state change, on the loop thread.
  void subscribe(TransitionListener listener);

  // The latest published views (never null).
  std::shared_ptr<const ServicesSnapshot> snapshot() const;

  // hale is stopping: stops every running service (stop_signal, then SIGKILL after
  // stop_timeout) without touching `wanted`, and calls `done` once all have exited.
  void shutdown(std::function<void()> done);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hale
