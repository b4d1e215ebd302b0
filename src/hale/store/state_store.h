// StateStore: hale's small persistent state in one SQLite file under state_dir (hale.db).
// Each service's `wanted` (start/stop), the operator's intent, which must survive a restart of
// hale (SPEC §4: an operator's stop is never undone, even across restarts), and each heartbeat's
// state and last runs (SPEC §5). Written with synchronous=FULL: what was committed survives a
// crash.
// Thread-safety: one StateStore per thread (the loop); SQLite is opened in serialized mode.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

class StateStore {
 public:
  // Opens (creating if needed) `dir`/hale.db, and `dir` itself. An unreadable or corrupt file
  // is an error naming the path, never a crash.
  static StatusOr<std::unique_ptr<StateStore>> open(const std::string& dir);
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

  const std::string& path() const { return path_; }

 private:
  StateStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status exec(const char* sql);
  Status error() const;
  sqlite3* db_;
  std::string path_;
};

}  // namespace hale
