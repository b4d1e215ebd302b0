// StateStore: the heartbeat tables (see state_store.h). Times are stored as milliseconds since
// the epoch (NULL when unset), so that a restarted hale computes lateness from the real clock.
#include <sqlite3.h>

#include "hale/store/sqlite_statement.h"
#include "hale/store/state_store.h"

namespace hale {

using namespace store;  // Statement, bind_*, column_*, to_ms

StatusOr<std::optional<SavedHeartbeat>> StateStore::heartbeat(const std::string& name) {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "SELECT status, reason, last_ping, next_expected, running_since, since, schedule FROM heartbeat_state"
                         " WHERE name = ?1",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  bind_text(st.s, 1, name);
  const int rc = sqlite3_step(st.s);
  if (rc == SQLITE_DONE) return std::optional<SavedHeartbeat>();
  if (rc != SQLITE_ROW) return error();
  SavedHeartbeat h;
  h.status = column_text(st.s, 0);
  h.reason = column_text(st.s, 1);
  h.last_ping = column_time(st.s, 2);
  h.next_expected = column_time(st.s, 3);
  h.running_since = column_time(st.s, 4);
  h.since = column_time(st.s, 5);
  h.schedule = column_text(st.s, 6);
  return std::optional<SavedHeartbeat>(std::move(h));
}

Status StateStore::save_heartbeat(const std::string& name, const SavedHeartbeat& h) {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO heartbeat_state"
                         " (name, status, reason, last_ping, next_expected, running_since, since, schedule)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(name) DO UPDATE SET"
                         " status = excluded.status, reason = excluded.reason, last_ping = excluded.last_ping,"
                         " next_expected = excluded.next_expected, running_since = excluded.running_since,"
                         " since = excluded.since, schedule = excluded.schedule",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  bind_text(st.s, 1, name);
  bind_text(st.s, 2, h.status);
  bind_text(st.s, 3, h.reason);
  bind_time(st.s, 4, h.last_ping);
  bind_time(st.s, 5, h.next_expected);
  bind_time(st.s, 6, h.running_since);
  bind_time(st.s, 7, h.since);
  bind_text(st.s, 8, h.schedule);
  if (sqlite3_step(st.s) != SQLITE_DONE) return error();
  return Status::ok();
}

Status StateStore::add_run(const std::string& name, const HeartbeatRun& run, int keep) {
  if (Status s = exec("BEGIN IMMEDIATE"); !s) return s;
  auto fail = [&](Status s) {
    // The first error is the one to report; a ROLLBACK that fails leaves nothing committed either.
    (void)exec("ROLLBACK");
    return s;
  };
  {
    Statement ins;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO heartbeat_runs (name, started, ended, exit_code, verdict, output)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &ins.s, nullptr) != SQLITE_OK) {
      return fail(error());
    }
    bind_text(ins.s, 1, name);
    bind_time(ins.s, 2, run.started);
    sqlite3_bind_int64(ins.s, 3, to_ms(run.ended));
    if (run.exit_code) {
      sqlite3_bind_int(ins.s, 4, *run.exit_code);
    } else {
      sqlite3_bind_null(ins.s, 4);
    }
    bind_text(ins.s, 5, run.verdict);
    sqlite3_bind_blob(ins.s, 6, run.output_excerpt.data(), static_cast<int>(run.output_excerpt.size()),
                      SQLITE_TRANSIENT);
    if (sqlite3_step(ins.s) != SQLITE_DONE) return fail(error());
  }
  {
    Statement trim;
    if (sqlite3_prepare_v2(db_,
                           "DELETE FROM heartbeat_runs WHERE name = ?1 AND id NOT IN"
                           " (SELECT id FROM heartbeat_runs WHERE name = ?1 ORDER BY id DESC LIMIT ?2)",
                           -1, &trim.s, nullptr) != SQLITE_OK) {
      return fail(error());
    }
    bind_text(trim.s, 1, name);
    sqlite3_bind_int(trim.s, 2, keep);
    if (sqlite3_step(trim.s) != SQLITE_DONE) return fail(error());
  }
  if (Status s = exec("COMMIT"); !s) return fail(s);
  return Status::ok();
}

StatusOr<std::vector<HeartbeatRun>> StateStore::runs(const std::string& name) {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "SELECT started, ended, exit_code, verdict, output FROM heartbeat_runs WHERE name = ?1"
                         " ORDER BY id DESC",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    return error();
  }
  bind_text(st.s, 1, name);
  std::vector<HeartbeatRun> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    HeartbeatRun r;
    r.started = column_time(st.s, 0);
    r.ended = from_ms(sqlite3_column_int64(st.s, 1));
    if (sqlite3_column_type(st.s, 2) != SQLITE_NULL) r.exit_code = sqlite3_column_int(st.s, 2);
    r.verdict = column_text(st.s, 3);
    const void* blob = sqlite3_column_blob(st.s, 4);
    r.output_excerpt.assign(static_cast<const char*>(blob ? blob : ""),
                            static_cast<std::size_t>(sqlite3_column_bytes(st.s, 4)));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return error();
  return out;
}

}  // namespace hale
