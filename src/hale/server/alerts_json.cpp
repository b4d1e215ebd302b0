// JSON of alerting (see alerts_json.h).
#include "hale/server/alerts_json.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hale/time/timestamp.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;

ojson iso_or_null(const std::optional<WallTime>& t) { return t ? ojson(format_iso8601(*t)) : ojson(); }

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// "accepted": the receiver took it, and its "sent" is being committed to the outbox (see
// AlertsView::recording); "sent" is said only of what the next hale will not send again.
std::string_view shown_state(const Delivery& d, const AlertsView& v) {
  if (d.state == DeliveryState::kSent && v.recording.contains(d.id)) return kAcceptedState;
  return to_string(d.state);
}

ojson delivery_json(const Delivery& d, std::string_view state) {
  const Alert& a = d.alert;
  ojson j;
  j["id"] = d.id;
  j["notifier"] = d.notifier;
  j["key"] = a.key;
  j["kind"] = to_string(a.kind);
  j["subject"] = a.subject;
  j["status"] = to_string(a.status);
  j["previous"] = to_string(a.previous);
  j["resolved"] = a.resolved;
  j["flapping"] = a.flapping;
  j["severity"] = a.severity();
  j["sequence"] = a.sequence;
  j["message"] = a.message;
  j["since"] = format_iso8601(a.since);
  j["state"] = state;
  j["attempts"] = d.attempts;
  j["created_at"] = format_iso8601(d.created_at);
  j["last_attempt_at"] = iso_or_null(d.last_attempt_at);
  j["next_attempt_at"] = iso_or_null(d.next_attempt_at);
  j["done_at"] = iso_or_null(d.done_at);
  j["last_error"] = d.last_error.empty() ? ojson() : ojson(d.last_error);
  return j;
}

ojson notifier_json(const std::string& name, const std::string& type, const NotifierStats& s, WallTime now) {
  ojson j;
  j["name"] = name;
  j["type"] = type.empty() ? ojson() : ojson(type);  // null: not configured any more
  j["sent"] = s.sent;
  j["failed"] = s.failed;
  j["retries"] = s.retries;
  j["silenced"] = s.silenced;
  j["pending"] = s.pending;
  j["in_flight"] = s.in_flight;
  // Never negative (the wall clock may have stepped back since), as in /metrics.
  j["oldest_pending_age_seconds"] =
      s.oldest_pending
          ? ojson(std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *s.oldest_pending).count()))
          : ojson();
  j["consecutive_failures"] = s.consecutive_failures;
  j["retry_at"] = iso_or_null(s.retry_at);
  return j;
}

// WallTime counts nanoseconds in an int64: from 1677-09-21 to 2262-04-11. A time outside that
// ("forever" written as 9999-12-31) would wrap around to some other date, so it is refused.
constexpr auto kEarliest = std::chrono::ceil<std::chrono::seconds>(WallTime::min());
constexpr auto kLatest = std::chrono::floor<std::chrono::seconds>(WallTime::max());
constexpr const char* kOutOfRange = "must be between 1678 and 2262";

// `field` of the body as a time: an error naming the field when it is not an ISO 8601 string
// (`example` shows one) or not within what a WallTime holds.
StatusOr<WallTime> parse_time(const nlohmann::json& v, std::string_view field, std::string_view example) {
  auto t = v.is_string() ? parse_iso8601(v.get<std::string>()) : std::nullopt;
  if (!t) return Status::error(fmt::format("`{}` must be an ISO 8601 time, e.g. \"{}\"", field, example));
  if (*t < kEarliest || *t > kLatest) return Status::error(fmt::format("`{}` {}", field, kOutOfRange));
  return std::chrono::time_point_cast<WallTime::duration>(*t);
}

}  // namespace

bool is_shown_delivery_state(std::string_view s) { return s == kAcceptedState || parse_delivery_state(s).has_value(); }

std::string alerts_json(const AlertsView& v, const AlertsQuery& q) {
  ojson j;
  j["timestamp"] = format_iso8601(v.now);  // the daemon's clock, for ages (as in /health)
  j["durable"] = v.durable;
  j["outbox_error"] = v.outbox_error.empty() ? ojson() : ojson(v.outbox_error);
  j["memory_only"] = v.memory_only;
  ojson notifiers = ojson::array();
  for (const auto& [name, s] : v.notifiers) {
    auto type = v.notifier_types.find(name);
    notifiers.push_back(notifier_json(name, type == v.notifier_types.end() ? "" : type->second, s, v.now));
  }
  j["notifiers"] = std::move(notifiers);
  std::size_t pending = 0;
  for (const auto& [name, s] : v.notifiers) pending += s.pending;
  j["pending"] = pending;
  ojson deliveries = ojson::array();
  for (const auto* list : {&v.pending, &v.recent}) {
    for (const Delivery& d : *list) {
      if (deliveries.size() >= q.limit) break;
      const std::string_view state = shown_state(d, v);
      if (!q.state || state == *q.state) deliveries.push_back(delivery_json(d, state));
    }
  }
  j["deliveries"] = std::move(deliveries);
  return dump(j);
}

