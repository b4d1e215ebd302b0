// Every (subject, notifier) route of the config (see alerter.h).
#include "hale/alert/alerter.h"
#include "hale/alert/digest.h"

#include <set>

#include <fmt/format.h>

#include "hale/alert/alert_routes.h"

namespace hale {

namespace {

// Expired API silences are kept this long for the API, as Alertmanager keeps them.
constexpr Duration kKeepExpiredSilences = std::chrono::hours(24 * 5);

std::vector<SubjectId> subjects_of(const Config& config) {
  std::vector<SubjectId> out;
  for (const CheckSpec& c : config.checks) out.push_back({SubjectKind::kCheck, c.name});
  for (const ServiceSpec& s : config.services) out.push_back({SubjectKind::kService, s.name});
  for (const HeartbeatSpec& h : config.heartbeats) out.push_back({SubjectKind::kHeartbeat, h.name});
  out.push_back({SubjectKind::kHale, kStateStoreSubject});  // always there
  // SPEC §7: a scheduled drill's own result is alerted ("drill/NAME").
  for (const DrillSpec& d : config.drills) {
    if (!d.schedule.empty()) out.push_back({SubjectKind::kDrill, d.name});
  }
  return out;
}

// "check/db" -> {check, "db"}.
std::optional<SubjectId> parse_subject_key(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto kind = parse_subject_kind(key.substr(0, slash));
  if (!kind) return std::nullopt;
  return SubjectId{*kind, std::string(key.substr(slash + 1))};
}

}  // namespace

Alerter::Alerter(const Clock& clock, std::uint64_t seed, Sink sink)
    : clock_(clock), rng_(seed), sink_(std::move(sink)) {}

std::string Alerter::new_id() {
  const std::uint64_t hi = rng_();
  const std::uint64_t lo = rng_();
  return fmt::format("{:016x}{:016x}", hi, lo);
}

void Alerter::restore(std::vector<SavedRoute> routes, std::vector<Silence> silences) {
  for (SavedRoute& r : routes) {
    RouteKey k{r.subject, r.notifier};
    saved_.emplace(std::move(k), std::move(r));
  }
  silences_.set_silences(std::move(silences));
  silences_changed_ = true;
}

void Alerter::track(const RouteKey& k, const AlertTracker& t) {
  if (auto it = deadline_of_.find(k); it != deadline_of_.end()) {
    deadlines_.erase({it->second, k});
    deadline_of_.erase(it);
  }
  if (auto d = t.next_deadline()) {
    deadlines_.emplace(*d, k);
    deadline_of_.emplace(k, *d);
  }
}

void Alerter::track_all() {
  deadlines_.clear();
  deadline_of_.clear();
  for (const auto& [k, t] : routes_) track(k, t);
  silences_change_ = silences_.next_change(clock_.wall_now());
}

SilenceCheck Alerter::silence_check(const std::string& notifier) const {
  const WallTime now = clock_.wall_now();
  return [this, now, &notifier](const Alert& a) { return withholds_drill(notifier, a) || silences_.muted(a, now); };
}

bool Alerter::withholds_drill(const std::string& notifier, const Alert& a) const {
  return !a.drill.empty() && !drill_notifiers_.contains(notifier) && !paging_drills_.contains(a.drill) &&
         !paging_running_.contains(a.drill);
}

UndeliveredCheck Alerter::undelivered_check(const AlertTracker& t) const {
  if (!undelivered_) return {};
  return [this, &t](const std::string& key) { return undelivered_(t.notifier(), key); };
}

void Alerter::delivered(const Delivery& d) {
  if (d.state != DeliveryState::kSent && d.state != DeliveryState::kFailed) return;
  AlertBatch batch;
  // A digest (SPEC §7) was delivered for each of its members.
  for (const Alert& a : carried_alerts(d.alert)) {
    auto it = routes_.find(RouteKey{SubjectId{a.kind, a.subject}.key(), d.notifier});
    if (it == routes_.end()) continue;
    AlertTracker& t = it->second;
    SavedRoute before = t.saved();
    t.delivered(a, d.state == DeliveryState::kSent, d.done_at.value_or(clock_.wall_now()));
    track(it->first, t);
    // The repeat now counts from the receiver's acceptance: saved, or a restart would remind early.
    collect(t, before, {}, batch, true);
  }
  emit(std::move(batch));
}

void Alerter::apply(const Config& config) {
  const WallTime now = clock_.wall_now();
  silences_.set_windows(config.silences);
  auto configured = [&](const std::string& notifier) { return config.find_notifier(notifier) != nullptr; };

  AlertBatch batch;
  std::map<RouteKey, AlertTracker> next;
  std::map<std::string, std::vector<RouteKey>, std::less<>> by_subject;
  std::set<std::string, std::less<>> subjects;
  for (const SubjectId& subject : subjects_of(config)) {
    subjects.insert(subject.key());
    for (AlertRoute& route : routes_for(subject, config.alerts)) {
      if (!configured(route.notifier)) continue;  // the loader refuses such a file
      RouteKey k{subject.key(), route.notifier};
      if (auto old = routes_.find(k); old != routes_.end()) {
        // Kept across a reload: open keys stay open under the (maybe new) policy.
        AlertTracker t = std::move(old->second);
        routes_.erase(old);
        t.set_policy(std::move(route.policy));
        next.emplace(k, std::move(t));
      } else {
        AlertTracker t(subject, route.notifier, std::move(route.policy));
        if (auto saved = saved_.find(k); saved != saved_.end()) {
          t.restore(saved->second);
          saved_.erase(saved);
        }
        next.emplace(k, std::move(t));
      }
      by_subject[subject.key()].push_back(k);
    }
  }
  drill_notifiers_.clear();
  for (const NotifierSpec& n : config.notifiers) {
    if (n.drills) drill_notifiers_.insert(n.name);
  }
  paging_drills_.clear();
  for (const DrillSpec& d : config.drills) {
    if (d.page) paging_drills_.insert(d.name);
  }
  // Routes no longer configured: a subject that went away gets its open keys resolved; a route
  // that a rule change took away is dropped without a word (the subject is still watched).
  for (auto& [k, t] : routes_) {
    if (!subjects.contains(k.first) && configured(k.second)) {
      collect(t, t.saved(), t.remove(now, silence_check(k.second)), batch, false);
    }
    batch.forget.push_back(k);
  }
  // Saved by a previous hale and not configured now: the same, once.
  for (auto& [k, saved] : saved_) {
    auto subject = parse_subject_key(k.first);
    if (subject && !subjects.contains(k.first) && configured(k.second) && (!saved.open.empty() || saved.flapping)) {
      AlertPolicy resolve_all;  // its rule may be gone: `resolved` as by default
      AlertTracker t(*subject, k.second, resolve_all);
      t.restore(saved);
      collect(t, t.saved(), t.remove(now, silence_check(k.second)), batch, false);
    }
    batch.forget.push_back(k);
  }
  saved_.clear();
  routes_ = std::move(next);
  by_subject_ = std::move(by_subject);
  track_all();
  emit(std::move(batch));
}

void Alerter::observe(const SubjectId& subject, const SubjectStatus& status) {
  auto it = by_subject_.find(subject.key());
  if (it == by_subject_.end()) return;
  const WallTime now = clock_.wall_now();
  AlertBatch batch;
  for (const RouteKey& k : it->second) {
    AlertTracker& t = routes_.at(k);
    SavedRoute before = t.saved();
    collect(t, before, t.observe(status, now, silence_check(k.second), undelivered_check(t)), batch, true);
    track(k, t);
  }
  emit(std::move(batch));
}

void Alerter::tick() {
  const WallTime now = clock_.wall_now();
  silences_.forget_ended_before(now - kKeepExpiredSilences);
  // A silence that started or ended may mute or release any route; otherwise only the routes
  // whose deadline has come have anything to say.
  const bool every_route = silences_changed_ || (silences_change_ && *silences_change_ <= now);
  std::vector<RouteKey> due;
  if (every_route) {
    for (const auto& [k, t] : routes_) due.push_back(k);
  } else {
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) due.push_back(it->second);
  }
  AlertBatch batch;
  for (const RouteKey& k : due) {
    AlertTracker& t = routes_.at(k);
    SavedRoute before = t.saved();
    collect(t, before, t.tick(now, silence_check(k.second), undelivered_check(t)), batch, true);
    track(k, t);
  }
  if (every_route) {
    silences_changed_ = false;
    silences_change_ = silences_.next_change(now);
  }
  flush_groups(now, batch);
  emit(std::move(batch));
}

