// Recorder: minutes, time accounting and incidents on the loop (see recorder.h).
#include "hale/history/recorder.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace hale::history {

namespace {

constexpr std::int64_t kMinute = 60;

WallTime at_unix(std::int64_t s) { return WallTime(std::chrono::seconds(s)); }

double seconds_between(WallTime a, WallTime b) {
  return std::chrono::duration<double>(b - a).count();
}

SubjectId subject_of_key(const std::string& key) {
  const auto slash = key.find('/');
  SubjectId id;
  id.kind = parse_subject_kind(key.substr(0, slash)).value_or(SubjectKind::kCheck);
  id.name = key.substr(slash + 1);
  return id;
}

bool bad(Health h) { return h == Health::kFail || h == Health::kDegraded; }

}  // namespace

Recorder::Recorder(MaintenanceCheck maintenance) : maintenance_(std::move(maintenance)) {}

void Recorder::restore(std::vector<Incident> open, std::int64_t next_incident_id) {
  next_incident_ = std::max(next_incident_, next_incident_id);
  for (Incident& i : open) {
    const std::string key = i.subject.key();
    OpenIncident& o = incidents_[key];
    o.incident = std::move(i);
  }
}

Recorder::Open& Recorder::open(const std::string& key, SubjectKind kind, WallTime at) {
  auto [it, fresh] = subjects_.try_emplace(key);
  Open& o = it->second;
  if (fresh) {
    o.kind = kind;
    o.minute = floor_to(unix_seconds(at), kMinute);
    o.since = at;
  }
  return o;
}

Recorder::Category Recorder::category_of(const std::string& key, const Open& o) const {
  switch (o.health) {
    case Health::kOk:
    case Health::kDegraded: return Category::kUp;
    case Health::kFail:
      if (o.drill) return Category::kMaintenance;
      if (maintenance_ && maintenance_(subject_of_key(key))) return Category::kMaintenance;
      return Category::kDown;
    case Health::kUnknown: break;
  }
  return Category::kUnknown;
}

void Recorder::account(Open& o, WallTime to) {
  const auto s = static_cast<float>(std::max(0.0, seconds_between(o.since, to)));
  switch (o.category) {
    case Category::kUp: o.up += s; break;
    case Category::kDown: o.down += s; break;
    case Category::kMaintenance: o.maintenance += s; break;
    case Category::kUnknown: break;
  }
  o.since = std::max(o.since, to);
}

void Recorder::advance(const std::string& key, Open& o, WallTime to, std::vector<MinutePoint>* closed) {
  for (;;) {
    const WallTime minute_end = at_unix(o.minute + kMinute);
    if (to < minute_end) {
      account(o, to);
      return;
    }
    account(o, minute_end);
    if (Point p = point_of(o, o.minute); closed && !empty(p)) closed->push_back({subject_of_key(key), p});
    reset(o);
    o.minute += kMinute;
    // Nothing to count in between (the loop stalled, or the clock jumped): straight to `to`.
    if (o.category == Category::kUnknown && at_unix(o.minute + kMinute) <= to) {
      o.minute = floor_to(unix_seconds(to), kMinute);
      o.since = std::max(o.since, at_unix(o.minute));
    }
  }
}

void Recorder::reset(Open& o) {
  o.count = 0;
  o.failures = 0;
  o.latencies.clear();
  o.up = o.down = o.maintenance = 0;
}

bool Recorder::empty(const Point& p) {
  return p.count == 0 && p.up_seconds == 0 && p.down_seconds == 0 && p.maintenance_seconds == 0;
}

