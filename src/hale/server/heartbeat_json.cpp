// JSON of heartbeats (see heartbeat_json.h).
#include "hale/server/heartbeat_json.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;

ojson iso_or_null(const std::optional<WallTime>& t) { return t ? ojson(format_iso8601(*t)) : ojson(); }

std::int64_t millis(WallTime::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// /health carries every heartbeat's last run: only the end of its output (its last lines say how
// it ended), so that /health stays small with many heartbeats; the API has the whole excerpt.
constexpr std::size_t kHealthOutputBytes = 256;

ojson run_json(const HeartbeatRun& r, std::size_t max_output = kOutputExcerptBytes) {
  ojson j;
  j["started"] = iso_or_null(r.started);
  j["ended"] = format_iso8601(r.ended);
  j["duration_ms"] = r.started ? ojson(millis(r.ended - *r.started)) : ojson();
  j["exit_code"] = r.exit_code ? ojson(*r.exit_code) : ojson();
  j["verdict"] = r.verdict;
  std::string_view output = r.output_excerpt;
  if (output.size() > max_output) output = output.substr(output.size() - max_output);
  j["output"] = output;
  return j;
}

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

ojson detail(const HeartbeatView& h) {
  ojson j;
  j["name"] = h.name;
  ojson entry = heartbeat_entry(h);
  for (auto& [k, v] : entry.items()) j[k] = std::move(v);
  j["reason"] = h.reason;
  j["groups"] = h.groups;
  j["grace_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(h.grace).count();
  ojson runs = ojson::array();
  for (const HeartbeatRun& r : h.runs) runs.push_back(run_json(r));
  j["runs"] = std::move(runs);
  return j;
}

}  // namespace

ojson heartbeat_entry(const HeartbeatView& h) {
  ojson j;
  j["status"] = to_string(h.health());
  j["critical"] = h.critical;
  j["state"] = to_string(h.state);
  const Health health = h.health();
  if (health == Health::kDegraded || health == Health::kFail) j["error"] = h.reason;
  j["since"] = format_iso8601(h.since);
  j["consecutive_failures"] = h.consecutive_failures;
  j["last_success"] = iso_or_null(h.last_success);
  j["schedule"] = h.schedule;
  j["last_ping"] = iso_or_null(h.last_ping);
  j["next_expected"] = iso_or_null(h.next_expected);
  if (h.running_since) j["running_since"] = format_iso8601(*h.running_since);
  j["last_run"] = h.last_run() ? run_json(*h.last_run(), kHealthOutputBytes) : ojson();
  return j;
}

std::string heartbeat_detail_json(const HeartbeatView& h) { return dump(detail(h)); }

std::string heartbeats_list_json(const HeartbeatsSnapshot& snap) {
  ojson arr = ojson::array();
  for (const auto& h : snap.heartbeats) arr.push_back(detail(*h));
  ojson j;
  j["heartbeats"] = std::move(arr);
  return dump(j);
}

}  // namespace hale