std::optional<WallTime> Alerter::next_deadline() const {
  std::optional<WallTime> next = silences_changed_ ? std::optional<WallTime>(clock_.wall_now()) : silences_change_;
  if (!deadlines_.empty() && (!next || deadlines_.begin()->first < *next)) next = deadlines_.begin()->first;
  for (const auto& [notifier, g] : groups_) {
    if (!next || g.flush_at < *next) next = g.flush_at;
  }
  return next;
}

Silence Alerter::add_silence(Silence s) {
  if (s.id.empty()) s.id = new_id();
  s.created_at = clock_.wall_now();
  silences_.put(s);
  // It mutes only what is made from now on, but its start and end are deadlines.
  silences_change_ = silences_.next_change(clock_.wall_now());
  AlertBatch batch;
  batch.silences.push_back(s);
  emit(std::move(batch));
  return s;
}

bool Alerter::expire_silence(std::string_view id) {
  Silence expired;
  if (!silences_.expire(id, clock_.wall_now(), &expired)) return false;
  silences_changed_ = true;
  AlertBatch batch;
  batch.silences.push_back(std::move(expired));
  emit(std::move(batch));
  tick();  // what it muted and still matters goes out now
  return true;
}

void Alerter::collect(AlertTracker& t, const SavedRoute& before, std::vector<Alert> alerts, AlertBatch& batch,
                      bool save_route) {
  const Duration wait = t.policy().group_wait;
  if (wait > Duration::zero()) {
    // A rule with a group_wait: what is sent waits in its notifier's group; what is only
    // recorded (silenced) is recorded now. A save of the route waits with the group while it
    // is open, so that it never gets ahead of the digest it belongs to.
    std::vector<Alert> recorded;
    for (Alert& a : alerts) {
      if (a.silenced) {
        recorded.push_back(std::move(a));
        continue;
      }
      Group& g = groups_[t.notifier()];
      if (g.alerts.empty()) g.flush_at = a.at + wait;
      g.alerts.push_back(std::move(a));
    }
    alerts = std::move(recorded);
    auto group = groups_.find(t.notifier());
    if (group != groups_.end() && save_route) {
      SavedRoute after = t.saved();
      const RouteKey k{after.subject, after.notifier};
      if (after != before || group->second.routes.count(k)) group->second.routes[k] = std::move(after);
      save_route = false;
    }
  }
  for (Alert& a : alerts) {
    Delivery d;
    d.id = new_id();
    d.notifier = t.notifier();
    d.created_at = a.at;
    if (a.silenced) {
      d.state = DeliveryState::kSilenced;
      d.done_at = a.at;
      // SPEC §7: recorded, not sent, because it is a drill's (a silence needs no word).
      if (withholds_drill(t.notifier(), a)) d.last_error = "drill " + a.drill + ": this notifier has drills = false";
    } else {
      d.next_attempt_at = a.at;
    }
    d.alert = std::move(a);
    batch.deliveries.push_back(std::move(d));
  }
  if (!save_route) return;
  SavedRoute after = t.saved();
  if (after != before) batch.routes.push_back(std::move(after));
}

void Alerter::flush_groups(WallTime now, AlertBatch& batch) {
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& g = it->second;
    if (!g.alerts.empty() && now < g.flush_at) {
      ++it;
      continue;
    }
    if (!g.alerts.empty()) {
      Delivery d;
      d.id = new_id();
      d.notifier = it->first;
      d.created_at = now;
      d.next_attempt_at = now;
      // A lone problem goes out as itself, having waited at most group_wait.
      d.alert = g.alerts.size() == 1 ? std::move(g.alerts.front()) : make_digest(std::move(g.alerts), now);
      batch.deliveries.push_back(std::move(d));
    }
    for (auto& [k, route] : g.routes) batch.routes.push_back(std::move(route));
    it = groups_.erase(it);
  }
}

void Alerter::emit(AlertBatch batch) {
  if (!batch.empty() && sink_) sink_(std::move(batch));
}

}  // namespace hale
