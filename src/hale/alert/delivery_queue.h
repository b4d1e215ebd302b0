// DeliveryQueue: which outbox rows to attempt, and when (SPEC §6: retried with backoff until the
// receiver accepts it; a slow or dead receiver never delays the others). Pure, on calendar time
// and an injected random source; the dispatcher does the I/O and the timer.
//
// Per notifier:
// - at most kMaxInFlight attempts at once while it accepts;
// - after a failure it backs off: nothing of it starts before the notifier's RetryPolicy (backoff.h) after its failures in a row
//   (or the receiver's Retry-After, when it asks for longer) has passed, and then one attempt at a time until one is
//   accepted, so a dead receiver is tried, not hammered;
// - deliveries about one subject go out in order (a resolution never overtakes its alert);
// - a permanent refusal (a 4xx) fails that delivery only; the receiver is not backing off;
// - with retry.give_up_after, a delivery still not accepted that long after it was made fails.
// Notifiers are independent: one backing off never holds another.
//
// Scenario: the Slack webhook answers 503 for ten minutes. Its first alert is retried after
// 1s, 2s, 4s, ... (capped at 5m) while alerts for the webhook notifier flow on; the alerts that
// queued up behind it wait, in order, and go out as soon as Slack accepts one again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hale/model/alert.h"
#include "hale/alert/delivery_outcome.h"
#include "hale/clock.h"
#include "hale/config.h"
#include "hale/random.h"
#include "hale/random.h"

namespace hale {

// What /metrics and the API show for one notifier.
struct NotifierStats {
  std::uint64_t sent = 0;      // accepted by the receiver, since hale started
  std::uint64_t failed = 0;    // refused for good or given up
  std::uint64_t retries = 0;   // attempts that will be made again
  std::uint64_t silenced = 0;  // recorded, not sent
  std::size_t pending = 0;     // waiting or in flight now
  std::size_t in_flight = 0;
  std::optional<WallTime> oldest_pending;  // created_at of the oldest pending delivery
  int consecutive_failures = 0;
  std::optional<WallTime> retry_at;        // backing off until then
};

class DeliveryQueue {
 public:
  static constexpr std::size_t kMaxInFlight = 4;
  // Finished deliveries kept in memory for the API (the outbox keeps them longer).
  static constexpr std::size_t kKeepFinished = 200;

  // `random` picks each retry's jitter (Random::from in tests, so they name exact delays).
  explicit DeliveryQueue(Random random);

  // The configured notifiers and their retry policies. Deliveries of a notifier that is not
  // configured stay pending and are never started (a renamed or removed notifier loses
  // nothing: configured again, its deliveries go out).
  void set_notifiers(std::map<std::string, RetryPolicy> notifiers);

  // A committed outbox row: pending (to be attempted) or finished (silenced, or an old one
  // read back for the API after a restart). Pending ones are kept in the order they are added:
  // committed batches arrive in the order they were made, rows read back at start in `seq`
  // order, and a row that could not be committed (seq 0) keeps its place too. `counted`:
  // a silenced one counts in its notifier's `silenced` (false for rows read back at start).
  void add(Delivery d, bool counted = true);

  // Pending deliveries of notifiers with retry.give_up_after that are older than that now:
  // failed ("gave up after 24h: HTTP 503"), returned to be saved.
  // `exempt`: notifiers whose deliveries do not expire now (a drill forces them to refuse).
  std::vector<Delivery> expire(WallTime now, const std::function<bool(const std::string&)>& exempt = {});

  // SPEC §7: `notifier` refused only because a drill forced it to: its backoff is forgotten and
  // what waits for it may start now.
  void forget_failures(const std::string& notifier, WallTime now);

  // The pending deliveries that may be attempted now; they are in flight from now on.
  std::vector<Delivery> start_due(WallTime now);

  // An attempt of delivery `id` ended. Returns the delivery as it is now, to be saved: sent,
  // failed, or pending with its next_attempt_at. nullopt for an id that is not in flight.
  std::optional<Delivery> finish(const std::string& id, const DeliveryOutcome& outcome, WallTime now);

  // When start_due() may next return something; nullopt when nothing waits on time (empty, or
  // everything blocked behind attempts in flight).
  std::optional<WallTime> next_deadline() const;

  // True while a delivery of `key` to `notifier` is pending (waiting or in flight).
  bool undelivered(std::string_view notifier, std::string_view key) const;

  // For the API and /metrics.
  std::map<std::string, NotifierStats> stats() const;
  std::vector<Delivery> pending() const;                       // in the order added
  std::size_t memory_only() const;  // pending deliveries never committed to the outbox (seq 0)
  std::vector<Delivery> memory_only_deliveries() const;  // those deliveries, in order

  // Delivery `id` was committed late (the outbox could not be written when it was made) as row
  // `seq`. Returns the delivery when it has finished meanwhile (its outcome is to be saved now);
  // nullopt when it is still pending, or unknown.
  std::optional<Delivery> assign_seq(const std::string& id, std::int64_t seq);
  const std::deque<Delivery>& finished() const { return finished_; }  // newest first

 private:
  struct Notifier {
    RetryPolicy retry;
    bool configured = false;
    int failures = 0;                     // failed attempts in a row
    std::optional<WallTime> retry_at;     // nothing starts before it
    std::optional<WallTime> last_failure; // attempts started before it do not add to `failures`
    std::size_t in_flight = 0;
    NotifierStats counters;               // the monotonic counters only
  };
  struct Entry {
    Delivery delivery;
    bool in_flight = false;
    WallTime started{};  // of the attempt in flight
  };

  Notifier& notifier(const std::string& name);
  std::size_t capacity(const Notifier& n) const;
  void retire(const std::string& id);  // moves a finished delivery from pending_ to finished_

  Random random_;
  std::map<std::string, Notifier> notifiers_;
  std::map<std::uint64_t, Entry> pending_;  // by arrival
  std::map<std::string, std::uint64_t, std::less<>> by_id_;  // id -> its place in pending_
  // Pending deliveries per (notifier, key): undelivered() without a scan.
  std::map<std::pair<std::string, std::string>, std::size_t> by_key_;
  std::uint64_t arrivals_ = 0;
  std::deque<Delivery> finished_;
};

}  // namespace hale
