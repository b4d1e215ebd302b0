// DrillRunner: SPEC §7 drills on the event loop. It starts a drill (asked through the API, or
// by its schedule), forces its subjects through hooks the daemon gives it (the engine, the
// heartbeat monitor, alerting), watches for the forced state to settle, and at the end of
// `duration` judges every expectation, restores everything and keeps the run's result.
//
// The daemon owns a drill's end, not whoever asked for it: a CLI killed mid-drill changes
// nothing, and a reload (SIGHUP) neither ends nor extends it (the run keeps its own copy of the
// drill, and the forced subjects are kept by name across the reload). If hale itself dies, no
// forcing survives it: nothing of a drill is saved.
//
// One drill at a time: two drills forcing the same dependency could not both be judged.
//
// Scenario: [drills.guard-down] forces llama-guard to fail for 30s and expects readyz 503 and
// voice-agent stopped. At 0s llama-guard is probed at once (its result forced); with
// failure_threshold 2 at a 1s interval it is fail after ~1s (settled), voice-agent is held and
// stopped; at 30s the rows are judged (readyz 503 seen 503, ...), llama-guard is restored and
// probed at once, and the run is "passed".
//
// Thread-safety: the loop's thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/drill/drill_run.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class DrillRunner {
 public:
  struct Hooks {
    std::function<void(const DrillForce&, const std::string& drill)> force;
    std::function<void(const DrillForce&)> unforce;
    // Whether the subject shows its forced result yet (a check after its thresholds).
    std::function<bool(const DrillForce&)> shows_forced;
    // What is seen now for an expectation other than "alerts".
    ExpectationSeen seen;
    // A run started, or ended (every subject restored).
    std::function<void(const DrillRun&)> on_run;
  };

  DrillRunner(boost::asio::io_context& io, const Clock& clock, Hooks hooks);
  ~DrillRunner();
  DrillRunner(const DrillRunner&) = delete;
  DrillRunner& operator=(const DrillRunner&) = delete;

  // The drills of a (re)loaded config: their schedules are armed anew. A running drill goes on.
  void apply(const std::vector<DrillSpec>& drills);

  // Starts drill `name`. 404 when there is no such drill, 409 while another one runs.
  struct StartResult {
    int http_status = 202;
    std::string error_code;  // "not_found", "drill_running"
    std::string message;
    std::optional<DrillRun> run;
  };
  StartResult start(std::string_view name, std::string trigger);
  // Starts a drill that is not in the config (`hale matrix --verify` asks for one per dependency
  // through POST /api/v1/drills). Its runs are kept under its name like a configured one's.
  StartResult start(const DrillSpec& spec, std::string trigger);

  // An alert delivery was made: `delivered` when it was sent or queued (SPEC §7's "alerts"
  // expectation), not when only recorded (it counts for "routed" only).
  void note_alert(const std::string& notifier, const std::string& drill, bool delivered);

  // hale stops: timers cancelled; the forcing dies with the process.
  void stop();

  const std::vector<DrillSpec>& drills() const { return specs_; }
  // The run going on, if any; the last run of `name`, if any.
  const std::optional<DrillRun>& active() const { return active_; }
  const DrillRun* last_run(std::string_view name) const;

  // How often a running drill looks whether the forced state has settled.
  static constexpr Duration kSettleEvery = std::chrono::milliseconds(100);

 private:
  struct Timers;
  void watch_settling();
  void finish();
  void arm_schedule();
  void on_schedule();

  const Clock& clock_;
  Hooks hooks_;
  std::unique_ptr<Timers> timers_;
  std::vector<DrillSpec> specs_;
  std::optional<DrillSpec> active_spec_;  // the running drill as it was when it started
  std::optional<DrillRun> active_;
  SteadyTime active_started_{};
  std::vector<std::string> alerted_;  // notifiers the running drill's alerts were sent or queued to
  std::vector<std::string> routed_;   // ... or recorded for (a notifier without drills = true)
  std::map<std::string, DrillRun, std::less<>> last_;
  std::uint64_t runs_ = 0;
  std::optional<WallTime> next_due_;  // the scheduled drill the schedule timer waits for
  bool stopped_ = false;
};

}  // namespace hale
