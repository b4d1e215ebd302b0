// One run of a drill (SPEC §7) as plain values: what it forced, when, whether the forced state
// settled, and each expectation with what was wanted and what was seen. Judging and the
// JSON/text forms are pure; DrillRunner (drill_runner.h) runs drills on the loop.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/status.h"

namespace hale {

enum class DrillState { kRunning, kPassed, kFailed, kAborted };
std::string_view to_string(DrillState s);
std::optional<DrillState> parse_drill_state(std::string_view s);

// One line of a drill's table.
struct DrillRow {
  std::string expectation;  // "readyz", "services.voice-agent", "alerts", "settled"
  std::string wanted;
  std::string seen;
  bool held = false;
  bool operator==(const DrillRow&) const = default;
};

struct DrillRun {
  std::string id;       // 32 hex digits
  std::string drill;
  std::string trigger;  // "api" (hale drill run, POST) or "schedule"
  DrillState state = DrillState::kRunning;
  WallTime started_at{};
  WallTime ends_at{};                     // when the forcing ends
  std::optional<WallTime> ended_at;       // when everything was restored
  std::optional<Duration> settled_after;  // every forced subject showed its forced result after this long
  std::vector<DrillForce> forced;
  bool page = false;  // its alerts reach every notifier
  std::vector<DrillRow> rows;  // once ended; the first is "settled" when the forced state never settled
  std::string message;         // aborted: why
  bool operator==(const DrillRun&) const = default;
};

// What the daemon shows of one expectation; nullopt: nothing to show (the subject is gone).
using ExpectationSeen = std::function<std::optional<std::string>(const DrillExpectation&)>;

// The rows of `expect`, each compared with what `seen` says now. "alerts" and "routed" are
// compared as sets of notifier names, everything else as text.
std::vector<DrillRow> judge_expectations(const std::vector<DrillExpectation>& expect, const ExpectationSeen& seen);

// Passed: settled and every row held.
bool drill_passed(const DrillRun& run);

// The reason of a failed run in one line, for the drill/NAME alert: "readyz: wanted 503, seen
// 200; services.voice-agent: wanted stopped, seen running".
std::string drill_failure_summary(const DrillRun& run);

// The API's forms (SPEC §7): a run {"id", "drill", "state", "started_at", ..., "expectations":
// [{"expectation", "wanted", "seen", "held"}]}, and a spec {"name", "force": {...}, "duration",
// "expect": {...}, "schedule", "page"}.
nlohmann::json to_json(const DrillRun& run);
nlohmann::json to_json(const DrillSpec& spec);

}  // namespace hale
