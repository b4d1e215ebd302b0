// Event frames' JSON (see event_json.h).
#include "hale/server/event_json.h"

#include <nlohmann/json.hpp>

#include "hale/alert/render.h"
#include "hale/log/redactor.h"

namespace hale {

namespace {

std::string event(std::string_view kind, const std::string& name, std::string_view from, std::string_view to,
                  const std::string& reason, WallTime at, const std::string& blocked_by = {},
                  const std::string& drill = {}) {
  nlohmann::ordered_json j;
  j["kind"] = kind;
  j["name"] = name;
  j["from"] = from;
  j["to"] = to;
  j["reason"] = Redactor::global().redact(reason);
  j["at"] = format_iso8601_ms(at);
  if (!blocked_by.empty()) j["blocked_by"] = blocked_by;
  if (!drill.empty()) j["drill"] = drill;  // SPEC §7: caused by a drill
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string check_event_json(const Transition& t) {
  return event("check", t.check, to_string(t.from), to_string(t.to), t.reason, t.wall_at, t.blocked_by, t.drill);
}

std::string service_event_json(const ServiceTransition& t) {
  return event("service", t.service, to_string(t.from), to_string(t.to), t.reason, t.wall_at, {}, t.drill);
}

std::string alert_event_json(const Delivery& d) {
  nlohmann::ordered_json j;
  j["kind"] = "alert";
  j["id"] = d.id;
  j["notifier"] = d.notifier;
  j["key"] = d.alert.key;
  j["state"] = to_string(d.state);
  j["resolved"] = d.alert.resolved;
  j["message"] = alert_headline(d.alert);
  if (!d.alert.drill.empty()) j["drill"] = d.alert.drill;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string heartbeat_event_json(const HeartbeatTransition& t) {
  return event("heartbeat", t.name, to_string(t.from), to_string(t.to), t.reason, t.at, {}, t.drill);
}

}  // namespace hale
