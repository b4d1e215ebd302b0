// StateStore on SQLite: WAL, synchronous=FULL, one table per kind of state. The heartbeat tables'
// methods are in heartbeat_records.cpp, the alert tables' in alert_records.cpp.
#include "hale/store/state_store.h"

#include "hale/store/sqlite_statement.h"

#include <sqlite3.h>

#include <ctime>
#include <filesystem>

namespace hale {

std::string_view to_string(Wanted w) { return w == Wanted::kStart ? "start" : "stop"; }

StatusOr<std::unique_ptr<StateStore>> StateStore::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error("cannot create state_dir " + dir + ": " + ec.message());
  const std::string path = (std::filesystem::path(dir) / "hale.db").string();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::error("cannot open " + path + ": " + msg);
  }
  std::unique_ptr<StateStore> store(new StateStore(db, path));
  sqlite3_busy_timeout(db, 1000);
  // WAL for crash safety without blocking readers; FULL so that a committed `wanted` is on disk
  // before hale acts on it.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE IF NOT EXISTS service_wanted ("
                          " name TEXT PRIMARY KEY, wanted TEXT NOT NULL CHECK (wanted IN ('start','stop')),"
                          " updated_at INTEGER NOT NULL)",
                          "CREATE TABLE IF NOT EXISTS heartbeat_state ("
                          " name TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL,"
                          " last_ping INTEGER, next_expected INTEGER, running_since INTEGER)",
                          "CREATE TABLE IF NOT EXISTS heartbeat_runs ("
                          " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, started INTEGER,"
                          " ended INTEGER NOT NULL, exit_code INTEGER, verdict TEXT NOT NULL, output BLOB NOT NULL)",
                          "CREATE INDEX IF NOT EXISTS heartbeat_runs_by_name ON heartbeat_runs (name, id)",
                          // SPEC §6: the outbox. `alert` is to_json(Alert); `key` repeats alert.key
                          // for queries. AUTOINCREMENT: a seq is never reused, even after a prune.
                          "CREATE TABLE IF NOT EXISTS alert_outbox ("
                          " seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
                          " notifier TEXT NOT NULL, key TEXT NOT NULL,"
                          " state TEXT NOT NULL CHECK (state IN ('pending','sent','failed','silenced')),"
                          " attempts INTEGER NOT NULL, created_at INTEGER NOT NULL, last_attempt_at INTEGER,"
                          " next_attempt_at INTEGER, done_at INTEGER, last_error TEXT NOT NULL,"
                          " alert TEXT NOT NULL)",
                          "CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox (seq)"
                          " WHERE state = 'pending'",
                          // `state` is to_json(SavedRoute).
                          "CREATE TABLE IF NOT EXISTS alert_routes ("
                          " subject TEXT NOT NULL, notifier TEXT NOT NULL, state TEXT NOT NULL,"
                          " PRIMARY KEY (subject, notifier))",
                          // `matchers` is a JSON array of {"name", "value"}.
                          "CREATE TABLE IF NOT EXISTS alert_silences ("
                          " id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL,"
                          " ends_at INTEGER NOT NULL, comment TEXT NOT NULL, author TEXT NOT NULL,"
                          " created_at INTEGER NOT NULL)"}) {
    if (Status s = store->exec(sql); !s) return Status::error(path + ": " + s.message());
  }
  // Columns added after the first heartbeat_state table: added to an older file, once.
  for (const char* sql : {"ALTER TABLE heartbeat_state ADD COLUMN since INTEGER",
                          "ALTER TABLE heartbeat_state ADD COLUMN schedule TEXT NOT NULL DEFAULT ''"}) {
    if (Status s = store->exec(sql); !s && s.message().find("duplicate column") == std::string::npos) {
      return Status::error(path + ": " + s.message());
    }
  }
  return store;
}

StateStore::~StateStore() { sqlite3_close(db_); }

Status StateStore::error() const { return Status::error(path_ + ": " + sqlite3_errmsg(db_)); }

Status StateStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::error(msg);
  }
  return Status::ok();
}

StatusOr<std::optional<Wanted>> StateStore::wanted(const std::string& service) {
  store::Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT wanted FROM service_wanted WHERE name = ?1", -1, &st.s,
                         nullptr) != SQLITE_OK) {
    return Status::error(path_ + ": " + sqlite3_errmsg(db_));
  }
  sqlite3_bind_text(st.s, 1, service.c_str(), static_cast<int>(service.size()), SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st.s);
  if (rc == SQLITE_DONE) return std::optional<Wanted>();
  if (rc != SQLITE_ROW) return Status::error(path_ + ": " + sqlite3_errmsg(db_));
  const std::string v = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
  return std::optional<Wanted>(v == "stop" ? Wanted::kStop : Wanted::kStart);
}

Status StateStore::set_wanted(const std::string& service, Wanted w) {
  store::Statement st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO service_wanted (name, wanted, updated_at) VALUES (?1, ?2, ?3)"
                         " ON CONFLICT(name) DO UPDATE SET wanted = excluded.wanted,"
                         " updated_at = excluded.updated_at",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return Status::error(path_ + ": " + sqlite3_errmsg(db_));
  }
  const std::string_view ws = to_string(w);
  sqlite3_bind_text(st.s, 1, service.c_str(), static_cast<int>(service.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, ws.data(), static_cast<int>(ws.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.s, 3, static_cast<sqlite3_int64>(std::time(nullptr)));
  if (sqlite3_step(st.s) != SQLITE_DONE) return Status::error(path_ + ": " + sqlite3_errmsg(db_));
  return Status::ok();
}

}  // namespace hale
