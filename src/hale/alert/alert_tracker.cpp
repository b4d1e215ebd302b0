// One (subject, notifier) route's announcements, reminders, resolutions and flapping (see
// alert_tracker.h).
#include "hale/alert/alert_tracker.h"

#include <algorithm>

#include <fmt/format.h>

namespace hale {

namespace {

// How bad a status is: a key is resolved once the subject is better than it.
int badness(Health h) {
  switch (h) {
    case Health::kFail: return 2;
    case Health::kDegraded: return 1;
    default: return 0;
  }
}

bool muted(const SilenceCheck& silenced, const Alert& a) { return silenced && silenced(a); }

}  // namespace

AlertTracker::AlertTracker(SubjectId subject, std::string notifier, AlertPolicy policy)
    : subject_(std::move(subject)), notifier_(std::move(notifier)), policy_(std::move(policy)),
      flap_(policy_.flapping) {}

void AlertTracker::set_policy(AlertPolicy policy) {
  policy_ = std::move(policy);
  flap_.set_policy(policy_.flapping);
}

void AlertTracker::restore(const SavedRoute& saved) {
  open_ = saved.open;
  flap_.restore(saved.flapping, saved.last_change);
  flap_announced_ = saved.flapping;
  flap_since_ = saved.last_change.value_or(WallTime{});
}

SavedRoute AlertTracker::saved() const {
  SavedRoute r;
  r.subject = subject_.key();
  r.notifier = notifier_;
  r.open = open_;
  r.flapping = flap_.flapping() && flap_announced_;
  r.last_change = flap_.last_change();
  return r;
}

bool AlertTracker::alerts_on(Health h) const {
  return std::find(policy_.on.begin(), policy_.on.end(), h) != policy_.on.end();
}

std::vector<Alert> AlertTracker::observe(const SubjectStatus& status, WallTime now, const SilenceCheck& silenced,
                                         const UndeliveredCheck& undelivered) {
  std::vector<Alert> out;
  // Unknown is no news: the last known status holds (its `after` keeps counting, its reminders
  // go on), so a check restarted with its service, or a job whose retry has just started, is
  // neither resolved nor given a fresh start.
  if (status.status == Health::kUnknown) {
    // SPEC §7: a drill's forced status ended and the subject's own is not known (a heartbeat
    // back to "new"): the drill's incident is over; nothing real is known to hold instead.
    if (!status.drill.empty() && current_ && current_->drill == status.drill) {
      for (auto it = open_.begin(); it != open_.end();) {
        if (it->second.drill != status.drill) {
          ++it;
          continue;
        }
        if (policy_.resolved) {
          Alert a = resolution(it->first, it->second, Health::kUnknown, now, status.reason);
          a.state = status.state;
          a.silenced = muted(silenced, a);
          out.push_back(std::move(a));
        }
        held_.erase(it->first);
        muted_resolutions_.erase(it->first);
        it = open_.erase(it);
      }
      muted_.clear();
      current_.reset();
    }
    for (Alert& a : evaluate(now, silenced, undelivered)) out.push_back(std::move(a));
    return out;
  }
  SubjectStatus seen = status;
  // SPEC §7 drills: a real incident already announced is never turned into a drill's.
  if (auto open = open_.find(seen.status); open != open_.end() && open->second.drill.empty()) seen.drill.clear();
  const bool changed = !current_ || current_->status != seen.status;
  if (current_ && changed) previous_ = current_->status;
  // A drill is over but the subject still is in the status the drill forced (also after a
  // restart of hale, which restored the drill's open key): what the drill opened is resolved
  // (the drill's), and the real problem is a new incident from now.
  const auto drill_key = open_.find(seen.status);
  const bool drill_over =
      seen.drill.empty() && ((current_ && !changed && !current_->drill.empty()) ||
                             (drill_key != open_.end() && !drill_key->second.drill.empty()));
  if (drill_over) {
    if (auto open = drill_key; open != open_.end() && !open->second.drill.empty()) {
      if (policy_.resolved) {
        Alert a = resolution(open->first, open->second, seen.status, now, "drill over; the problem is real: " + seen.reason);
        a.status = Health::kUnknown;
        a.state = "drill over";
        a.silenced = muted(silenced, a);
        out.push_back(std::move(a));
      }
      held_.erase(open->first);
      open_.erase(open);
    }
    muted_.erase(seen.status);
  }
  // The same status again (after an unknown, or seen anew after a reload) goes on from when it
  // began; its reason and state word are the latest.
  const WallTime since = changed ? seen.since : drill_over ? now : current_->since;
  current_ = std::move(seen);
  current_->since = since;
  if (changed) {
    // Only a change of what this route alerts on is a flip: with on = ["fail"], a check that
    // wavers between ok and degraded is not flapping as far as this receiver is concerned.
    const Health cls = alerts_on(status.status) ? status.status : Health::kOk;
    if (last_class_ && *last_class_ != cls && flap_.record_change(now)) {
      flap_since_ = now;
      flap_announced_ = false;  // evaluate() says it (or records it muted)
      flap_muted_ = false;
    }
    last_class_ = cls;
  }
  for (Alert& a : evaluate(now, silenced, undelivered)) out.push_back(std::move(a));
  return out;
}

std::vector<Alert> AlertTracker::tick(WallTime now, const SilenceCheck& silenced, const UndeliveredCheck& undelivered) {
  return evaluate(now, silenced, undelivered);
}

void AlertTracker::delivered(const Alert& a, bool accepted, WallTime at) {
  // Resolutions and flapping have no reminders; only an announcement or a reminder counts.
  if (a.resolved || a.flapping || a.key != alert_key(subject_, a.status)) return;
  held_.erase(a.status);
  auto open = open_.find(a.status);
  if (!accepted || open == open_.end()) return;
  // SPEC §6: at most once per repeat, as the receiver sees it: from when it got the message.
  if (at > open->second.last_sent) open->second.last_sent = at;
}

std::vector<Alert> AlertTracker::remove(WallTime now, const SilenceCheck& silenced) {
  std::vector<Alert> out;
  if (policy_.resolved) {
    // The subject is gone: what a receiver was told is ended now (muted: recorded, and dropped,
    // since there is no later to wait for).
    if (flap_.flapping() && flap_announced_) {
      Alert a = flapping_alert(/*stable=*/true, now);
      a.message = "no longer in the configuration";
      a.silenced = muted(silenced, a);
      out.push_back(std::move(a));
    }
    for (const auto& [status, k] : open_) {
      Alert a = resolution(status, k, Health::kUnknown, now, "no longer in the configuration");
      a.state = "removed";
      a.silenced = muted(silenced, a);
      out.push_back(std::move(a));
    }
  }
  open_.clear();
  muted_.clear();
  muted_resolutions_.clear();
  held_.clear();
  flap_announced_ = false;
  return out;
}

std::vector<Alert> AlertTracker::evaluate(WallTime now, const SilenceCheck& silenced,
                                          const UndeliveredCheck& undelivered) {
  std::vector<Alert> out;
  if (flap_.flapping()) {
    if (!flap_.check_stable(now)) {
      // SPEC §6: flapping is said once, not once per flip; muted, it is recorded once and said
      // when the silence ends, if it is still flapping then.
      if (!flap_announced_) {
        Alert a = flapping_alert(/*stable=*/false, now);
        if (!muted(silenced, a)) {
          flap_announced_ = true;
          out.push_back(std::move(a));
        } else if (!flap_muted_) {
          flap_muted_ = true;
          a.silenced = true;
          out.push_back(std::move(a));
        }
      }
      return out;
    }
    // Stable again: said once (if "flapping" was said), then whatever the status calls for.
    if (flap_announced_) {
      Alert a = flapping_alert(/*stable=*/true, now);
      a.silenced = muted(silenced, a);
      out.push_back(std::move(a));
    }
    flap_announced_ = false;
    flap_muted_ = false;
  }
  if (!current_) return out;
  const Health s = current_->status;  // never unknown (observe() keeps the last known one)
  // Better than an open key: that key is over. A muted resolution keeps the key open (the
  // receiver still shows it firing) and is recorded once; it goes out when the silence ends,
  // or the incident simply goes on if the subject is back in that status by then.
  for (auto it = open_.begin(); it != open_.end();) {
    // A drill forcing a subject better (ok) never resolves a real incident: the problem is
    // still there underneath, and comes back into view when the drill ends.
    const bool drill_hides_it = !current_->drill.empty() && it->second.drill.empty();
    if (badness(s) >= badness(it->first) || drill_hides_it) {
      muted_resolutions_.erase(it->first);
      ++it;
      continue;
    }
    if (policy_.resolved) {
      Alert a = resolution(it->first, it->second, s, now, current_->reason);
      if (muted(silenced, a)) {
        if (muted_resolutions_.insert(it->first).second) {
          a.silenced = true;
          out.push_back(std::move(a));
        }
        ++it;
        continue;
      }
      out.push_back(std::move(a));
    }
    muted_resolutions_.erase(it->first);
    held_.erase(it->first);
    it = open_.erase(it);
  }
  // A muted announcement of a status the subject has left is moot.
  std::erase_if(muted_, [s](Health m) { return m != s; });
  if (!alerts_on(s)) return out;
  if (auto open = open_.find(s); open != open_.end()) {
    OpenKey& k = open->second;
    if (policy_.repeat <= Duration::zero() || now < k.last_sent + policy_.repeat) return out;
    if (undelivered && undelivered(alert_key(subject_, s))) {
      held_.insert(s);  // made once delivered() says the receiver has the last one
      return out;
    }
    held_.erase(s);
    Alert a = firing(s, now);
    a.previous = k.previous;
    a.since = k.since;
    a.sequence = k.sequence + 1;
    if (muted(silenced, a)) {
      muted_.insert(s);  // reminded once the silence is over, if it still fails then
      return out;
    }
    muted_.erase(s);
    k.sequence = a.sequence;
    k.last_sent = now;
    out.push_back(std::move(a));
    return out;
  }
  // SPEC §7: a check blocked by its failing parent is not announced on its own (the parent's
  // message lists it); it is, once the parent recovered, if it still fails then.
  if (!current_->blocked_by.empty()) return out;
  if (now < current_->since + policy_.after) return out;  // not lasted long enough (yet)
  Alert a = firing(s, now);
  if (muted(silenced, a)) {
    // Recorded once as silenced; announced for real when a tick finds no silence muting it.
    if (muted_.insert(s).second) {
      a.silenced = true;
      out.push_back(std::move(a));
    }
    return out;
  }
  muted_.erase(s);
  open_[s] = OpenKey{previous_,        current_->since, now, now, 0, current_->critical, current_->state,
                     current_->reason, current_->drill};
  out.push_back(std::move(a));
  return out;
}

std::optional<WallTime> AlertTracker::next_deadline() const {
  if (flap_.flapping()) return flap_.next_deadline();
  if (!current_) return std::nullopt;
  const Health s = current_->status;
  // A muted alert waits for the silence to change, which the caller watches.
  if (!alerts_on(s) || muted_.count(s) != 0) return std::nullopt;
  if (auto open = open_.find(s); open != open_.end()) {
    // A held reminder waits for delivered(), which the caller reports.
    if (policy_.repeat <= Duration::zero() || held_.count(s) != 0) return std::nullopt;
    return open->second.last_sent + policy_.repeat;
  }
  if (!current_->blocked_by.empty()) return std::nullopt;  // waits for its parent to recover
  return current_->since + policy_.after;
}

Alert AlertTracker::make_alert(std::string key, WallTime now) const {
  Alert a;
  a.key = std::move(key);
  a.kind = subject_.kind;
  a.subject = subject_.name;
  a.at = now;
  a.repeat = policy_.repeat;
  if (current_) {
    a.status = current_->status;
    a.state = current_->state;
    a.critical = current_->critical;
    a.message = current_->reason;
    a.since = current_->since;
    a.drill = current_->drill;
  }
  return a;
}

Alert AlertTracker::firing(Health status, WallTime now) const {
  Alert a = make_alert(alert_key(subject_, status), now);
  a.previous = previous_;
  return a;
}

Alert AlertTracker::resolution(Health ended, const OpenKey& k, Health now_status, WallTime now,
                               std::string message) const {
  Alert a = make_alert(alert_key(subject_, ended), now);
  a.status = now_status;
  a.previous = ended;
  a.resolved = true;
  a.critical = k.critical;
  a.since = k.since;
  a.sequence = k.sequence;
  a.message = std::move(message);
  a.drill = k.drill;  // the recovery from a drill is the drill's too
  return a;
}

Alert AlertTracker::flapping_alert(bool stable, WallTime now) const {
  Alert a = make_alert(flapping_key(subject_), now);
  a.previous = previous_;
  a.flapping = !stable;
  a.resolved = stable;
  if (stable) {
    a.since = flap_since_;
    a.message = fmt::format("stable again for {}: {}", format_duration(policy_.flapping.window),
                            current_ ? current_->reason : std::string());
  } else {
    a.since = flap_since_;
    a.message = fmt::format("changed status more than {} times within {}", policy_.flapping.max_changes,
                            format_duration(policy_.flapping.window));
  }
  return a;
}

}  // namespace hale
