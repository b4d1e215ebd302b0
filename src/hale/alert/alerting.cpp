// Alerting on the event loop (see alerting.h): the outbox commit before any attempt, the
// delivery pump, the timers and the log lines.
#include "hale/alert/alerting.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "hale/alert/alerter.h"
#include "hale/alert/delivery_queue.h"
#include "hale/time/timer.h"
#include "hale/alert/delivery_sender.h"
#include "hale/log/json_log.h"
#include "hale/store/store_worker.h"

namespace hale {

namespace asio = boost::asio;

namespace {

// Wall-clock deadlines are re-read at least this often, so a clock step is noticed (as the
// heartbeat monitor does).
constexpr Duration kMaxSleep = std::chrono::seconds(30);
// Finished outbox rows are kept this long, then pruned (hourly).
constexpr Duration kKeepFinished = std::chrono::hours(24 * 7);
constexpr Duration kPruneEvery = std::chrono::hours(1);
// While outbox writes fail (a full disk), the memory-only deliveries are written again this often.
constexpr Duration kRecommitEvery = std::chrono::seconds(5);
// API silences that ended are kept this long (as Alertmanager keeps them).
constexpr Duration kKeepExpiredSilences = std::chrono::hours(24 * 5);

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::int64_t ms_until(WallTime t, WallTime now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count();
}

}  // namespace

struct Alerting::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_context, const Clock& c, CurlMulti& curl, std::uint64_t seed, Timers* given_timers)
      : io(io_context),
        clock(c),
        own_timers(given_timers ? nullptr : asio_timers(io_context)),
        timers(given_timers ? *given_timers : *own_timers),
        alerter(c, seed, [this](AlertBatch b) { on_batch(std::move(b)); }),
        queue(Random(seed ^ 0x9e3779b97f4a7c15ULL)),
        sender(io_context, curl, c),
        alert_timer(timers.make()),
        delivery_timer(timers.make()),
        prune_timer(timers.make()),
        recommit_timer(timers.make()) {
    render.host = host_name();
    // SPEC §6, at most once per repeat: no reminder queues up behind an undelivered message.
    alerter.set_undelivered(
        [this](const std::string& notifier, const std::string& key) { return queue.undelivered(notifier, key); });
  }

  // ---- start-up ----

  void set_store(StoreWorker* s) {
    store = s;
    if (!store) return;
    auto routes = store->call([](StateStore& st) { return st.saved_routes(); });
    auto silences = store->call([](StateStore& st) { return st.silences(); });
    auto pending = store->call([](StateStore& st) { return st.pending_deliveries(); });
    auto recent = store->call([](StateStore& st) { return st.recent_deliveries(DeliveryQueue::kKeepFinished); });
    // Each part on its own: a table that cannot be read must not keep the others from coming back.
    auto failed = [](std::string_view what, const Status& st, std::string_view consequence) {
      log_event(LogLevel::kError, "alert_restore_failed",
                {{"what", what}, {"message", st.message()}, {"consequence", consequence}});
    };
    if (!routes) failed("routes", routes.status(), "incidents a previous hale announced start over");
    if (!silences) failed("silences", silences.status(), "silences made through the API are not in force");
    if (!pending) failed("pending deliveries", pending.status(), "they stay in the outbox for the next start");
    alerter.restore(routes ? std::move(routes).value() : std::vector<SavedRoute>{},
                    silences ? std::move(silences).value() : std::vector<Silence>{});
    std::vector<Delivery> finished;
    if (recent) {
      for (Delivery& d : std::move(recent).value()) {
        if (d.state != DeliveryState::kPending) finished.push_back(std::move(d));
      }
    }
    for (auto it = finished.rbegin(); it != finished.rend(); ++it) queue.add(std::move(*it), /*counted=*/false);
    std::size_t restored = 0;
    if (pending) {
      for (Delivery& d : std::move(pending).value()) {
        queue.add(std::move(d));
        ++restored;
      }
    }
    if (restored > 0) log_event(LogLevel::kInfo, "alert_outbox_restored", {{"pending", restored}});
  }

  void apply(const Config& config) {
    notifiers.clear();
    std::map<std::string, RetryPolicy> policies;
    for (const NotifierSpec& n : config.notifiers) {
      notifiers.emplace(n.name, n);
      policies.emplace(n.name, n.retry);
    }
    render.service = config.server.service;
    queue.set_notifiers(std::move(policies));
    alerter.apply(config);
    if (!store && !config.notifiers.empty() && !warned_memory_only) {
      warned_memory_only = true;
      log_event(LogLevel::kError, "alert_outbox_unavailable",
                {{"consequence", "alerts are sent, but a delivery not accepted before hale stops is lost"}});
    }
    if (!prune_armed && store) {
      prune_armed = true;
      prune();
    }
    arm_alert_timer();
    pump();
  }

  // ---- decisions -> outbox ----

  void tell(const Delivery& d) {
    for (const auto& l : delivery_listeners) l(d);
  }

  void on_batch(AlertBatch b) {
    for (const Delivery& d : b.deliveries) {
      tell(d);
      // A problem is a warning; its resolution, or an alert a silence mutes, is news only.
      const bool quiet = d.state == DeliveryState::kSilenced || d.alert.resolved;
      log_event(quiet ? LogLevel::kInfo : LogLevel::kWarn, "alert",
                {{"id", d.id},
                 {"notifier", d.notifier},
                 {"key", d.alert.key},
                 {"status", to_string(d.alert.status)},
                 {"resolved", d.alert.resolved},
                 {"flapping", d.alert.flapping},
                 {"sequence", d.alert.sequence},
                 {"silenced", d.state == DeliveryState::kSilenced},
                 {"message", d.alert.message}});
    }
    if (!store) return committed(std::move(b.deliveries));  // seq 0: in memory only
    // A route forgotten now is not to be written back by a recommit of an earlier failed save.
    for (const auto& key : b.forget) unsaved_routes.erase(key);
    // SPEC §6: written to the outbox before any delivery is tried. The worker commits (fsync)
    // off the loop and posts the committed rows back.
    store->post([self = weak_from_this(), io = &io, b = std::move(b)](StateStore& s) mutable {
      Status st = s.add_alerts(b.deliveries, b.routes);
      // Forgetting a route or saving a silence is bookkeeping: if it fails, the alerts still go.
      for (const auto& [subject, notifier] : b.forget) {
        if (Status f = s.delete_route(subject, notifier); !f) {
          log_event(LogLevel::kError, "alert_outbox_write_failed", {{"what", "route"}, {"message", f.message()}});
        }
      }
      for (const Silence& silence : b.silences) {
        if (Status f = s.save_silence(silence); !f) {
          log_event(LogLevel::kError, "alert_outbox_write_failed",
                    {{"what", "silence"}, {"message", f.message()}, {"consequence", "not kept across a restart"}});
        }
      }
      asio::post(*io, [self, deliveries = std::move(b.deliveries), routes = std::move(b.routes), st]() mutable {
        if (auto impl = self.lock()) impl->on_committed(std::move(deliveries), std::move(routes), st);
      });
    });
  }

  void on_committed(std::vector<Delivery> deliveries, std::vector<SavedRoute> routes, const Status& st) {
    // A route records what a receiver was told: one that could not be written is written again
    // with the next recommit, or a restart would announce again what the receiver already has.
    for (SavedRoute& r : routes) {
      const auto key = std::make_pair(r.subject, r.notifier);
      if (st) {
        unsaved_routes.erase(key);  // a newer state of it is on disk
      } else {
        unsaved_routes.insert_or_assign(key, std::move(r));
      }
    }
    written(st);
    if (!st) {
      // Not durable, but not withheld either: a page that cannot be written down is still sent.
      // add_alerts() put every seq back to 0: these rows are in memory only.
      log_event(LogLevel::kError, "alert_outbox_write_failed",
                {{"what", "deliveries"}, {"message", st.message()}, {"deliveries", deliveries.size()},
                 {"consequence", "sent from memory; lost if hale stops before they are accepted"}});
    }
    committed(std::move(deliveries));
  }

  void committed(std::vector<Delivery> deliveries) {
    for (Delivery& d : deliveries) queue.add(std::move(d));
    pump();
  }

  // ---- outbox -> receivers ----

  // pump_deliveries(false): right after a drill released a notifier, so that what waited
  // through the drill gets an attempt before its give_up_after is looked at.
  void pump() { pump_deliveries(true); }
  void pump_deliveries(bool expire) {
    if (stopped) return;
    const WallTime now = clock.wall_now();
    bool expired = false;
    // SPEC §7: refusals forced by a drill do not make a delivery give up.
    auto forced = [this, expire](const std::string& notifier) { return !expire || forced_down.contains(notifier); };
    for (const Delivery& d : queue.expire(now, forced)) {
      log_event(LogLevel::kError, "alert_delivery_failed",
                {{"id", d.id}, {"notifier", d.notifier}, {"key", d.alert.key}, {"attempts", d.attempts},
                 {"reason", d.last_error}});
      save(d);
      tell(d);
      alerter.delivered(d);
      expired = true;
    }
    if (expired) arm_alert_timer();
    for (const Delivery& d : queue.start_due(now)) {
      const NotifierSpec& n = notifiers.at(d.notifier);  // the queue starts configured ones only
      if (auto f = forced_down.find(d.notifier); f != forced_down.end()) {
        // SPEC §7: a drill forces this receiver down; the attempt fails as a refused one would.
        DeliveryOutcome o{OutcomeKind::kRetry, "drill " + f->second + ": notifier forced to fail", std::nullopt};
        asio::post(io, [self = weak_from_this(), id = d.id, o = std::move(o)]() mutable {
          if (auto impl = self.lock()) impl->on_outcome(id, std::move(o));
        });
        continue;
      }
      sender.send(n, d, render, [self = weak_from_this(), id = d.id](DeliveryOutcome o) {
        if (auto impl = self.lock()) impl->on_outcome(id, std::move(o));
      });
    }
    arm_delivery_timer();
  }

  void on_outcome(const std::string& id, DeliveryOutcome o) {
    if (stopped) return;
    const WallTime now = clock.wall_now();
    std::optional<Delivery> d = queue.finish(id, o, now);
    if (!d) return;
    nlohmann::json fields{{"id", d->id}, {"notifier", d->notifier}, {"key", d->alert.key}, {"attempts", d->attempts}};
    switch (d->state) {
      case DeliveryState::kSent:
        log_event(LogLevel::kInfo, "alert_delivered", std::move(fields));
        break;
      case DeliveryState::kFailed:
        fields["reason"] = d->last_error;
        log_event(LogLevel::kError, "alert_delivery_failed", std::move(fields));
        break;
      default:
        fields["reason"] = d->last_error;
        if (d->next_attempt_at) {
          fields["retry_in_ms"] = std::max<std::int64_t>(0, ms_until(*d->next_attempt_at, now));
          fields["next_retry_at"] = format_iso8601_ms(*d->next_attempt_at);
        }
        log_event(LogLevel::kWarn, "alert_delivery_retry", std::move(fields));
        break;
    }
    save(*d);
    for (const auto& l : attempt_listeners) l(*d);
    if (d->state != DeliveryState::kPending) {
      tell(*d);
      alerter.delivered(*d);  // a reminder held for it may be due now
      arm_alert_timer();
    }
    pump();
  }

  std::map<std::string, std::string> forced_down;  // SPEC §7: notifier -> the drill forcing it down

  void save(const Delivery& d) {
    if (!store || d.seq == 0) return;  // never committed: nothing to update
    // An accepted delivery is shown "sent" only once that is committed: until then a crash
    // would have the next hale send it again, so the API says "accepted" (see AlertsView).
    const bool accepted = d.state == DeliveryState::kSent;
    if (accepted) recording.insert(d.id);
    store->post([d, accepted, self = weak_from_this(), io = &io](StateStore& s) {
      Status st = s.update_delivery(d);
      if (!st) {
        log_event(LogLevel::kError, "alert_outbox_write_failed", {{"id", d.id}, {"message", st.message()}});
      }
      asio::post(*io, [self, id = d.id, accepted, st] {
        auto impl = self.lock();
        if (!impl) return;
        impl->written(st);
        // Not recorded: it stays "accepted", which is the truth (the next hale sends it again).
        if (accepted && st) impl->recording.erase(id);
      });
    });
  }

  // An outbox write ended: durability is reported as it is (issue 17), until the next write.
  // While writes fail, or deliveries are in memory only, hale tries again every kRecommitEvery.
  void written(const Status& st) {
    if (st) {
      outbox_error.clear();
    } else {
      outbox_error = st.message();
      ++outbox_write_failures;
    }
    if (!outbox_error.empty() || queue.memory_only() > 0 || !unsaved_routes.empty()) arm_recommit();
  }

  // Writes the deliveries that are in memory only (made while the outbox could not be written:
  // a full disk) to the outbox, now that it may take them: nothing is lost to a crash any more.
  void arm_recommit() {
    if (!store || stopped || recommit_armed) return;
    recommit_armed = true;
    recommit_timer->start(kRecommitEvery, [self = weak_from_this()] {
      if (auto impl = self.lock()) impl->recommit();
    });
  }

  void recommit() {
    recommit_armed = false;
    // The last one is still being written (a slow disk): writing the same rows twice would make
    // the second fail on their ids. Its end (written) arms the next one if still needed.
    if (stopped || recommit_in_flight) return;
    // Accepted deliveries whose "sent" could not be recorded: record it again.
    for (const Delivery& d : queue.finished()) {
      if (recording.contains(d.id)) save(d);
    }
    std::vector<Delivery> rows = queue.memory_only_deliveries();
    std::vector<SavedRoute> routes;
    for (const auto& [key, r] : unsaved_routes) routes.push_back(r);
    if (rows.empty() && routes.empty()) {
      if (recording.empty()) outbox_error.clear();  // nothing in hand waits for a write any more
      return;
    }
    recommit_in_flight = true;
    store->post([self = weak_from_this(), io = &io, rows = std::move(rows), routes = std::move(routes)](StateStore& s) mutable {
      Status st = s.add_alerts(rows, routes);
      std::vector<std::pair<std::string, std::int64_t>> seqs;
      if (st) {
        for (const Delivery& d : rows) seqs.emplace_back(d.id, d.seq);
      }
      asio::post(*io, [self, seqs = std::move(seqs), routes = std::move(routes), st] {
        auto impl = self.lock();
        if (!impl) return;
        impl->recommit_in_flight = false;
        for (const SavedRoute& r : routes) {
          // Unless a newer state of it failed meanwhile: that one is still to be written.
          auto it = impl->unsaved_routes.find(std::make_pair(r.subject, r.notifier));
          if (st && it != impl->unsaved_routes.end() && it->second == r) impl->unsaved_routes.erase(it);
        }
        for (const auto& [id, seq] : seqs) {
          // Finished meanwhile: its row was written as pending, so its outcome is saved now.
          if (auto finished = impl->queue.assign_seq(id, seq)) impl->save(*finished);
        }
        if (!seqs.empty() || (st && !routes.empty())) {
          log_event(LogLevel::kInfo, "alert_outbox_recommitted", {{"deliveries", seqs.size()}, {"routes", routes.size()}});
        }
        impl->written(st);
      });
    });
  }

  // ---- timers ----

  void arm(Timer& timer, std::optional<WallTime> at, void (Impl::*fire)()) {
    if (stopped) return;
    timer.cancel();
    if (!at) return;
    Duration wait = std::chrono::duration_cast<Duration>(*at - clock.wall_now());
    wait = std::clamp(wait, Duration::zero(), kMaxSleep);
    timer.start(wait, [self = weak_from_this(), fire] {
      if (auto impl = self.lock()) ((*impl).*fire)();
    });
  }
  void arm_alert_timer() { arm(*alert_timer, alerter.next_deadline(), &Impl::on_alert_timer); }
  void arm_delivery_timer() { arm(*delivery_timer, queue.next_deadline(), &Impl::pump); }

  void on_alert_timer() {
    alerter.tick();
    arm_alert_timer();
  }

  void prune() {
    const WallTime now = clock.wall_now();
    store->post([before = now - kKeepFinished, silences_before = now - kKeepExpiredSilences](StateStore& s) {
      Status a = s.prune_deliveries(before);
      Status b = s.delete_silences_ended_before(silences_before);
      if (!a || !b) log_event(LogLevel::kError, "alert_outbox_prune_failed", {{"message", !a ? a.message() : b.message()}});
    });
    if (stopped) return;
    prune_timer->start(kPruneEvery, [self = weak_from_this()] {
      if (auto impl = self.lock()) impl->prune();
    });
  }

  void stop() {
    stopped = true;
    alert_timer->cancel();
    delivery_timer->cancel();
    prune_timer->cancel();
    recommit_timer->cancel();
    sender.cancel_all();
  }

  AlertsView view(bool deliveries) const {
    AlertsView v;
    v.now = clock.wall_now();
    v.outbox_error = outbox_error;
    v.outbox_write_failures = outbox_write_failures;
    v.memory_only = queue.memory_only();
    v.durable = store != nullptr && outbox_error.empty() && v.memory_only == 0 && unsaved_routes.empty();
    if (deliveries) {
      v.pending = queue.pending();
      v.recent.assign(queue.finished().begin(), queue.finished().end());
      v.recording = recording;
    }
    v.notifiers = queue.stats();
    // Only configured notifiers are listed with their type; rows of a removed one still show
    // (under their name) in pending and recent.
    for (const auto& [name, n] : notifiers) v.notifier_types.emplace(name, std::string(to_string(n.type)));
    v.silences = alerter.silences().silences();
    v.windows = alerter.silences().active_windows(v.now);
    return v;
  }

  asio::io_context& io;
  const Clock& clock;
  std::unique_ptr<Timers> own_timers;  // asio_timers(io), unless the caller gave its own
  Timers& timers;
  Alerter alerter;
  DeliveryQueue queue;
  DeliverySender sender;
  std::unique_ptr<Timer> alert_timer;     // the alerter's next deadline (group_wait, repeat, ...)
  std::unique_ptr<Timer> delivery_timer;  // the next retry
  std::unique_ptr<Timer> prune_timer;
  std::unique_ptr<Timer> recommit_timer;
  StoreWorker* store = nullptr;
  bool recommit_armed = false;
  bool recommit_in_flight = false;  // a recommit's rows are being written
  // Ids of deliveries the receiver accepted whose "sent" is not committed yet.
  std::set<std::string> recording;
  // Routes (what each receiver was told) whose write failed, to be written by the next recommit.
  std::map<std::pair<std::string, std::string>, SavedRoute> unsaved_routes;
  std::string outbox_error;  // the last outbox write's failure, "" once a write succeeds
  std::uint64_t outbox_write_failures = 0;
  std::map<std::string, NotifierSpec> notifiers;
  RenderContext render;
  bool stopped = false;
  std::vector<DeliveryListener> delivery_listeners;
  std::vector<DeliveryListener> attempt_listeners;
  bool prune_armed = false;
  bool warned_memory_only = false;
};

