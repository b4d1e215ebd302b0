// A drill run's judging and forms (see drill_run.h).
#include "hale/drill/drill_run.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>


namespace hale {

namespace {

using json = nlohmann::json;

std::int64_t ms_of(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// "a, b" -> {"a", "b"}, sorted.
std::vector<std::string> split_names(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < joined.size()) {
    std::size_t comma = joined.find(", ", at);
    if (comma == std::string::npos) comma = joined.size();
    if (comma > at) out.push_back(joined.substr(at, comma - at));
    at = comma + 2;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string force_word(const DrillForce& f) { return std::string(to_string(f.result)); }

std::string force_key(const DrillForce& f) {
  if (f.notifier) return "notifiers." + f.name;
  return std::string(f.kind == SubjectKind::kHeartbeat ? "heartbeats." : "checks.") + f.name;
}

}  // namespace

std::string_view to_string(DrillState s) {
  switch (s) {
    case DrillState::kRunning: return "running";
    case DrillState::kPassed: return "passed";
    case DrillState::kFailed: return "failed";
    case DrillState::kAborted: return "aborted";
  }
  return "running";
}

std::optional<DrillState> parse_drill_state(std::string_view s) {
  for (DrillState d : {DrillState::kRunning, DrillState::kPassed, DrillState::kFailed, DrillState::kAborted}) {
    if (to_string(d) == s) return d;
  }
  return std::nullopt;
}

std::vector<DrillRow> judge_expectations(const std::vector<DrillExpectation>& expect, const ExpectationSeen& seen) {
  std::vector<DrillRow> rows;
  for (const DrillExpectation& e : expect) {
    DrillRow row;
    row.expectation = e.key;
    const bool notifiers = e.key == "alerts" || e.key == "routed";
    row.wanted = notifiers && e.wanted.empty() ? "none" : e.wanted;
    std::optional<std::string> s = seen(e);
    row.seen = s ? *s : "not there";
    if (notifiers) {
      if (s && s->empty()) row.seen = "none";
      row.held = s && split_names(e.wanted) == split_names(*s);
    } else {
      row.held = s && *s == e.wanted;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool drill_passed(const DrillRun& run) {
  return run.settled_after.has_value() &&
         std::all_of(run.rows.begin(), run.rows.end(), [](const DrillRow& r) { return r.held; });
}

std::string drill_failure_summary(const DrillRun& run) {
  if (run.state == DrillState::kAborted) return "aborted: " + run.message;
  std::string out;
  for (const DrillRow& r : run.rows) {
    if (r.held) continue;
    out += (out.empty() ? "" : "; ") + fmt::format("{}: wanted {}, seen {}", r.expectation, r.wanted, r.seen);
  }
  return out;
}

nlohmann::json to_json(const DrillRun& run) {
  json j;
  j["id"] = run.id;
  j["drill"] = run.drill;
  j["trigger"] = run.trigger;
  j["state"] = to_string(run.state);
  j["started_at"] = format_iso8601_ms(run.started_at);
  j["ends_at"] = format_iso8601_ms(run.ends_at);
  j["ended_at"] = run.ended_at ? json(format_iso8601_ms(*run.ended_at)) : json();
  j["settled_after_ms"] = run.settled_after ? json(ms_of(*run.settled_after)) : json();
  json forced = json::object();
  for (const DrillForce& f : run.forced) forced[force_key(f)] = force_word(f);
  j["forced"] = std::move(forced);
  j["page"] = run.page;
  json rows = json::array();
  for (const DrillRow& r : run.rows) {
    rows.push_back({{"expectation", r.expectation}, {"wanted", r.wanted}, {"seen", r.seen}, {"held", r.held}});
  }
  j["expectations"] = std::move(rows);
  if (!run.message.empty()) j["message"] = run.message;
  return j;
}

nlohmann::json to_json(const DrillSpec& spec) {
  json j;
  j["name"] = spec.name;
  json force = json::object();
  for (const DrillForce& f : spec.force) force[force_key(f)] = force_word(f);
  j["force"] = std::move(force);
  j["duration"] = format_duration(spec.duration);
  json expect = json::object();
  for (const DrillExpectation& e : spec.expect) expect[e.key] = e.wanted;
  j["expect"] = std::move(expect);
  j["schedule"] = spec.schedule.empty() ? json() : json(spec.schedule.cron());
  if (!spec.schedule.empty()) j["tz"] = spec.schedule.tz();
  j["page"] = spec.page;
  if (!spec.description.empty()) j["description"] = spec.description;
  return j;
}

}  // namespace hale
