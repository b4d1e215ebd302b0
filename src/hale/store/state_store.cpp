// StateStore on SQLite: WAL, synchronous=FULL, one table per kind of state. The heartbeat tables'
// methods are in heartbeat_records.cpp, the alert tables' in alert_records.cpp.
#include "hale/store/state_store.h"

#include "hale/store/sqlite_statement.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>

namespace hale {

std::string_view to_string(Wanted w) { return w == Wanted::kStart ? "start" : "stop"; }

namespace {

// The schema, made when missing: WAL for crash safety without blocking readers; FULL so that a
// committed `wanted` is on disk before hale acts on it.
Status make_schema(StateStore& store, const std::string& path, const std::function<Status(const char*)>& exec) {
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
    if (Status s = exec(sql); !s) return Status::error(path + ": " + s.message());
  }
  // Columns added after the first heartbeat_state table: added to an older file, once.
  for (const char* sql : {"ALTER TABLE heartbeat_state ADD COLUMN since INTEGER",
                          "ALTER TABLE heartbeat_state ADD COLUMN schedule TEXT NOT NULL DEFAULT ''"}) {
    if (Status s = exec(sql); !s && s.message().find("duplicate column") == std::string::npos) {
      return Status::error(path + ": " + s.message());
    }
  }
  return Status::ok();
}

std::string stamp() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// What the first 16 bytes of a SQLite file are.
constexpr char kSqliteHeader[] = "SQLite format 3";

enum class FileShape { kMissing, kEmpty, kNotSqlite, kSqlite };

FileShape shape_of(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return FileShape::kMissing;
  if (std::filesystem::file_size(path, ec) == 0 && !ec) return FileShape::kEmpty;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return FileShape::kSqlite;  // unreadable: let SQLite say why
  char header[16] = {};
  const std::size_t n = std::fread(header, 1, sizeof header, f);
  std::fclose(f);
  return n == sizeof header && std::memcmp(header, kSqliteHeader, sizeof kSqliteHeader) == 0 ? FileShape::kSqlite
                                                                                               : FileShape::kNotSqlite;
}

// `path` as a SQLite URI ("file:" + the path, its '%', '?' and '#' escaped), for the parameters
// only a URI can give (mode=ro, immutable=1).
std::string file_uri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    switch (c) {
      case '%': uri += "%25"; break;
      case '?': uri += "%3f"; break;
      case '#': uri += "%23"; break;
      default: uri += c;
    }
  }
  return uri;
}

// Opens `name` (a plain path, or a "file:" URI); on failure, says why in `error` and `code`.
sqlite3* open_db(const std::string& name, int flags, std::string& error, int& code) {
  sqlite3* db = nullptr;
  code = sqlite3_open_v2(name.c_str(), &db, flags | SQLITE_OPEN_URI, nullptr);
  if (code != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 1000);
  return db;
}

enum class CheckResult { kOk, kDamaged, kUnknown };

// PRAGMA quick_check (a scan of every page: a damaged file is found at start, not in the middle
// of a restore). Damaged only when SQLite says so (a row other than "ok", SQLITE_CORRUPT or
// SQLITE_NOTADB); a busy or failing disk is kUnknown, and never a reason to set the file aside.
CheckResult quick_check(sqlite3* db, std::string& error) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  CheckResult result = CheckResult::kOk;
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    const std::string_view row = text ? text : "";
    if (row != "ok") {
      error = row;
      result = CheckResult::kDamaged;
    }
  } else {
    error = sqlite3_errmsg(db);
    const int primary = sqlite3_errcode(db) & 0xff;
    result = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ? CheckResult::kDamaged : CheckResult::kUnknown;
  }
  sqlite3_finalize(st);
  return result;
}

// The paths this process has open (each StateStore's): a file one connection uses is never set
// aside by another (the daemon opens hale.db twice: the loop's connection and the worker's).
std::mutex open_paths_mutex;
std::multiset<std::string> open_paths;

bool is_open_here(const std::string& path) {
  std::lock_guard lock(open_paths_mutex);
  return open_paths.contains(path);
}

// Whether a failure to open or write the file means "it cannot be written here" (read-only file
// system or directory, permissions), the one case where reading it read-only is the right answer.
// A busy or locked file is not: another writer has it, and hale must not pretend it is read-only.
bool is_not_writable(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT: return false;
    default: return true;
  }
}

}  // namespace

std::string_view to_string(StoreCondition c) {
  switch (c) {
    case StoreCondition::kOk: return "ok";
    case StoreCondition::kReadOnly: return "read_only";
    case StoreCondition::kRecreated: return "recreated";
  }
  return "ok";
}