Alerting::Alerting(asio::io_context& io, const Clock& clock, CurlMulti& curl, std::uint64_t seed, Timers* timers)
    : impl_(std::make_shared<Impl>(io, clock, curl, seed, timers)) {}

Alerting::~Alerting() { impl_->stop(); }

void Alerting::set_store(StoreWorker* store) { impl_->set_store(store); }

void Alerting::apply(const Config& config) { impl_->apply(config); }

void Alerting::observe(const SubjectId& subject, const SubjectStatus& status) {
  // Stopped: what happens while hale stops (its services stopping with it) is not news.
  if (impl_->stopped) return;
  impl_->alerter.observe(subject, status);
  impl_->arm_alert_timer();
}

void Alerting::stop() { impl_->stop(); }

void Alerting::on_delivery(DeliveryListener listener) { impl_->delivery_listeners.push_back(std::move(listener)); }
bool Alerting::silenced(const SubjectId& subject, Health status) const {
  Alert a;
  a.kind = subject.kind;
  a.subject = subject.name;
  a.status = status;
  a.key = alert_key(subject, status);
  return impl_->alerter.silences().muted(a, impl_->clock.wall_now());
}
void Alerting::on_attempt(DeliveryListener listener) { impl_->attempt_listeners.push_back(std::move(listener)); }

bool Alerting::empty() const { return impl_->notifiers.empty(); }

void Alerting::force_notifier(const std::string& name, const std::string& drill) {
  impl_->forced_down[name] = drill;
}

void Alerting::set_drill_pages(const std::string& drill, bool page) { impl_->alerter.set_drill_pages(drill, page); }

void Alerting::unforce_notifier(const std::string& name) {
  if (impl_->forced_down.erase(name) == 0) return;
  // Its refusals were the drill's: no backoff is kept, and what waited goes out now.
  impl_->queue.forget_failures(name, impl_->clock.wall_now());
  impl_->pump_deliveries(/*expire=*/false);
}

AlertsView Alerting::view(bool deliveries) const { return impl_->view(deliveries); }

Silence Alerting::add_silence(Silence s) {
  Silence added = impl_->alerter.add_silence(std::move(s));
  impl_->arm_alert_timer();
  return added;
}

bool Alerting::expire_silence(std::string_view id) {
  const bool expired = impl_->alerter.expire_silence(id);
  impl_->arm_alert_timer();
  return expired;
}

}  // namespace hale
