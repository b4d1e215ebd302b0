// StateStore: the alert tables (see state_store.h): the outbox of deliveries, the saved routes
// and the silences. Times are milliseconds since the epoch (NULL when unset); an Alert, a
// SavedRoute and a silence's matchers are JSON columns (alert.h). A row whose JSON cannot be
// read is skipped and logged, never a failed read: one corrupt row, or one written by a newer
// hale, must not stop a restarted hale from delivering every other pending alert (SPEC §6).
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "hale/log/json_log.h"
#include "hale/store/sqlite_statement.h"
#include "hale/store/state_store.h"

namespace hale {

using namespace store;  // Statement, bind_*, column_*, to_ms
using nlohmann::json;

namespace {

// The text of a JSON column, parsed; nullopt when it is not JSON at all.
std::optional<json> column_json(sqlite3_stmt* s, int i) {
  json j = json::parse(column_text(s, i), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// A JSON column's text. Invalid UTF-8 (a message cut from a process's output) becomes U+FFFD
// instead of the exception dump() would throw in the middle of a transaction.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void log_unreadable(const std::string& path, const char* table, json where) {
  where["table"] = table;
  where["path"] = path;
  log_event(LogLevel::kWarn, "alert_row_unreadable", std::move(where));
}

json matchers_to_json(const std::vector<SilenceMatcher>& matchers) {
  json out = json::array();
  for (const SilenceMatcher& m : matchers) out.push_back(json{{"name", m.name}, {"value", m.value}});
  return out;
}

std::optional<std::vector<SilenceMatcher>> matchers_from_json(const json& j) {
  if (!j.is_array()) return std::nullopt;
  std::vector<SilenceMatcher> out;
  try {
    for (const json& m : j) out.push_back({m.at("name").get<std::string>(), m.at("value").get<std::string>()});
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return out;
}

constexpr const char* kDeliveryColumns =
    "seq, id, notifier, state, attempts, created_at, last_attempt_at, next_attempt_at, done_at,"
    " last_error, alert";

// One row of kDeliveryColumns; nullopt when its state or alert cannot be read.
std::optional<Delivery> read_delivery(sqlite3_stmt* s) {
  Delivery d;
  d.seq = sqlite3_column_int64(s, 0);
  d.id = column_text(s, 1);
  d.notifier = column_text(s, 2);
  auto state = parse_delivery_state(column_text(s, 3));
  if (!state) return std::nullopt;
  d.state = *state;
  d.attempts = sqlite3_column_int(s, 4);
  d.created_at = from_ms(sqlite3_column_int64(s, 5));
  d.last_attempt_at = column_time(s, 6);
  d.next_attempt_at = column_time(s, 7);
  d.done_at = column_time(s, 8);
  d.last_error = column_text(s, 9);
  auto j = column_json(s, 10);
  if (!j) return std::nullopt;
  auto alert = alert_from_json(*j);
  if (!alert) return std::nullopt;
  d.alert = std::move(*alert);
  return d;
}

}  // namespace

Status StateStore::add_alerts(std::vector<Delivery>& deliveries, const std::vector<SavedRoute>& routes) {
  if (deliveries.empty() && routes.empty()) return Status::ok();  // nothing to commit, no fsync
  std::vector<std::int64_t> old_seqs;
  old_seqs.reserve(deliveries.size());
  for (const Delivery& d : deliveries) old_seqs.push_back(d.seq);
  if (!exec("BEGIN IMMEDIATE")) return error();
  // Every error path: nothing of the batch is committed, and no seq claims a row that is not there.
  auto fail = [&](Status s) {
    // The first error is the one to report; a ROLLBACK that fails leaves nothing committed either.
    (void)exec("ROLLBACK");
    for (std::size_t i = 0; i < deliveries.size(); ++i) deliveries[i].seq = old_seqs[i];
    return s;
  };
  if (!routes.empty()) {
    Statement st;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO alert_routes (subject, notifier, state) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT(subject, notifier) DO UPDATE SET state = excluded.state",
                           -1, &st.s, nullptr) != SQLITE_OK) {
      return fail(error());
    }
    for (const SavedRoute& r : routes) {
      sqlite3_reset(st.s);
      bind_text(st.s, 1, r.subject);
      bind_text(st.s, 2, r.notifier);
      bind_text(st.s, 3, dump(to_json(r)));
      if (sqlite3_step(st.s) != SQLITE_DONE) return fail(error());
    }
  }
  if (!deliveries.empty()) {
    Statement st;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO alert_outbox (id, notifier, key, state, attempts, created_at,"
                           " last_attempt_at, next_attempt_at, done_at, last_error, alert)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st.s, nullptr) != SQLITE_OK) {
      return fail(error());
    }
    for (Delivery& d : deliveries) {
      sqlite3_reset(st.s);
      bind_text(st.s, 1, d.id);
      bind_text(st.s, 2, d.notifier);
      bind_text(st.s, 3, d.alert.key);
      bind_text(st.s, 4, std::string(to_string(d.state)));
      sqlite3_bind_int(st.s, 5, d.attempts);
      sqlite3_bind_int64(st.s, 6, to_ms(d.created_at));
      bind_time(st.s, 7, d.last_attempt_at);
      bind_time(st.s, 8, d.next_attempt_at);
      bind_time(st.s, 9, d.done_at);
      bind_text(st.s, 10, d.last_error);
      bind_text(st.s, 11, dump(to_json(d.alert)));
      if (sqlite3_step(st.s) != SQLITE_DONE) return fail(error());
      d.seq = sqlite3_last_insert_rowid(db_);
    }
  }
  if (!exec("COMMIT")) return fail(error());  // error() before fail()'s ROLLBACK replaces the message
  return Status::ok();
}

Status StateStore::update_delivery(const Delivery& d) {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "UPDATE alert_outbox SET state = ?2, attempts = ?3, last_attempt_at = ?4,"
                         " next_attempt_at = ?5, done_at = ?6, last_error = ?7 WHERE id = ?1",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  bind_text(st.s, 1, d.id);
  bind_text(st.s, 2, std::string(to_string(d.state)));
  sqlite3_bind_int(st.s, 3, d.attempts);
  bind_time(st.s, 4, d.last_attempt_at);
  bind_time(st.s, 5, d.next_attempt_at);
  bind_time(st.s, 6, d.done_at);
  bind_text(st.s, 7, d.last_error);
  if (sqlite3_step(st.s) != SQLITE_DONE) return error();
  // A delivery that is not in the outbox (pruned, or never added) is the caller's bug: say so.
  if (sqlite3_changes(db_) == 0) return Status::error(path_ + ": no delivery " + d.id + " in the outbox");
  return Status::ok();
}

StatusOr<std::vector<Delivery>> StateStore::read_deliveries(const std::string& tail,
                                                            std::optional<std::int64_t> limit) {
  Statement st;
  const std::string sql = std::string("SELECT ") + kDeliveryColumns + " FROM alert_outbox " + tail;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK) return error();
  if (limit) sqlite3_bind_int64(st.s, 1, *limit);
  std::vector<Delivery> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    if (auto d = read_delivery(st.s)) {
      out.push_back(std::move(*d));
    } else {
      log_unreadable(path_, "alert_outbox", {{"seq", sqlite3_column_int64(st.s, 0)}});
    }
  }
  if (rc != SQLITE_DONE) return error();
  return out;
}

