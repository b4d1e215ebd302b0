// Alerter: every (subject, notifier) route of the config and what they decide (SPEC §6),
// without I/O: subjects' statuses in, batches of deliveries (outbox rows) and saved routes
// out through a sink, on an injected Clock. The caller commits each batch to the outbox before
// any delivery is tried, runs a timer for next_deadline(), and calls tick() when it comes.
//
// Subjects are every check, service and heartbeat of the config; each is routed to notifiers
// by the first matching rule per notifier (alert_routes.h), and each route is an AlertTracker.
// A route saved by a previous hale is restored when its (subject, notifier) is configured
// again; a saved route whose subject is gone gets its open keys resolved (if its notifier is
// still configured), so a removed check does not stay "firing" in a receiver forever.
//
// Cost: a timer tick looks only at the routes whose deadline has come (an index of deadlines),
// and at every route only when a silence started or ended; a subject's status looks at its own
// routes. So 10,000 checks failing at once with `after` set cost one tracker step each, not one
// pass over every route per deadline.
//
// Thread-safety: one thread (the event loop).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hale/model/alert.h"
#include "hale/alert/alert_tracker.h"
#include "hale/alert/silences.h"
#include "hale/clock.h"
#include "hale/config.h"

namespace hale {

// What one call decided: rows to add to the outbox and routes to save or forget, committed
// together (one transaction) so that a route is never "announced" without its delivery.
struct AlertBatch {
  std::vector<Delivery> deliveries;  // pending (to send) or silenced (to record)
  std::vector<SavedRoute> routes;    // to save (insert or replace)
  std::vector<std::pair<std::string, std::string>> forget;  // (subject, notifier) routes to delete
  std::vector<Silence> silences;     // API silences to save (new or expired)
  bool empty() const { return deliveries.empty() && routes.empty() && forget.empty() && silences.empty(); }
};

class Alerter {
 public:
  using Sink = std::function<void(AlertBatch)>;

  // `seed` makes the deliveries' ids (random, 128 bits) reproducible in tests.
  Alerter(const Clock& clock, std::uint64_t seed, Sink sink);

  // What a previous hale saved; call before the first apply().
  void restore(std::vector<SavedRoute> routes, std::vector<Silence> silences);

  // The rules, notifiers, silences and subjects of a (re)loaded config.
  void apply(const Config& config);

  // A subject's status: each change, and the first status of services and heartbeats.
  void observe(const SubjectId& subject, const SubjectStatus& status);

  // Time has passed: reminders, `after` running out, silences starting or ending, flapping over.
  void tick();

  // Which keys still have an undelivered message to a notifier (the caller's delivery queue):
  // their reminders are held until it is delivered (alert_tracker.h). Unset: none.
  using Undelivered = std::function<bool(const std::string& notifier, const std::string& key)>;
  void set_undelivered(Undelivered undelivered) { undelivered_ = std::move(undelivered); }
  // Delivery `d` is done (sent, or failed for good): tells its route (see
  // AlertTracker::delivered). The caller then looks at next_deadline() again.
  void delivered(const Delivery& d);
  std::optional<WallTime> next_deadline() const;

  // API silences. add: `s` with its id, created_at set; the caller has validated it.
  Silence add_silence(Silence s);
  // Ends it now; false when there is no such silence or it is over already.
  bool expire_silence(std::string_view id);
  const SilenceSet& silences() const { return silences_; }

  // SPEC §7: drill `drill` pages (its alerts reach every notifier) while it runs, whatever the
  // config says of it.
  void set_drill_pages(const std::string& drill, bool page) {
    if (page) {
      paging_running_.insert(drill);
    } else {
      paging_running_.erase(drill);
    }
  }

  // Every route, for tests and the API: (subject, notifier) -> tracker.
  const std::map<std::pair<std::string, std::string>, AlertTracker>& routes() const { return routes_; }

  // A new idempotency key: 32 lower-case hex digits.
  std::string new_id();

 private:
  using RouteKey = std::pair<std::string, std::string>;  // (subject key, notifier)

  // Keeps `k`'s entry in the deadline index in step with its tracker.
  void track(const RouteKey& k, const AlertTracker& t);
  void track_all();
  // Turns what a tracker said into outbox rows; saves its route when it changed.
  // `save_route`: false for a route that is being forgotten.
  void collect(AlertTracker& t, const SavedRoute& before, std::vector<Alert> alerts, AlertBatch& batch,
               bool save_route);
  void emit(AlertBatch batch);
  // SPEC §7 digests: the groups whose group_wait is over, as one delivery each (with the saves
  // of their routes).
  void flush_groups(WallTime now, AlertBatch& batch);
  // Silences, and SPEC §7's rule that a drill's alert is recorded, not sent, to a notifier
  // without `drills = true` (unless the drill pages).
  SilenceCheck silence_check(const std::string& notifier) const;
  bool withholds_drill(const std::string& notifier, const Alert& a) const;
  UndeliveredCheck undelivered_check(const AlertTracker& t) const;

  const Clock& clock_;
  std::mt19937_64 rng_;
  Sink sink_;
  Undelivered undelivered_;
  SilenceSet silences_;
  std::map<RouteKey, AlertTracker> routes_;
  std::map<std::string, std::vector<RouteKey>, std::less<>> by_subject_;  // subject key -> its routes
  std::map<RouteKey, SavedRoute> saved_;  // restored, not (yet) configured again
  // Every route's next deadline, earliest first, and each route's entry in it.
  std::set<std::pair<WallTime, RouteKey>> deadlines_;
  std::map<RouteKey, WallTime> deadline_of_;
  // When the set of silences muting something next changes (cached: computing it reads cron
  // schedules); passing it, or a silence ending early, makes the next tick look at every route.
  std::optional<WallTime> silences_change_;
  bool silences_changed_ = false;

  // SPEC §7 digests: per notifier, what rules with a group_wait made since the group opened.
  // Their routes are saved with the digest, not before: a hale that dies inside the window
  // never saved them as announced, so the next one announces them again (nothing is lost).
  struct Group {
    WallTime flush_at{};
    std::vector<Alert> alerts;
    std::map<RouteKey, SavedRoute> routes;  // the latest save of each route in the group
  };
  std::map<std::string, Group> groups_;

  std::set<std::string, std::less<>> drill_notifiers_;  // notifiers with drills = true
  std::set<std::string, std::less<>> paging_drills_;    // drills with page = true
  std::set<std::string, std::less<>> paging_running_;   // running drills with page = true
};

}  // namespace hale