Point Recorder::point_of(const Open& o, std::int64_t t, bool latency, double pending) const {
  Point p;
  p.t = t;
  p.count = o.count;
  p.failures = o.failures;
  if (latency && !o.latencies.empty()) {
    std::vector<double> l(o.latencies.begin(), o.latencies.end());
    p.p50_ms = percentile(l, 0.5);
    p.p95_ms = percentile(l, 0.95);
    p.max_ms = l.back();
    p.has_latency = true;
  }
  // Whole seconds that add up to at most the minute.
  auto whole = [](double s) { return static_cast<std::uint32_t>(std::clamp(std::lround(s), 0L, kMinute)); };
  const auto now_in = [&](Category c) { return o.category == c ? pending : 0.0; };
  p.up_seconds = whole(o.up + now_in(Category::kUp));
  p.down_seconds = whole(o.down + now_in(Category::kDown));
  p.maintenance_seconds = whole(o.maintenance + now_in(Category::kMaintenance));
  while (p.up_seconds + p.down_seconds + p.maintenance_seconds > kMinute) {
    std::uint32_t& biggest = p.up_seconds >= p.down_seconds && p.up_seconds >= p.maintenance_seconds ? p.up_seconds
                             : p.down_seconds >= p.maintenance_seconds                                ? p.down_seconds
                                                                                                      : p.maintenance_seconds;
    --biggest;
  }
  return p;
}

void Recorder::result(const SubjectId& subject, WallTime at, bool failed, std::optional<double> latency_ms,
                      const std::string& reason) {
  // Called for every probe result: the key is made once.
  const std::string key = subject.key();
  Open& o = open(key, subject.kind, at);
  advance(key, o, at, &pending_.minutes);
  ++o.count;
  if (failed) ++o.failures;
  if (latency_ms) o.latencies.push_back(static_cast<float>(*latency_ms));
  if (!failed) return;
  auto it = incidents_.find(key);
  if (it == incidents_.end()) return;
  OpenIncident& inc = it->second;
  // The failing results of an incident: each new reason once (a reason repeated on every probe
  // says nothing new), at most kMaxResultEvents.
  if (reason == inc.last_reason || inc.result_events >= kMaxResultEvents) return;
  inc.last_reason = reason;
  ++inc.result_events;
  Event e;
  e.at = at;
  e.subject = subject;
  e.type = "result";
  e.text = "failed: " + reason;
  e.incident = inc.incident.id;
  nlohmann::json data{{"reason", reason}};
  if (latency_ms) data["latency_ms"] = *latency_ms;
  e.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  push_event(std::move(e));
}

void Recorder::status(const SubjectId& subject, const StatusChange& change) {
  const std::string key = subject.key();
  Open& o = open(key, subject.kind, change.at);
  advance(key, o, change.at, &pending_.minutes);
  const Health before = o.health;
  const std::string before_word = o.state ? *o.state : std::string(to_string(before));
  o.health = change.status.status;
  o.state = change.status.state.empty() ? nullptr : &*words_.insert(change.status.state).first;
  o.drill = !change.status.drill.empty();
  o.category = category_of(key, o);

  auto it = incidents_.find(key);
  if (bad(o.health) && it == incidents_.end()) {
    OpenIncident fresh;
    Incident& i = fresh.incident;
    i.id = next_incident_++;
    i.subject = subject;
    i.detected_at = change.at;
    i.started_at = std::min(change.first_failure.value_or(change.at), change.at);
    i.worst = std::string(to_string(o.health));
    i.cause = change.status.reason;
    i.drill = change.status.drill;
    fresh.last_reason = change.status.reason;
    it = incidents_.emplace(key, std::move(fresh)).first;
    changed(it->second.incident);
  } else if (it != incidents_.end() && o.health == Health::kFail && it->second.incident.worst != "fail") {
    it->second.incident.worst = "fail";
    changed(it->second.incident);
  }

  Event e;
  e.at = change.at;
  e.subject = subject;
  e.type = "transition";
  e.text = fmt::format("{} -> {}{}{}", before_word, change.status.state.empty() ? to_string(o.health) : change.status.state,
                       change.status.reason.empty() ? "" : ": ", change.status.reason);
  e.data = change.data;
  if (it != incidents_.end()) e.incident = it->second.incident.id;
  push_event(std::move(e));

  // Back to ok ends it; so does the subject's removal (it will not come back to say so).
  if (it != incidents_.end() && (o.health == Health::kOk || change.removed)) {
    it->second.incident.resolved_at = change.at;
    changed(it->second.incident);
    last_closed_[key] = it->second.incident.id;
    incidents_.erase(it);
  }
  if (change.removed) {
    // Its last minute is kept; nothing more will be counted for it.
    if (Point p = point_of(o, o.minute); !empty(p)) pending_.minutes.push_back({subject, p});
    subjects_.erase(key);
  }
  (void)before;
}

