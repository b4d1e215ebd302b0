// Engine: runs every check on the event loop. For each check it schedules probes (schedule.h),
// enforces the timeout, feeds results to the check's CheckState, logs failures and transitions,
// tells subscribers about transitions, and publishes a new Snapshot for the endpoints.
//
// Thread-safety: apply/subscribe/stop must be called on the io_context's thread (or before
// it runs); snapshot() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/snapshot.h"

namespace boost::asio {
class io_context;
}

namespace hale {

struct ProbeContext;
class Timers;

class Engine {
 public:
  using TransitionListener = std::function<void(const Transition&)>;

  // `clock` decides by time. The timers run on the io_context's steady clock, unless `timers`
  // is given: a unit test's FakeTimers on the same FakeClock as `clock` (time/fake_timers.h),
  // with probes from ProbeContext::factory, runs the engine on simulated time.
  Engine(boost::asio::io_context& io, Clock& clock, ProbeContext& probes, std::uint64_t seed,
         Timers* timers = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Makes the running checks match `config`: new checks start (first probe within 1 s),
  // removed ones stop (a probe in flight is cancelled), changed ones restart from `unknown`,
  // and unchanged ones keep their state and schedule. A removed or changed check that had a
  // status is reported to subscribers as a transition to `unknown` ("check removed",
  // "configuration changed").
  void apply(const Config& config);
  // The same without a copy: the runners and probes point into `config`'s checks and keep it
  // alive until a later apply() (the daemon's way: 10,000 checks cost 10 MB less).
  void apply(std::shared_ptr<const Config> config);

  // Starts check `name` over from `unknown`, with a fresh start_period, and probes it again
  // within a second (first-probe spread): called when the service it watches (re)starts, so a
  // restarted service is never judged by its predecessor's failures (SPEC §4). A check that
  // had a status reports a transition to `unknown` with `reason`. An unknown name is ignored.
  void restart_check(const std::string& name, const std::string& reason);

  // SPEC §7 drills: from now on every result of check `name` is replaced by one of `result`
  // (the probe still runs and its latency counts; thresholds, failure_duration and everything
  // downstream judge it as usual), its transitions marked with `drill`, until unforce(). It is
  // probed at once. Kept by name across apply(), so a reload mid-drill keeps forcing it. An
  // unknown name is ignored.
  void force(const std::string& name, Health result, const std::string& drill);
  // Its real results count again, from a probe made at once. Its transitions stay marked with
  // the drill until it has recovered (or its first real result says it really fails).
  void unforce(const std::string& name);

  // Every transition of every check, on the loop thread, right after it happens.
  void subscribe(TransitionListener listener);

  // A check whose blocking changed without a transition of its own (SPEC §7 depends_on): a
  // failing child its parent's failure now blocks or no longer blocks, and that parent (whose
  // list of blocked children changed). Called with the check's new view, on the loop thread.
  using BlockingListener = std::function<void(const CheckView&)>;
  void subscribe_blocking(BlockingListener listener);

  // Every result of every check (after drills and latency budgets had their say, reasons
  // redacted), on the loop thread, before the transition it may cause: SPEC §10's history.
  using ResultListener = std::function<void(const std::string& check, const ProbeResult& result, WallTime at)>;
  void subscribe_results(ResultListener listener);

  // The latest published snapshot (never null).
  std::shared_ptr<const Snapshot> snapshot() const;

  // Counts a configuration reload for /metrics.
  void note_reload(bool ok);

  // Cancels every timer and probe; nothing runs afterwards.
  void stop();

  struct Impl;  // implementation detail

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hale
