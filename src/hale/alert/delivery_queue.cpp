// Which outbox rows to attempt when (see delivery_queue.h).
#include "hale/alert/delivery_queue.h"

#include <algorithm>

#include <fmt/format.h>


namespace hale {

namespace {

// A delivery's subject, as a key into the walks' "seen" sets: views into the delivery, which
// stays where it is while a walk runs.
using SubjectRef = std::pair<SubjectKind, std::string_view>;
using Seen = std::map<std::string_view, std::set<SubjectRef>, std::less<>>;  // notifier -> subjects

// Marks the subjects of `d` seen for its notifier; true when none of them had an earlier
// delivery (a digest waits for every earlier delivery about any of its subjects, and a later
// delivery about one of them waits for the digest).
bool first_of_its_subjects(Seen& seen, const Delivery& d) {
  std::set<SubjectRef>& s = seen[d.notifier];
  bool first = true;
  for (const Alert& a : carried_alerts(d.alert)) first = s.insert({a.kind, a.subject}).second && first;
  return first;
}

}  // namespace

DeliveryQueue::DeliveryQueue(Random random) : random_(std::move(random)) {}

DeliveryQueue::Notifier& DeliveryQueue::notifier(const std::string& name) { return notifiers_[name]; }

void DeliveryQueue::set_notifiers(std::map<std::string, RetryPolicy> notifiers) {
  for (auto& [name, n] : notifiers_) n.configured = false;
  for (auto& [name, retry] : notifiers) {
    Notifier& n = notifier(name);
    n.retry = retry;
    n.configured = true;
  }
}

std::size_t DeliveryQueue::capacity(const Notifier& n) const {
  // A receiver that failed is tried with one delivery at a time until it accepts one.
  return n.failures > 0 ? 1 : kMaxInFlight;
}

void DeliveryQueue::add(Delivery d, bool counted) {
  if (d.state != DeliveryState::kPending) {
    if (counted && d.state == DeliveryState::kSilenced) ++notifier(d.notifier).counters.silenced;
    finished_.push_front(std::move(d));
    if (finished_.size() > kKeepFinished) finished_.pop_back();
    return;
  }
  notifier(d.notifier);  // known from now on, configured or not
  const std::uint64_t place = ++arrivals_;
  by_id_[d.id] = place;
  for (const Alert& a : carried_alerts(d.alert)) ++by_key_[{d.notifier, a.key}];
  pending_[place] = Entry{std::move(d)};
}

std::vector<Delivery> DeliveryQueue::expire(WallTime now, const std::function<bool(const std::string&)>& exempt) {
  std::vector<Delivery> out;
  for (auto& [place, e] : pending_) {
    if (exempt && exempt(e.delivery.notifier)) continue;
    Notifier& n = notifier(e.delivery.notifier);
    const auto& give_up = n.retry.give_up_after;
    if (e.in_flight || !n.configured || !give_up || now < e.delivery.created_at + *give_up) continue;
    Delivery& d = e.delivery;
    d.state = DeliveryState::kFailed;
    d.done_at = now;
    d.next_attempt_at.reset();
    d.last_error = fmt::format("gave up after {}{}{}", format_duration(*give_up), d.last_error.empty() ? "" : ": ",
                               d.last_error);
    ++n.counters.failed;
    out.push_back(d);
  }
  for (const Delivery& d : out) retire(d.id);
  return out;
}

void DeliveryQueue::forget_failures(const std::string& name, WallTime now) {
  Notifier& n = notifier(name);
  n.failures = 0;
  n.retry_at.reset();
  n.last_failure = now;  // a refusal of an attempt started before now does not count
  for (auto& [place, e] : pending_) {
    if (e.delivery.notifier == name && !e.in_flight) e.delivery.next_attempt_at = now;
  }
}

std::vector<Delivery> DeliveryQueue::start_due(WallTime now) {
  std::vector<Delivery> out;
  Seen seen;  // notifier -> subjects with an earlier delivery
  for (auto& [place, e] : pending_) {
    Delivery& d = e.delivery;
    // One subject's deliveries go out in order: a later one waits for every earlier one.
    if (!first_of_its_subjects(seen, d)) continue;
    if (e.in_flight) continue;
    Notifier& n = notifier(d.notifier);
    if (!n.configured || n.in_flight >= capacity(n)) continue;
    if (n.retry_at && now < *n.retry_at) continue;
    if (d.next_attempt_at && now < *d.next_attempt_at) continue;
    e.in_flight = true;
    e.started = now;
    ++n.in_flight;
    ++d.attempts;
    d.last_attempt_at = now;
    out.push_back(d);
  }
  return out;
}

std::optional<Delivery> DeliveryQueue::finish(const std::string& id, const DeliveryOutcome& outcome, WallTime now) {
  auto found = by_id_.find(id);
  if (found == by_id_.end()) return std::nullopt;
  Entry& e = pending_.at(found->second);
  if (!e.in_flight) return std::nullopt;
  Notifier& n = notifier(e.delivery.notifier);
  e.in_flight = false;
  --n.in_flight;
  Delivery& d = e.delivery;
  switch (outcome.kind) {
    case OutcomeKind::kAccepted:
      d.state = DeliveryState::kSent;
      d.done_at = now;
      d.next_attempt_at.reset();
      n.failures = 0;
      n.retry_at.reset();
      ++n.counters.sent;
      break;
    case OutcomeKind::kPermanent:
      // This delivery is refused; the receiver itself is up (it answered), so no backoff.
      d.state = DeliveryState::kFailed;
      d.done_at = now;
      d.next_attempt_at.reset();
      d.last_error = outcome.reason;
      ++n.counters.failed;
      break;
    case OutcomeKind::kRetry: {
      d.last_error = outcome.reason;
      // Attempts already under way when the receiver first failed are part of the same outage:
      // they do not make the backoff grow.
      const bool new_failure = !n.last_failure || e.started > *n.last_failure;
      if (new_failure) {
        ++n.failures;
        n.last_failure = now;
      }
      // A Retry-After is the least the receiver asks for; it never makes hale retry sooner than
      // its own backoff (a proxy's "Retry-After: 0" would have it hammer the receiver).
      Duration wait = n.retry.delay(n.failures, random_.unit());
      if (outcome.retry_after) wait = std::max(wait, *outcome.retry_after);
      if (new_failure || !n.retry_at || now + wait > *n.retry_at) n.retry_at = now + wait;
      d.next_attempt_at = n.retry_at;
      ++n.counters.retries;
      return d;  // still pending
    }
  }
  Delivery done = d;
  retire(id);
  return done;
}

void DeliveryQueue::retire(const std::string& id) {
  auto found = by_id_.find(id);
  if (found == by_id_.end()) return;
  auto it = pending_.find(found->second);
  by_id_.erase(found);
  if (it == pending_.end()) return;
  const Delivery& d = it->second.delivery;
  for (const Alert& a : carried_alerts(d.alert)) {
    if (auto k = by_key_.find({d.notifier, a.key}); k != by_key_.end() && --k->second == 0) by_key_.erase(k);
  }
  finished_.push_front(std::move(it->second.delivery));
  if (finished_.size() > kKeepFinished) finished_.pop_back();
  pending_.erase(it);
}

std::optional<WallTime> DeliveryQueue::next_deadline() const {
  // The same walk as start_due(), without starting anything: a time in the past is returned
  // only for what start_due() would start, so a timer armed on it never spins.
  std::optional<WallTime> next;
  auto consider = [&](WallTime t) {
    if (!next || t < *next) next = t;
  };
  Seen seen;
  for (const auto& [place, e] : pending_) {
    const Delivery& d = e.delivery;
    const auto n = notifiers_.find(d.notifier);
    if (n == notifiers_.end() || !n->second.configured) continue;
    if (!e.in_flight && n->second.retry.give_up_after) consider(d.created_at + *n->second.retry.give_up_after);
    if (!first_of_its_subjects(seen, d) || e.in_flight) continue;
    if (n->second.in_flight >= capacity(n->second)) continue;
    WallTime t = d.next_attempt_at.value_or(WallTime::min());
    if (n->second.retry_at) t = std::max(t, *n->second.retry_at);
    consider(t);
  }
  return next;
}

bool DeliveryQueue::undelivered(std::string_view notifier, std::string_view key) const {
  return by_key_.contains({std::string(notifier), std::string(key)});
}

std::map<std::string, NotifierStats> DeliveryQueue::stats() const {
  std::map<std::string, NotifierStats> out;
  for (const auto& [name, n] : notifiers_) {
    NotifierStats s = n.counters;
    s.in_flight = n.in_flight;
    s.consecutive_failures = n.failures;
    s.retry_at = n.retry_at;
    out[name] = s;
  }
  for (const auto& [place, e] : pending_) {
    NotifierStats& s = out[e.delivery.notifier];
    ++s.pending;
    if (!s.oldest_pending || e.delivery.created_at < *s.oldest_pending) s.oldest_pending = e.delivery.created_at;
  }
  return out;
}

std::size_t DeliveryQueue::memory_only() const {
  std::size_t n = 0;
  for (const auto& [arrival, e] : pending_) n += e.delivery.seq == 0 ? 1 : 0;
  return n;
}

std::vector<Delivery> DeliveryQueue::memory_only_deliveries() const {
  std::vector<Delivery> out;
  for (const auto& [arrival, e] : pending_) {
    if (e.delivery.seq == 0) out.push_back(e.delivery);
  }
  return out;
}

std::optional<Delivery> DeliveryQueue::assign_seq(const std::string& id, std::int64_t seq) {
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    pending_.at(it->second).delivery.seq = seq;
    return std::nullopt;
  }
  for (Delivery& d : finished_) {
    if (d.id != id) continue;
    d.seq = seq;
    return d;
  }
  return std::nullopt;
}

std::vector<Delivery> DeliveryQueue::pending() const {
  std::vector<Delivery> out;
  out.reserve(pending_.size());
  for (const auto& [place, e] : pending_) out.push_back(e.delivery);
  return out;
}

}  // namespace hale