void Recorder::event(Event e) {
  if (e.incident == 0) {
    if (auto it = incidents_.find(e.subject.key()); it != incidents_.end()) e.incident = it->second.incident.id;
  }
  push_event(std::move(e));
}

void Recorder::delivery(const Delivery& d, bool attempt) {
  // A delivery is told when it is made (pending, or silenced) and when it ends (sent, failed);
  // its end is one of its attempts, which are events of their own.
  if (!attempt && (d.state == DeliveryState::kSent || d.state == DeliveryState::kFailed)) return;
  for (const Alert& a : carried_alerts(d.alert)) {
    const SubjectId subject{a.kind, a.subject};
    const std::string key = subject.key();
    Event e;
    e.at = attempt ? d.last_attempt_at.value_or(d.created_at) : d.created_at;
    e.subject = subject;
    e.type = attempt ? "delivery" : "alert";
    const std::string what = a.resolved ? "resolved" : std::string(to_string(a.status));
    if (!attempt) {
      e.text = fmt::format("alert {} ({}) to {}: {}", a.key, what, d.notifier, to_string(d.state));
    } else if (d.state == DeliveryState::kPending) {
      e.text = fmt::format("delivery to {} failed (attempt {}): {}; retrying", d.notifier, d.attempts, d.last_error);
    } else {
      e.text = fmt::format("delivery to {} {} (attempt {}){}{}", d.notifier, to_string(d.state), d.attempts,
                           d.last_error.empty() ? "" : ": ", d.last_error);
    }
    nlohmann::json data{{"id", d.id},      {"notifier", d.notifier}, {"key", a.key},           {"state", to_string(d.state)},
                        {"attempts", d.attempts}, {"resolved", a.resolved},  {"error", d.last_error}};
    e.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (auto it = incidents_.find(key); it != incidents_.end()) {
      e.incident = it->second.incident.id;
      Incident& i = it->second.incident;
      if (attempt && d.state == DeliveryState::kSent && !a.resolved && !i.alerted_at) {
        i.alerted_at = e.at;
        changed(i);
      }
    } else if (auto closed = last_closed_.find(key); closed != last_closed_.end() && a.resolved) {
      e.incident = closed->second;  // the resolution of the incident that just ended
    }
    push_event(std::move(e));
  }
}

void Recorder::push_event(Event e) { pending_.events.push_back(std::move(e)); }

void Recorder::changed(const Incident& i) {
  for (Incident& queued : pending_.incidents) {
    if (queued.id == i.id) {
      queued = i;
      return;
    }
  }
  pending_.incidents.push_back(i);
}

Batch Recorder::take(WallTime now) {
  Batch out = std::move(pending_);
  pending_ = {};
  for (auto& [key, o] : subjects_) {
    // A silence or window may have begun or ended since the last look.
    if (o.health == Health::kFail) {
      const Category c = category_of(key, o);
      if (c != o.category) {
        advance(key, o, now, &out.minutes);
        o.category = c;
      }
    }
    advance(key, o, now, &out.minutes);
  }
  return out;
}

Batch Recorder::drain(WallTime now) {
  Batch out = take(now);
  for (auto& [key, o] : subjects_) {
    if (Point p = point_of(o, o.minute); !empty(p)) out.minutes.push_back({subject_of_key(key), p});
    reset(o);
  }
  return out;
}

std::optional<Point> Recorder::current(const SubjectId& subject, WallTime now, bool latency) const {
  auto it = subjects_.find(subject.key());
  if (it == subjects_.end()) return std::nullopt;
  const Open& open = it->second;
  if (now >= at_unix(open.minute + kMinute)) return std::nullopt;  // closed by the next take()
  // Its seconds up to now, counted without touching (or copying) it.
  Point p = point_of(open, open.minute, latency, std::max(0.0, seconds_between(open.since, now)));
  if (empty(p)) return std::nullopt;
  return p;
}

bool Recorder::has_status(const SubjectId& subject) const {
  auto it = subjects_.find(subject.key());
  return it != subjects_.end() && it->second.health != Health::kUnknown;
}

const Incident* Recorder::open_incident(const SubjectId& subject) const {
  auto it = incidents_.find(subject.key());
  return it == incidents_.end() ? nullptr : &it->second.incident;
}

}  // namespace hale::history