std::string silence_json(const Silence& s, WallTime now) {
  ojson j;
  j["id"] = s.id;
  ojson matchers = ojson::array();
  for (const SilenceMatcher& m : s.matchers) matchers.push_back({{"name", m.name}, {"value", m.value}});
  j["matchers"] = std::move(matchers);
  j["starts_at"] = format_iso8601(s.starts_at);
  j["ends_at"] = format_iso8601(s.ends_at);
  j["comment"] = s.comment;
  j["author"] = s.author;
  j["created_at"] = format_iso8601(s.created_at);
  j["state"] = silence_state(s, now);
  return dump(j);
}

std::string silences_json(const AlertsView& v) {
  ojson j;
  j["timestamp"] = format_iso8601(v.now);
  ojson silences = ojson::array();
  for (const Silence& s : v.silences) silences.push_back(ojson::parse(silence_json(s, v.now)));
  j["silences"] = std::move(silences);
  ojson windows = ojson::array();
  for (const auto& w : v.windows) {
    ojson e;
    e["index"] = w.index;
    e["match"] = w.spec.match;
    ojson kinds = ojson::array();
    for (SubjectKind k : w.spec.kinds) kinds.push_back(to_string(k));
    e["kind"] = std::move(kinds);
    e["schedule"] = w.spec.schedule.cron();
    e["tz"] = w.spec.schedule.tz();
    e["duration"] = format_duration(w.spec.duration);
    e["comment"] = w.spec.comment;
    e["starts_at"] = format_iso8601(w.starts_at);
    e["ends_at"] = format_iso8601(w.ends_at);
    windows.push_back(std::move(e));
  }
  j["windows"] = std::move(windows);
  return dump(j);
}

StatusOr<Silence> parse_silence_request(std::string_view body, WallTime now) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error&) {
    return Status::error("the body is not JSON");
  }
  if (!j.is_object()) return Status::error("the body must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "matchers" && key != "starts_at" && key != "ends_at" && key != "duration" && key != "comment" &&
        key != "author") {
      return Status::error("unknown field \"" + key + "\" (matchers, starts_at, ends_at, duration, comment, author)");
    }
  }
  Silence s;
  const auto matchers = j.find("matchers");
  if (matchers == j.end() || !matchers->is_array()) {
    return Status::error("`matchers` must be an array of {\"name\", \"value\"}");
  }
  for (const auto& m : *matchers) {
    if (!m.is_object() || !m.contains("name") || !m.contains("value") || !m["name"].is_string() ||
        !m["value"].is_string()) {
      return Status::error("every matcher is {\"name\": \"subject|kind|status|key\", \"value\": \"a glob\"}");
    }
    s.matchers.push_back({m["name"].get<std::string>(), m["value"].get<std::string>()});
  }
  if (Status st = validate_matchers(s.matchers); !st) return st;
  s.starts_at = now;
  if (auto v = j.find("starts_at"); v != j.end()) {
    auto t = parse_time(*v, "starts_at", "2026-04-18T18:00:00Z");
    if (!t) return t.status();
    s.starts_at = *t;
  }
  const bool has_end = j.contains("ends_at");
  const bool has_duration = j.contains("duration");
  if (has_end == has_duration) return Status::error("give one of `ends_at` and `duration`");
  if (has_end) {
    auto t = parse_time(j["ends_at"], "ends_at", "2026-04-18T20:00:00Z");
    if (!t) return t.status();
    s.ends_at = *t;
  } else {
    const auto& v = j["duration"];
    auto d = v.is_string() ? parse_duration(v.get<std::string>()) : std::nullopt;
    if (!d || *d <= Duration::zero()) return Status::error("`duration` must be a duration such as \"2h\" or \"30m\"");
    if (s.starts_at > kLatest - *d) return Status::error("`duration` is too long: the silence would end after 2262");
    s.ends_at = s.starts_at + *d;
  }
  if (s.ends_at <= s.starts_at) return Status::error("`ends_at` must be after `starts_at`");
  if (s.ends_at <= now) return Status::error("the silence would be over already");
  const auto comment = j.find("comment");
  if (comment == j.end() || !comment->is_string() || comment->get<std::string>().empty()) {
    return Status::error("`comment` is required: say why the alerts are muted");
  }
  s.comment = comment->get<std::string>();
  if (auto a = j.find("author"); a != j.end()) {
    if (!a->is_string()) return Status::error("`author` must be a string");
    s.author = a->get<std::string>();
  }
  return s;
}

}  // namespace hale
