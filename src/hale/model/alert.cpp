// The small behaviours of the alerting vocabulary (alert.h): keys, severity, names, and the
// JSON the outbox keeps.
#include "hale/model/alert.h"

#include <algorithm>

#include <nlohmann/json.hpp>


namespace hale {

namespace {

using nlohmann::json;

std::int64_t ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime from_ms(std::int64_t v) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(v)));
}
std::int64_t ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace

std::string SubjectId::key() const { return std::string(to_string(kind)) + "/" + name; }

std::string alert_key(const SubjectId& subject, Health status) {
  return subject.key() + "/" + std::string(to_string(status));
}

std::string flapping_key(const SubjectId& subject) { return subject.key() + "/flapping"; }

std::string Alert::severity() const {
  if (flapping || key.ends_with("/flapping")) return "warning";
  const Health problem = resolved ? previous : status;
  return problem == Health::kFail && critical ? "critical" : "warning";
}

std::string_view to_string(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending: return "pending";
    case DeliveryState::kSent: return "sent";
    case DeliveryState::kFailed: return "failed";
    case DeliveryState::kSilenced: return "silenced";
  }
  return "pending";
}

std::optional<DeliveryState> parse_delivery_state(std::string_view s) {
  for (DeliveryState d : {DeliveryState::kPending, DeliveryState::kSent, DeliveryState::kFailed,
                          DeliveryState::kSilenced}) {
    if (to_string(d) == s) return d;
  }
  return std::nullopt;
}

std::optional<Health> parse_health(std::string_view s) {
  for (Health h : {Health::kUnknown, Health::kOk, Health::kDegraded, Health::kFail}) {
    if (to_string(h) == s) return h;
  }
  return std::nullopt;
}

json to_json(const Alert& a) {
  json j{{"key", a.key},
              {"kind", to_string(a.kind)},
              {"subject", a.subject},
              {"status", to_string(a.status)},
              {"previous", to_string(a.previous)},
              {"state", a.state},
              {"resolved", a.resolved},
              {"flapping", a.flapping},
              {"critical", a.critical},
              {"since_ms", ms(a.since)},
              {"at_ms", ms(a.at)},
              {"message", a.message},
              {"sequence", a.sequence},
              {"repeat_ms", ms(a.repeat)},
              {"silenced", a.silenced}};
  if (!a.drill.empty()) j["drill"] = a.drill;
  if (!a.members.empty()) {
    json members = json::array();
    for (const Alert& m : a.members) members.push_back(to_json(m));
    j["members"] = std::move(members);
  }
  return j;
}

std::optional<Alert> alert_from_json(const json& j) {
  try {
    Alert a;
    a.key = j.at("key").get<std::string>();
    auto kind = parse_subject_kind(j.at("kind").get<std::string>());
    auto status = parse_health(j.at("status").get<std::string>());
    auto previous = parse_health(j.at("previous").get<std::string>());
    if (!kind || !status || !previous) return std::nullopt;
    a.kind = *kind;
    a.status = *status;
    a.previous = *previous;
    a.subject = j.at("subject").get<std::string>();
    a.state = j.at("state").get<std::string>();
    a.resolved = j.at("resolved").get<bool>();
    a.flapping = j.at("flapping").get<bool>();
    a.critical = j.at("critical").get<bool>();
    a.since = from_ms(j.at("since_ms").get<std::int64_t>());
    a.at = from_ms(j.at("at_ms").get<std::int64_t>());
    a.message = j.at("message").get<std::string>();
    a.sequence = j.at("sequence").get<int>();
    a.repeat = std::chrono::duration_cast<Duration>(std::chrono::milliseconds(j.at("repeat_ms").get<std::int64_t>()));
    a.silenced = j.at("silenced").get<bool>();
    a.drill = j.value("drill", std::string());
    if (const auto m = j.find("members"); m != j.end()) {
      for (const json& member : *m) {
        auto one = alert_from_json(member);
        if (!one) return std::nullopt;
        a.members.push_back(std::move(*one));
      }
    }
    return a;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

json to_json(const SavedRoute& r) {
  json open = json::object();
  for (const auto& [status, k] : r.open) {
    open[std::string(to_string(status))] = json{{"previous", to_string(k.previous)},
                                                {"since_ms", ms(k.since)},
                                                {"first_sent_ms", ms(k.first_sent)},
                                                {"last_sent_ms", ms(k.last_sent)},
                                                {"sequence", k.sequence},
                                                {"critical", k.critical},
                                                {"state", k.state},
                                                {"message", k.message}};
    if (!k.drill.empty()) open[std::string(to_string(status))]["drill"] = k.drill;
  }
  json j{{"subject", r.subject}, {"notifier", r.notifier}, {"open", std::move(open)}, {"flapping", r.flapping}};
  if (r.last_change) j["last_change_ms"] = ms(*r.last_change);
  return j;
}

std::optional<SavedRoute> saved_route_from_json(const json& j) {
  try {
    SavedRoute r;
    r.subject = j.at("subject").get<std::string>();
    r.notifier = j.at("notifier").get<std::string>();
    r.flapping = j.at("flapping").get<bool>();
    if (j.contains("last_change_ms")) r.last_change = from_ms(j.at("last_change_ms").get<std::int64_t>());
    for (const auto& [name, k] : j.at("open").items()) {
      auto status = parse_health(name);
      auto previous = parse_health(k.at("previous").get<std::string>());
      if (!status || !previous) return std::nullopt;
      OpenKey o;
      o.previous = *previous;
      o.since = from_ms(k.at("since_ms").get<std::int64_t>());
      o.first_sent = from_ms(k.at("first_sent_ms").get<std::int64_t>());
      o.last_sent = from_ms(k.at("last_sent_ms").get<std::int64_t>());
      o.sequence = k.at("sequence").get<int>();
      o.critical = k.at("critical").get<bool>();
      o.state = k.at("state").get<std::string>();
      o.message = k.at("message").get<std::string>();
      o.drill = k.value("drill", std::string());
      r.open.emplace(*status, std::move(o));
    }
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace hale
