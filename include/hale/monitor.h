// hale::Monitor (libhale, SPEC §7): a C++ service embeds hale's engine instead of running the
// daemon. It runs the checks of a hale config in-process, with the daemon's semantics
// (thresholds, failure_duration, start_period, backoff, timeouts, depends_on, latency budgets),
// either on a thread of its own or on the caller's asio::io_context, and exposes each
// dependency's status, with a callback on each transition. hale::Guard (guard.h) and
// hale::Endpoints (endpoints.h) answer from it.
//
//   auto monitor = hale::Monitor::from_toml(R"(
//     [checks.docker-runner]
//     type = "http"
//     url = "http://127.0.0.1:7071/health"
//     interval = "2s"
//   )");
//   (*monitor)->on_transition([](const hale::DependencyStatus& d, hale::Health from) { ... });
//   (*monitor)->start();                          // a thread of its own
//   hale::Guard runner(**monitor, "docker-runner");
//   if (!runner.usable()) return runner.answer();  // 503 {"error":{"code":"docker_runner_not_ready",...}}
//
// This header needs no Boost: the constructor that takes the caller's io_context only names it
// (a caller who passes one includes Asio itself).
//
// Thread-safety: dependencies(), dependency() and snapshot() may be called from any thread.
// on_transition() before start(); its callbacks run on the monitor's loop thread (its own, or
// the thread that runs the caller's io_context) and must not block it; one that throws is
// logged and the others still run. A caller's io_context must be run by one thread (or the
// Monitor's work must be on one strand): the engine is single-threaded, like the daemon.
// stop() may be called from any thread, also from a callback.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/snapshot.h"
#include "hale/status.h"

namespace boost::asio {
class io_context;
}

namespace hale {

// SPEC §7: a dependency as a service sees it: not known yet, usable (ok or degraded), or not.
enum class DependencyState { kUnknown, kUp, kDown };
std::string_view to_string(DependencyState s);  // "unknown", "up", "down"

struct DependencyStatus {
  std::string name;
  DependencyState state = DependencyState::kUnknown;
  Health health = Health::kUnknown;   // the check's own status: ok, degraded, fail, unknown
  bool critical = true;
  std::optional<WallTime> last_success;
  std::optional<WallTime> last_failure;
  std::string last_error;             // the reason of the last failure while not ok ("" when ok)
  std::optional<WallTime> next_retry;  // the next probe
  int consecutive_failures = 0;
  std::string guard_code;             // the code of its 503 answer
};

class Monitor {
 public:
  // From the text of a hale config (its [checks.NAME], [groups.NAME] and [defaults] are used;
  // services, heartbeats and notifiers are the daemon's business and are refused here).
  // Errors are FILE:LINE:COL lines, as `hale validate` prints them.
  static StatusOr<std::unique_ptr<Monitor>> from_toml(std::string_view toml, const std::string& path = "libhale");
  static StatusOr<std::unique_ptr<Monitor>> from_file(const std::string& path);

  // Runs on a thread of its own, from start() to stop() (or destruction).
  explicit Monitor(Config config);
  // Runs on the caller's io_context: start() schedules the checks on it, the caller runs it.
  Monitor(boost::asio::io_context& io, Config config);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // A dependency's status changed (health from `from` to `d.health`); `d` is as dependency()
  // answers right after the change.
  using TransitionListener = std::function<void(const DependencyStatus& d, Health from)>;
  void on_transition(TransitionListener listener);

  void start();
  // Stops probing; with a thread of its own, joins it. Idempotent.
  void stop();

  std::vector<DependencyStatus> dependencies() const;
  std::optional<DependencyStatus> dependency(std::string_view name) const;
  // Everything the endpoints read (never null).
  std::shared_ptr<const Snapshot> snapshot() const;
  const Config& config() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared with what is queued on the loop, which may outlive *this
};

// A check's view as a dependency.
DependencyStatus dependency_status(const CheckView& c);

}  // namespace hale
