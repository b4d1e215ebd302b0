// StateStore: hale's small persistent state in one SQLite file under state_dir (hale.db).
// For now: each service's `wanted` (start/stop), the operator's intent, which must survive a
// restart of hale (SPEC §4: an operator's stop is never undone, even across restarts). Written
// before hale acts on it, with synchronous=FULL, so a committed intent survives a crash.
// Thread-safety: one StateStore per thread (the loop); SQLite is opened in serialized mode.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hale/status.h"

struct sqlite3;

namespace hale {

enum class Wanted { kStart, kStop };
std::string_view to_string(Wanted w);

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

  const std::string& path() const { return path_; }

 private:
  StateStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status exec(const char* sql);
  sqlite3* db_;
  std::string path_;
};

}  // namespace hale
