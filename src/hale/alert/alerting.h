// Alerting: SPEC §6 on the event loop. Subjects' statuses go into the Alerter (pure decisions);
// every batch it makes is committed to the outbox in SQLite (StoreWorker thread, WAL,
// synchronous=FULL) and only then handed to the DeliveryQueue, whose due deliveries the
// DeliverySender attempts; each outcome is written back (sent, failed, or pending with its next
// attempt). At start, what a previous hale left pending is delivered, and the routes it saved
// are restored, so that nothing is lost to a crash: a delivery is re-sent after a restart only
// if hale died while it was in flight (at-least-once; its idempotency key is the same).
//
//   Engine/Supervisor/HeartbeatMonitor ──observe──▶ Alerter ──batch──▶ StoreWorker (commit)
//                                                     ▲ timer             │ posted back
//                                                     │                   ▼
//                          DeliverySender ◀──due── DeliveryQueue ◀── committed rows
//                          (curl multi, exec) ──outcome──▶ queue ──▶ StoreWorker (update row)
//
// Without a store (state_dir unusable) alerts are still sent, from memory only.
// Thread-safety: the loop's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "hale/model/alert.h"
#include "hale/alert/alerts_view.h"
#include "hale/clock.h"
#include "hale/config.h"
#include "hale/status.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class CurlMulti;
class StoreWorker;
class Timers;

class Alerting {
 public:
  // `timers`: a test's FakeTimers on the same FakeClock as `clock` (time/fake_timers.h); by
  // default the loop's.
  Alerting(boost::asio::io_context& io, const Clock& clock, CurlMulti& curl, std::uint64_t seed,
           Timers* timers = nullptr);
  ~Alerting();
  Alerting(const Alerting&) = delete;
  Alerting& operator=(const Alerting&) = delete;

  // The outbox. Before the first apply(): reads back the saved routes, the silences and every
  // pending delivery (waits for the worker).
  void set_store(StoreWorker* store);

  // A (re)loaded config: notifiers, rules, silences, subjects.
  void apply(const Config& config);

  // A subject's status: every transition, and the current status of services and heartbeats
  // after apply().
  void observe(const SubjectId& subject, const SubjectStatus& status);

  // hale is stopping: timers and attempts in flight are cancelled; what was not accepted stays
  // pending in the outbox for the next start.
  void stop();

  // Every delivery when it is made (pending or silenced) and when it ends (sent or failed), on
  // the loop thread: SPEC §7's event stream.
  using DeliveryListener = std::function<void(const Delivery&)>;
  void on_delivery(DeliveryListener listener);
  // Every attempt's outcome (sent, failed, or pending again with its error and next attempt),
  // on the loop thread: SPEC §10's incident timelines show each one.
  void on_attempt(DeliveryListener listener);

  // Whether an alert about `subject` being `status` would be muted now by a silence or a
  // maintenance window (SPEC §10: such downtime is counted as maintenance, not as down).
  bool silenced(const SubjectId& subject, Health status) const;

  // SPEC §7 drills: every delivery attempt to notifier `name` is refused (retried with its
  // backoff, as a receiver that is down) until unforce_notifier(). Kept across apply().
  void force_notifier(const std::string& name, const std::string& drill);
  void unforce_notifier(const std::string& name);
  // SPEC §7: drill `drill` (also one asked for through the API, which the config does not have)
  // pages or not: with page = true its alerts, and their resolutions, reach every notifier.
  void set_drill_pages(const std::string& drill, bool page);

  // No notifier configured: nothing to do.
  bool empty() const;

  // What the API and /metrics show; without `deliveries`, the pending and recent deliveries are
  // left out (the counters, notifiers and silences are what /metrics needs).
  AlertsView view(bool deliveries = true) const;

  // POST /api/v1/silences (already validated): stored with a new id and created_at.
  Silence add_silence(Silence s);
  // DELETE /api/v1/silences/ID: ends it now; false when unknown or over already.
  bool expire_silence(std::string_view id);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hale
