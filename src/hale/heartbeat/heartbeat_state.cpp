// The heartbeat state machine (see heartbeat_state.h).
#include "hale/heartbeat/heartbeat_state.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "hale/config.h"

namespace hale {

namespace {

constexpr std::size_t kMaxReasonLine = 200;  // a matched output line, as shown

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string shown(std::string line) {
  if (line.size() > kMaxReasonLine) line = line.substr(0, kMaxReasonLine) + "…";
  return line;
}

}  // namespace

std::string_view to_string(PingKind k) {
  switch (k) {
    case PingKind::kSuccess: return "success";
    case PingKind::kStart: return "start";
    case PingKind::kFail: return "fail";
    case PingKind::kLog: return "log";
    case PingKind::kExitCode: return "exit_code";
  }
  return "success";
}

std::optional<std::string> judge_run(const HeartbeatPolicy& p, const Ping& end, std::optional<WallTime> started) {
  if (end.kind == PingKind::kFail) return std::string("the job reported a failure");
  if (end.kind == PingKind::kExitCode && end.exit_code != 0) return fmt::format("exit code {}", end.exit_code);
  // Silent failures (SPEC §5): "success" with nothing done.
  if (p.require_output && blank(end.output)) return std::string("completed with no output");
  if (p.output_matches) {
    if (auto line = p.output_matches(end.output)) return "output matched: " + shown(*line);
  }
  // A wall clock stepped back between start and end gives no duration to judge.
  if (p.min_duration && started && end.at >= *started && end.at - *started < *p.min_duration) {
    return fmt::format("finished too fast ({} < {})",
                       format_duration(std::chrono::duration_cast<std::chrono::seconds>(end.at - *started)),
                       format_duration(*p.min_duration));
  }
  return std::nullopt;
}

HeartbeatState::HeartbeatState(std::string name, HeartbeatPolicy policy, WallTime watching_since)
    : name_(std::move(name)), policy_(std::move(policy)) {
  // A new heartbeat is not late before its first ping (healthchecks.io's "new"): the job may not
  // be installed yet. Its expected time is shown all the same.
  if (policy_.next_expected) expected_ = policy_.next_expected(watching_since);
}

std::optional<HeartbeatTransition> HeartbeatState::move_to(HeartbeatStatus to, std::string reason, WallTime at) {
  reason_ = std::move(reason);
  if (to == status_) return std::nullopt;
  HeartbeatTransition t{name_, status_, to, reason_, at};
  status_ = to;
  return t;
}

std::optional<HeartbeatTransition> HeartbeatState::finish(const Ping& p, bool success, std::string reason) {
  started_.reset();
  if (policy_.next_expected) expected_ = policy_.next_expected(p.at);
  return move_to(success ? HeartbeatStatus::kUp : HeartbeatStatus::kDown, std::move(reason), p.at);
}

std::optional<HeartbeatTransition> HeartbeatState::ping(const Ping& p) {
  std::optional<HeartbeatTransition> resumed;
  if (status_ == HeartbeatStatus::kPaused) resumed = resume(p.at);
  last_ping_ = p.at;
  std::optional<HeartbeatTransition> t;
  switch (p.kind) {
    case PingKind::kLog:
      break;  // recorded, changes nothing
    case PingKind::kStart:
      started_ = p.at;
      t = move_to(HeartbeatStatus::kRunning, "started", p.at);
      break;
    case PingKind::kSuccess:
    case PingKind::kExitCode:
    case PingKind::kFail: {
      std::optional<std::string> failure = judge_run(policy_, p, started_);
      t = failure ? finish(p, false, *failure) : finish(p, true, "success");
      break;
    }
  }
  // The caller hears of one change: from paused straight to where the ping led.
  if (resumed && t) {
    t->from = HeartbeatStatus::kPaused;
    return t;
  }
  return t ? t : resumed;
}

std::optional<HeartbeatTransition> HeartbeatState::tick(WallTime now) {
  switch (status_) {
    case HeartbeatStatus::kRunning:
      if (policy_.max_duration && started_ && now >= *started_ + *policy_.max_duration) {
        return move_to(HeartbeatStatus::kDown,
                       fmt::format("running for longer than {}", format_duration(*policy_.max_duration)), now);
      }
      // Without max_duration, a /start whose job died must not hold the switch open forever:
      // once the run after this one is due and its grace is over, it is down.
      if (!policy_.max_duration) {
        if (auto next = next_run_after_start(); next && now >= *next + policy_.grace) {
          return move_to(HeartbeatStatus::kDown,
                         fmt::format("running since {} and no end past the next run, expected at {} (grace {})",
                                     format_iso8601(started_.value_or(now)), format_iso8601(*next),
                                     format_duration(policy_.grace)),
                         now);
        }
      }
      return std::nullopt;
    case HeartbeatStatus::kUp:
    case HeartbeatStatus::kLate:
      if (!expected_) return std::nullopt;
      if (now >= *expected_ + policy_.grace) {
        return move_to(HeartbeatStatus::kDown,
                       fmt::format("no ping since the run expected at {} (grace {})", format_iso8601(*expected_),
                                   format_duration(policy_.grace)),
                       now);
      }
      if (now >= *expected_ && status_ == HeartbeatStatus::kUp) {
        return move_to(HeartbeatStatus::kLate,
                       fmt::format("late: expected at {}", format_iso8601(*expected_)), now);
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<WallTime> HeartbeatState::next_run_after_start() const {
  if (!started_ || !policy_.next_expected) return std::nullopt;
  // The run that started fills the slot it was due in (expected_, when the job started around
  // it or after it); the one after that is the next slot past both.
  const WallTime base = expected_ && *expected_ > *started_ ? *expected_ : *started_;
  return policy_.next_expected(base);
}

std::optional<WallTime> HeartbeatState::next_deadline() const {
  switch (status_) {
    case HeartbeatStatus::kRunning:
      if (policy_.max_duration && started_) return *started_ + *policy_.max_duration;
      if (!policy_.max_duration) {
        if (auto next = next_run_after_start()) return *next + policy_.grace;
      }
      return std::nullopt;
    case HeartbeatStatus::kUp:
      return expected_;
    case HeartbeatStatus::kLate:
      if (expected_) return *expected_ + policy_.grace;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

void HeartbeatState::restore(HeartbeatStatus status, std::string reason, std::optional<WallTime> last_ping,
                             std::optional<WallTime> next_expected, std::optional<WallTime> running_since) {
  status_ = status;
  reason_ = std::move(reason);
  last_ping_ = last_ping;
  if (next_expected) expected_ = next_expected;
  started_ = running_since;
}

std::optional<HeartbeatTransition> HeartbeatState::reschedule(WallTime from, WallTime now) {
  if (!policy_.next_expected) return std::nullopt;
  expected_ = policy_.next_expected(from);
  if (status_ == HeartbeatStatus::kLate && expected_ && now < *expected_) {
    return move_to(HeartbeatStatus::kUp, "on time under the new schedule", now);
  }
  return std::nullopt;
}

std::optional<HeartbeatTransition> HeartbeatState::pause(WallTime now) {
  started_.reset();
  return move_to(HeartbeatStatus::kPaused, "paused", now);
}

std::optional<HeartbeatTransition> HeartbeatState::resume(WallTime now) {
  if (status_ != HeartbeatStatus::kPaused) return std::nullopt;
  // As new: not late before the next ping.
  if (policy_.next_expected) expected_ = policy_.next_expected(now);
  return move_to(HeartbeatStatus::kNew, "resumed", now);
}

}  // namespace hale