StatusOr<std::unique_ptr<StateStore>> StateStore::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec && !std::filesystem::is_directory(dir)) return Status::unavailable("cannot create state_dir " + dir + ": " + ec.message());
  const std::string path = (std::filesystem::path(dir) / "hale.db").string();
  StoreCondition condition = StoreCondition::kOk;
  std::string message;

  // An empty or foreign file is kept aside, never overwritten, and said out loud. Its -wal and
  // -shm go with it (a -wal may hold its last commits: whoever recovers it needs both).
  auto set_aside = [&](const char* what, const std::string& why) -> Status {
    if (is_open_here(path)) {
      return Status::error(path + " is " + why + ", but hale has it open already: it is not set aside");
    }
    const std::string aside = path + "." + what + "-" + stamp();
    std::error_code rename_error;
    std::filesystem::rename(path, aside, rename_error);
    if (rename_error) {
      return Status::error(path + " is " + why + ", and it cannot be kept aside as " + aside + ": " + rename_error.message());
    }
    for (const char* side : {"-wal", "-shm"}) {
      std::error_code side_error;
      if (std::filesystem::exists(path + side, side_error)) std::filesystem::rename(path + side, aside + side, side_error);
    }
    condition = StoreCondition::kRecreated;
    message = path + " was " + why + "; it is kept as " + aside +
              " and a new one was started: what it held (operator stops, silences, heartbeat state, pending alerts) "
              "is not restored";
    return Status::ok();
  };
  switch (shape_of(path)) {
    case FileShape::kEmpty:
      if (Status s = set_aside("empty", "empty (0 bytes)"); !s) return s;
      break;
    case FileShape::kNotSqlite:
      if (Status s = set_aside("corrupt", "not a SQLite database"); !s) return s;
      break;
    default: break;
  }

  std::string error;
  int code = SQLITE_OK;
  // Twice at most: a file found damaged inside is kept aside and a new one made.
  for (int attempt = 0; attempt < 2; ++attempt) {
    sqlite3* db = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error, code);
    if (!db) break;
    std::unique_ptr<StateStore> store(new StateStore(db, path));
    const Status schema = make_schema(*store, path, [&](const char* sql) { return store->exec(sql); });
    code = sqlite3_extended_errcode(db);
    std::string check_error;
    const CheckResult check = schema ? quick_check(db, check_error) : CheckResult::kUnknown;
    if (check == CheckResult::kOk) {
      store->condition_ = condition;
      store->condition_message_ = message;
      return store;
    }
    if (schema) code = sqlite3_extended_errcode(db);
    store.reset();
    const int primary = code & 0xff;
    const bool damaged = schema ? check == CheckResult::kDamaged : (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB);
    error = schema ? check_error : schema.message();
    if (!damaged || attempt > 0) break;
    if (Status s = set_aside("corrupt", "damaged (" + error + ")"); !s) return s;
  }
  // Not writable (a read-only state_dir or file system): read what is there, so that an
  // operator's stop still holds. Busy or locked is not "read-only": that is an error.
  if (shape_of(path) != FileShape::kSqlite || !is_not_writable(code)) {
    return Status::error("cannot open " + path + ": " + error);
  }
  return open_read_only(path, error);
}

std::unique_ptr<StateStore> StateStore::open_read_only_at(sqlite3* db, const std::string& path, std::string message) {
  std::unique_ptr<StateStore> store(new StateStore(db, path));
  store->condition_ = StoreCondition::kReadOnly;
  store->condition_message_ = std::move(message);
  return store;
}

StatusOr<std::unique_ptr<StateStore>> StateStore::open_read_only(const std::string& path, const std::string& why) {
  const std::string consequence =
      "what it holds is read (operator stops hold), but nothing new is saved: an operator's start or stop is "
      "refused, heartbeat state and alerts are kept in memory only";
  // mode=ro reads the -wal too (its last commits), where SQLite can use or make the -shm.
  std::string ro_error;
  int ro_code = SQLITE_OK;
  if (sqlite3* ro = open_db(file_uri(path) + "?mode=ro", SQLITE_OPEN_READONLY, ro_error, ro_code)) {
    sqlite3_stmt* st = nullptr;
    const bool readable = sqlite3_prepare_v2(ro, "SELECT count(*) FROM sqlite_master", -1, &st, nullptr) == SQLITE_OK &&
                          sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (readable) return open_read_only_at(ro, path, path + " cannot be written (" + why + "): " + consequence);
    ro_error = sqlite3_errmsg(ro);
    sqlite3_close(ro);
  }
  // immutable=1: SQLite takes no lock and needs no -shm (none can be made here), but it does not
  // read the -wal either: if one with content is there, its last commits are not seen.
  std::string im_error;
  int im_code = SQLITE_OK;
  sqlite3* im = open_db(file_uri(path) + "?mode=ro&immutable=1", SQLITE_OPEN_READONLY, im_error, im_code);
  if (!im) return Status::error("cannot open " + path + ": " + why + "; read-only: " + ro_error + "; " + im_error);
  std::error_code ec;
  const auto wal_size = std::filesystem::file_size(path + "-wal", ec);
  std::string message = path + " cannot be written (" + why + "): " + consequence;
  if (!ec && wal_size > 0) {
    message += "; its last writes (in " + path + "-wal, which cannot be read without writing) are not read either";
  }
  return open_read_only_at(im, path, std::move(message));
}

StateStore::StateStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {
  std::lock_guard lock(open_paths_mutex);
  open_paths.insert(path_);
}

StateStore::~StateStore() {
  sqlite3_close(db_);
  std::lock_guard lock(open_paths_mutex);
  if (auto it = open_paths.find(path_); it != open_paths.end()) open_paths.erase(it);
}

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
