// StateStore: hale's small persistent state in one SQLite file under state_dir (hale.db).
// Each service's `wanted` (start/stop), the operator's intent, which must survive a restart of
// hale (SPEC §4: an operator's stop is never undone, even across restarts), and each heartbeat's
// state and last runs (SPEC §5), and alerting's (SPEC §6) in three tables:
//   alert_outbox    every Delivery, written before any attempt to send it (the outbox)
//   alert_routes    each (subject, notifier) route's SavedRoute: open keys, flapping
//   alert_silences  every Silence, from the API or the config's windows
// Written with synchronous=FULL: what was committed survives a crash (kill -9, power loss).
// Thread-safety: one StateStore per thread (the loop); SQLite is opened in serialized mode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hale/model/alert.h"
#include "hale/clock.h"
#include "hale/heartbeat_view.h"
#include "hale/status.h"

struct sqlite3;

namespace hale {

enum class Wanted { kStart, kStop };
std::string_view to_string(Wanted w);

// A heartbeat's state as it survives a restart of hale (SPEC §5: a job that was down stays
// down; a run missed while hale was away is noticed when it is back).
struct SavedHeartbeat {
  std::string status;  // "new", "up", "running", "late", "down", "paused"
  std::string reason;
  std::optional<WallTime> last_ping;
  std::optional<WallTime> next_expected;
  std::optional<WallTime> running_since;
  std::optional<WallTime> since;  // when the status began
  std::string schedule;           // the schedule next_expected was computed under ("every 1h")
  bool operator==(const SavedHeartbeat&) const = default;
};

// How the store could be opened (issue 17: the operator's intent must hold, and when it cannot,
// hale says so loudly).
enum class StoreCondition {
  kOk,         // read and written
  kReadOnly,   // the file is read (intents hold) but nothing can be saved: state_dir read-only
  kRecreated,  // the file was empty (0 bytes) or corrupt: kept aside, a new one started
};
std::string_view to_string(StoreCondition c);

class StateStore {
 public:
  // Opens (creating if needed) `dir`/hale.db, and `dir` itself. A file that exists and can be
  // read is read, even where it cannot be written (a read-only state_dir: kReadOnly). An empty
  // (0-byte) or corrupt file is never taken as a new one without a word, nor overwritten: it is
  // renamed hale.db.empty-<time> / hale.db.corrupt-<time> and a new one started (kRecreated),
  // condition() and condition_message() say so. An error when nothing can be read or made.
  static StatusOr<std::unique_ptr<StateStore>> open(const std::string& dir);

  StoreCondition condition() const { return condition_; }
  // What happened and what it means, for the log and /health ("" when kOk).
  const std::string& condition_message() const { return condition_message_; }
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The persisted intent for a service; nullopt when none was ever recorded.
  StatusOr<std::optional<Wanted>> wanted(const std::string& service);
  // Records the intent durably (committed when this returns ok).
  Status set_wanted(const std::string& service, Wanted w);

  StatusOr<std::optional<SavedHeartbeat>> heartbeat(const std::string& name);
  Status save_heartbeat(const std::string& name, const SavedHeartbeat& h);
  // Adds a finished run and keeps only the newest `keep` of that heartbeat (one transaction).
  Status add_run(const std::string& name, const HeartbeatRun& run, int keep = 20);
  // The kept runs, newest first.
  StatusOr<std::vector<HeartbeatRun>> runs(const std::string& name);

  // Alerting (SPEC §6: every alert is written before any delivery is tried). A row whose JSON
  // cannot be read (corrupt, or written by a newer hale) is skipped by every read below and
  // logged once per read (`alert_row_unreadable`); it never makes the read fail.

  // Adds `deliveries` (each one's `seq` is set from its new row) and saves `routes` (insert or
  // replace by (subject, notifier)) in ONE transaction: committed, durably, when this returns
  // ok; on an error none of it is, and every `seq` is left as it was. A duplicate `id` is an error.
  Status add_alerts(std::vector<Delivery>& deliveries, const std::vector<SavedRoute>& routes);
  // Writes a delivery's state, attempts, last_attempt_at, next_attempt_at, done_at and
  // last_error, found by `id` (the alert and created_at never change). No such id is an error.
  Status update_delivery(const Delivery& d);
  // Every pending delivery, oldest (lowest seq) first: what a restarted hale must still send.
  StatusOr<std::vector<Delivery>> pending_deliveries();
  // The newest `limit` deliveries of any state, newest first (for the API after a restart);
  // fewer when rows were unreadable.
  StatusOr<std::vector<Delivery>> recent_deliveries(std::size_t limit);
  // Deletes the sent, failed and silenced deliveries done before `before`; never a pending one.
  Status prune_deliveries(WallTime before);
  // Every saved route, by subject then notifier.
  StatusOr<std::vector<SavedRoute>> saved_routes();
  // Deletes one route; deleting one that is not there is not an error.
  Status delete_route(const std::string& subject, const std::string& notifier);
  // Inserts `s`, or replaces the silence of the same id.
  Status save_silence(const Silence& s);
  // Every saved silence, by starts_at then id.
  StatusOr<std::vector<Silence>> silences();
  // Deletes the silences whose ends_at is before `before`.
  Status delete_silences_ended_before(WallTime before);

  const std::string& path() const { return path_; }

 private:
  StateStore(sqlite3* db, std::string path);
  // The fallback of open() when `path` cannot be written (`why`): read it as it is.
  static StatusOr<std::unique_ptr<StateStore>> open_read_only(const std::string& path, const std::string& why);
  static std::unique_ptr<StateStore> open_read_only_at(sqlite3* db, const std::string& path, std::string message);
  Status exec(const char* sql);
  Status error() const;
  // The deliveries of `SELECT ... FROM alert_outbox <tail>`, ?1 bound to `limit` if given;
  // unreadable rows skipped and logged (alert_records.cpp).
  StatusOr<std::vector<Delivery>> read_deliveries(const std::string& tail, std::optional<std::int64_t> limit);
  sqlite3* db_;
  std::string path_;
  StoreCondition condition_ = StoreCondition::kOk;
  std::string condition_message_;
};

}  // namespace hale