StatusOr<std::vector<Delivery>> StateStore::pending_deliveries() {
  return read_deliveries("WHERE state = 'pending' ORDER BY seq", std::nullopt);
}

StatusOr<std::vector<Delivery>> StateStore::recent_deliveries(std::size_t limit) {
  const auto n = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
  return read_deliveries("ORDER BY seq DESC LIMIT ?1", n);
}

Status StateStore::prune_deliveries(WallTime before) {
  Statement st;
  // A pending row is what is still owed to a receiver: never pruned, however old. (A done row
  // without done_at, which add_alerts does not stop, compares as NULL and is kept too.)
  if (sqlite3_prepare_v2(db_,
                         "DELETE FROM alert_outbox WHERE state IN ('sent','failed','silenced') AND done_at < ?1",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  sqlite3_bind_int64(st.s, 1, to_ms(before));
  if (sqlite3_step(st.s) != SQLITE_DONE) return error();
  return Status::ok();
}

StatusOr<std::vector<SavedRoute>> StateStore::saved_routes() {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT subject, notifier, state FROM alert_routes ORDER BY subject, notifier", -1,
                         &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  std::vector<SavedRoute> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    std::optional<SavedRoute> r;
    if (auto j = column_json(st.s, 2)) r = saved_route_from_json(*j);
    if (!r) {
      log_unreadable(path_, "alert_routes", {{"subject", column_text(st.s, 0)}, {"notifier", column_text(st.s, 1)}});
      continue;
    }
    // The key columns are what delete_route and the next save go by: they win over the JSON.
    r->subject = column_text(st.s, 0);
    r->notifier = column_text(st.s, 1);
    out.push_back(std::move(*r));
  }
  if (rc != SQLITE_DONE) return error();
  return out;
}

Status StateStore::delete_route(const std::string& subject, const std::string& notifier) {
  Statement st;
  if (sqlite3_prepare_v2(db_, "DELETE FROM alert_routes WHERE subject = ?1 AND notifier = ?2", -1, &st.s,
                         nullptr) != SQLITE_OK) {
    return error();
  }
  bind_text(st.s, 1, subject);
  bind_text(st.s, 2, notifier);
  if (sqlite3_step(st.s) != SQLITE_DONE) return error();
  return Status::ok();
}

Status StateStore::save_silence(const Silence& s) {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO alert_silences (id, matchers, starts_at, ends_at, comment, author, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET"
                         " matchers = excluded.matchers, starts_at = excluded.starts_at,"
                         " ends_at = excluded.ends_at, comment = excluded.comment, author = excluded.author,"
                         " created_at = excluded.created_at",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  bind_text(st.s, 1, s.id);
  bind_text(st.s, 2, dump(matchers_to_json(s.matchers)));
  sqlite3_bind_int64(st.s, 3, to_ms(s.starts_at));
  sqlite3_bind_int64(st.s, 4, to_ms(s.ends_at));
  bind_text(st.s, 5, s.comment);
  bind_text(st.s, 6, s.author);
  sqlite3_bind_int64(st.s, 7, to_ms(s.created_at));
  if (sqlite3_step(st.s) != SQLITE_DONE) return error();
  return Status::ok();
}

StatusOr<std::vector<Silence>> StateStore::silences() {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "SELECT id, matchers, starts_at, ends_at, comment, author, created_at FROM alert_silences"
                         " ORDER BY starts_at, id",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  std::vector<Silence> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    std::optional<std::vector<SilenceMatcher>> matchers;
    if (auto j = column_json(st.s, 1)) matchers = matchers_from_json(*j);
    if (!matchers) {
      log_unreadable(path_, "alert_silences", {{"id", column_text(st.s, 0)}});
      continue;
    }
    Silence s;
    s.id = column_text(st.s, 0);
    s.matchers = std::move(*matchers);
    s.starts_at = from_ms(sqlite3_column_int64(st.s, 2));
    s.ends_at = from_ms(sqlite3_column_int64(st.s, 3));
    s.comment = column_text(st.s, 4);
    s.author = column_text(st.s, 5);
    s.created_at = from_ms(sqlite3_column_int64(st.s, 6));
    out.push_back(std::move(s));
  }
  if (rc != SQLITE_DONE) return error();
  return out;
}

Status StateStore::delete_silences_ended_before(WallTime before) {
  Statement st;
  if (sqlite3_prepare_v2(db_, "DELETE FROM alert_silences WHERE ends_at < ?1", -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  sqlite3_bind_int64(st.s, 1, to_ms(before));
  if (sqlite3_step(st.s) != SQLITE_DONE) return error();
  return Status::ok();
}

}  // namespace hale
