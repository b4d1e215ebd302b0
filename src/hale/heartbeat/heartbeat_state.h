// HeartbeatState: one scheduled job's dead-man's switch (SPEC §5) as a pure state machine on
// calendar time: pings and the passing of time in, state changes out. No I/O, no timers: the
// caller feeds pings, asks for the next deadline, and calls tick() when it comes.
//
// Scenario it exists for: `backup` runs at 03:00 with grace 30m and max_duration 2h. At 03:00
// it sends /start (running); at 03:40 a success with an empty body: require_output makes that a
// failure "completed with no output" (down). The next night nothing comes at all: at 03:00 it
// is late (degraded), at 03:30 down. A run that starts and never ends is down after 2h.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hale/clock.h"
#include "hale/health.h"
#include "hale/heartbeat_view.h"

namespace hale {

struct HeartbeatPolicy {
  // When the next run is expected, given the time of the last one (or of the start of
  // watching): `period` after it, or the next cron time after it. nullopt: never again.
  std::function<std::optional<WallTime>(WallTime after)> next_expected;
  Duration grace = std::chrono::hours(1);      // late after the expected time, down after grace
  std::optional<Duration> max_duration;       // /start without an end within it: down
  std::optional<Duration> min_duration;       // start -> success shorter: down ("finished too fast")
  bool require_output = false;                 // success with no output: down
  // fail_if_output_matches: the matching line, or nullopt. Empty: no such rule.
  std::function<std::optional<std::string>(std::string_view output)> output_matches;
};

enum class PingKind { kSuccess, kStart, kFail, kLog, kExitCode };
inline constexpr PingKind kAllPingKinds[] = {PingKind::kSuccess, PingKind::kStart, PingKind::kFail,
                                             PingKind::kLog, PingKind::kExitCode};
// "success", "start", "fail", "log", "exit_code": the `kind` label of hale_heartbeat_pings_total.
std::string_view to_string(PingKind k);

struct Ping {
  PingKind kind = PingKind::kSuccess;
  WallTime at{};
  int exit_code = 0;     // kExitCode: 0 is a success, anything else a failure
  std::string output;    // the POST body (may be empty)
};

struct HeartbeatTransition {
  std::string name;
  HeartbeatStatus from = HeartbeatStatus::kNew;
  HeartbeatStatus to = HeartbeatStatus::kNew;
  std::string reason;
  WallTime at{};
  std::string drill;  // SPEC §7: the drill that forced it (or whose end restored it), "" otherwise
};

// The verdict on one finished run (pure): nullopt when it counts as a success, else why not.
std::optional<std::string> judge_run(const HeartbeatPolicy& p, const Ping& end, std::optional<WallTime> started);

class HeartbeatState {
 public:
  HeartbeatState(std::string name, HeartbeatPolicy policy, WallTime watching_since);

  // Records a ping; returns the transition it caused, if any. A ping unpauses a paused
  // heartbeat (healthchecks.io's rule) and then counts as usual.
  std::optional<HeartbeatTransition> ping(const Ping& p);
  // Time has passed: late, down, or a run stuck past max_duration.
  std::optional<HeartbeatTransition> tick(WallTime now);
  // When tick() may next change something (to arm one timer); nullopt: nothing pending.
  std::optional<WallTime> next_deadline() const;

  // Back to what a previous hale saved (StateStore): the next tick() judges the time that
  // passed meanwhile, so a run missed while hale was away makes it late or down at once.
  void restore(HeartbeatStatus status, std::string reason, std::optional<WallTime> last_ping,
               std::optional<WallTime> next_expected, std::optional<WallTime> running_since);

  // The schedule changed (or the one next_expected was saved under is gone): the next run is
  // expected after `from` under the current rules, and a `late` that the new schedule says is
  // on time is `up` again (the transition it returns).
  std::optional<HeartbeatTransition> reschedule(WallTime from, WallTime now);

  std::optional<HeartbeatTransition> pause(WallTime now);
  std::optional<HeartbeatTransition> resume(WallTime now);

  HeartbeatStatus status() const { return status_; }
  const std::string& reason() const { return reason_; }
  std::optional<WallTime> last_ping() const { return last_ping_; }
  std::optional<WallTime> next_expected() const { return expected_; }
  std::optional<WallTime> running_since() const { return started_; }

 private:
  std::optional<HeartbeatTransition> move_to(HeartbeatStatus to, std::string reason, WallTime at);
  std::optional<HeartbeatTransition> finish(const Ping& p, bool success, std::string reason);
  // While running: when the run after the one that started is due (nullopt: never).
  std::optional<WallTime> next_run_after_start() const;

  std::string name_;
  HeartbeatPolicy policy_;
  HeartbeatStatus status_ = HeartbeatStatus::kNew;
  std::string reason_ = "no ping yet";
  std::optional<WallTime> last_ping_;
  std::optional<WallTime> expected_;  // the next run is due then
  std::optional<WallTime> started_;   // a /start without an end yet
};

}  // namespace hale
