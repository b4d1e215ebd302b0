// HistoryDb on SQLite: packs of points, events, incidents (see history_db.h).
#include "hale/history/history_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <filesystem>
#include <map>

#include "hale/store/sqlite_statement.h"

namespace hale::history {

using store::bind_text;
using store::column_text;
using store::Statement;

namespace {

constexpr const char* kSchema[] = {
    "PRAGMA journal_mode=WAL",
    // A committed batch survives the process's death (kill -9); a power cut may take the last
    // few, which history can afford (hale.db, the outbox, is FULL).
    "PRAGMA synchronous=NORMAL",
    // 256 KB of page cache rather than SQLite's 2 MB: the reads that matter (the overview) go
    // through tens of MB once anyway, and the RSS of 10,000 checks has a bar (SPEC §8).
    "PRAGMA cache_size=-256",
    "CREATE TABLE IF NOT EXISTS subjects (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
    " UNIQUE (kind, name))",
    // Keyed by time first: the overview and the roll-ups read one level's recent packs of
    // every subject, a contiguous range (10,000 subjects' last 90 days: 70,000 rows, not the
    // 1.5 million a level holds). One subject's history goes through packs_by_subject.
    "CREATE TABLE IF NOT EXISTS packs (level INTEGER NOT NULL, start INTEGER NOT NULL, subject INTEGER NOT NULL,"
    " pts BLOB NOT NULL, PRIMARY KEY (level, start, subject)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS packs_by_subject ON packs (level, subject, start)",
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, subject INTEGER NOT NULL,"
    " type TEXT NOT NULL, incident INTEGER, text TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_by_subject ON events (subject, at)",
    "CREATE INDEX IF NOT EXISTS events_by_incident ON events (incident) WHERE incident IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_by_time ON events (at)",
    "CREATE TABLE IF NOT EXISTS incidents (id INTEGER PRIMARY KEY, subject INTEGER NOT NULL,"
    " started_at INTEGER NOT NULL, detected_at INTEGER NOT NULL, alerted_at INTEGER, resolved_at INTEGER,"
    " worst TEXT NOT NULL, cause TEXT NOT NULL, drill TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS incidents_by_subject ON incidents (subject, started_at)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS announcements (id TEXT PRIMARY KEY, message TEXT NOT NULL, level TEXT NOT NULL,"
    " starts_at INTEGER, ends_at INTEGER, created_at INTEGER NOT NULL)",
};

std::int64_t seconds(Duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

Level finer(Level l) { return l == Level::kDay ? Level::kHour : Level::kMinute; }

// The meta key of the first step of `level` not rolled up yet.
const char* folded_key(Level l) { return l == Level::kHour ? "folded_hour" : "folded_day"; }

}  // namespace

std::optional<double> Uptime::ratio() const {
  if (up_seconds + down_seconds == 0) return std::nullopt;
  return static_cast<double>(up_seconds) / static_cast<double>(up_seconds + down_seconds);
}

StatusOr<std::unique_ptr<HistoryDb>> HistoryDb::open(const std::string& path, const HistoryConfig& retention) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string message = path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Status::error(message);
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<HistoryDb> h(new HistoryDb(db, path, retention));
  for (const char* sql : kSchema) {
    if (Status s = h->exec(sql); !s) return Status::error(path + ": " + s.message());
  }
  return h;
}

HistoryDb::HistoryDb(sqlite3* db, std::string path, const HistoryConfig& retention)
    : db_(db), path_(std::move(path)), retention_(retention) {}

HistoryDb::~HistoryDb() {
  sqlite3_finalize(find_subject_);
  sqlite3_finalize(insert_subject_);
  sqlite3_close(db_);
}

Status HistoryDb::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "sqlite error";
    sqlite3_free(err);
    return Status::error(message);
  }
  return Status::ok();
}

Status HistoryDb::error(const char* what) const {
  return Status::error(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

// Looked up each time through two statements prepared once, rather than cached: 10,000
// subjects' ids in a map were 0.8 MB of the RSS bar (SPEC §8), and a minute's 10,000 lookups
// cost the worker about 20 ms.
StatusOr<std::int64_t> HistoryDb::subject_id(const SubjectId& s, bool create) {
  const std::string kind(to_string(s.kind));
  if (!find_subject_ &&
      sqlite3_prepare_v3(db_, "SELECT id FROM subjects WHERE kind = ?1 AND name = ?2", -1, SQLITE_PREPARE_PERSISTENT,
                         &find_subject_, nullptr) != SQLITE_OK) {
    return error("subjects");
  }
  sqlite3_reset(find_subject_);
  bind_text(find_subject_, 1, kind);
  bind_text(find_subject_, 2, s.name);
  const int rc = sqlite3_step(find_subject_);
  if (rc == SQLITE_ROW) {
    const std::int64_t id = sqlite3_column_int64(find_subject_, 0);
    sqlite3_reset(find_subject_);
    return id;
  }
  sqlite3_reset(find_subject_);
  if (rc != SQLITE_DONE) return error("subjects");
  if (!create) return std::int64_t{0};
  if (!insert_subject_ &&
      sqlite3_prepare_v3(db_, "INSERT INTO subjects (kind, name) VALUES (?1, ?2)", -1, SQLITE_PREPARE_PERSISTENT,
                         &insert_subject_, nullptr) != SQLITE_OK) {
    return error("subjects");
  }
  sqlite3_reset(insert_subject_);
  bind_text(insert_subject_, 1, kind);
  bind_text(insert_subject_, 2, s.name);
  const int done = sqlite3_step(insert_subject_);
  sqlite3_reset(insert_subject_);
  if (done != SQLITE_DONE) return error("subjects");
  return sqlite3_last_insert_rowid(db_);
}

std::optional<std::int64_t> HistoryDb::meta(const char* key) {
  Statement q;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = ?1", -1, &q.s, nullptr) != SQLITE_OK) return std::nullopt;
  sqlite3_bind_text(q.s, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step(q.s) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int64(q.s, 0);
}

Status HistoryDb::set_meta(const char* key, std::int64_t value) {
  Statement q;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", -1, &q.s, nullptr) != SQLITE_OK) {
    return error("meta");
  }
  sqlite3_bind_text(q.s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q.s, 2, value);
  if (sqlite3_step(q.s) != SQLITE_DONE) return error("meta");
  return Status::ok();
}

Status HistoryDb::append(Level level, std::int64_t subject, const Point& p) {
  const std::int64_t start = floor_to(p.t, pack_seconds(level));
  std::string bytes;
  append_point(bytes, p, level, start);
  Statement q;
  // Appending is a concatenation: the pack is never read back to be written.
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO packs (level, subject, start, pts) VALUES (?1, ?2, ?3, ?4)"
                         " ON CONFLICT (level, start, subject) DO UPDATE SET pts = CAST(pts || excluded.pts AS BLOB)",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return error("packs");
  }
  sqlite3_bind_int(q.s, 1, static_cast<int>(level));
  sqlite3_bind_int64(q.s, 2, subject);
  sqlite3_bind_int64(q.s, 3, start);
  sqlite3_bind_blob(q.s, 4, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(q.s) != SQLITE_DONE) return error("packs");
  return Status::ok();
}

Status HistoryDb::write(const Batch& batch, WallTime now) {
  if (Status s = exec("BEGIN IMMEDIATE"); !s) return Status::error(path_ + ": " + s.message());
  auto fail = [&](Status s) {
    (void)exec("ROLLBACK");
    return s;
  };
  for (const MinutePoint& m : batch.minutes) {
    auto id = subject_id(m.subject, true);
    if (!id) return fail(id.status());
    if (Status s = append(Level::kMinute, *id, m.point); !s) return fail(s);
  }
  if (!batch.events.empty()) {
    Statement q;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO events (at, subject, type, incident, text, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &q.s, nullptr) != SQLITE_OK) {
      return fail(error("events"));
    }
    for (const Event& e : batch.events) {
      auto id = subject_id(e.subject, true);
      if (!id) return fail(id.status());
      sqlite3_reset(q.s);
      sqlite3_bind_int64(q.s, 1, store::to_ms(e.at));
      sqlite3_bind_int64(q.s, 2, *id);
      bind_text(q.s, 3, e.type);
      if (e.incident) {
        sqlite3_bind_int64(q.s, 4, e.incident);
      } else {
        sqlite3_bind_null(q.s, 4);
      }
      bind_text(q.s, 5, e.text);
      bind_text(q.s, 6, e.data.empty() ? std::string("{}") : e.data);
      if (sqlite3_step(q.s) != SQLITE_DONE) return fail(error("events"));
    }
  }
  if (!batch.incidents.empty()) {
    Statement q;
    if (sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO incidents (id, subject, started_at, detected_at, alerted_at,"
                           " resolved_at, worst, cause, drill) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &q.s, nullptr) != SQLITE_OK) {
      return fail(error("incidents"));
    }
    for (const Incident& i : batch.incidents) {
      auto id = subject_id(i.subject, true);
      if (!id) return fail(id.status());
      sqlite3_reset(q.s);
      sqlite3_bind_int64(q.s, 1, i.id);
      sqlite3_bind_int64(q.s, 2, *id);
      sqlite3_bind_int64(q.s, 3, store::to_ms(i.started_at));
      sqlite3_bind_int64(q.s, 4, store::to_ms(i.detected_at));
      store::bind_time(q.s, 5, i.alerted_at);
      store::bind_time(q.s, 6, i.resolved_at);
      bind_text(q.s, 7, i.worst);
      bind_text(q.s, 8, i.cause);
      bind_text(q.s, 9, i.drill);
      if (sqlite3_step(q.s) != SQLITE_DONE) return fail(error("incidents"));
    }
  }
  if (Status s = roll_up(now); !s) return fail(s);
  if (Status s = prune(now); !s) return fail(s);
  if (Status s = exec("COMMIT"); !s) return fail(Status::error(path_ + ": " + s.message()));
  return Status::ok();
}

std::int64_t HistoryDb::folded(Level level) {
  if (level == Level::kMinute) return INT64_MAX;
  return meta(folded_key(level)).value_or(0);
}

// Every hour (day) that ended by `now` and is not rolled up yet becomes one point of its
// subject, made from its minutes (hours). A pack of the finer level is exactly one step of the
// coarser one (60 minutes are an hour, 24 hours a day), so each pack read makes one point and
// nothing is held beyond it. Only the packs there are are visited: a hale that was down for a
// week catches up in one pass.
Status HistoryDb::roll_up(WallTime now) {
  const std::int64_t t = unix_seconds(now);
  for (Level level : {Level::kHour, Level::kDay}) {
    const Level from = finer(level);
    const std::int64_t done = floor_to(t, step_seconds(level));  // steps before this one have ended
    const std::int64_t first = folded(level);
    if (first >= done) continue;
    Statement q;
    if (sqlite3_prepare_v2(db_, "SELECT subject, start, pts FROM packs WHERE level = ?1 AND start >= ?2 AND start < ?3",
                           -1, &q.s, nullptr) != SQLITE_OK) {
      return error("roll up");
    }
    sqlite3_bind_int(q.s, 1, static_cast<int>(from));
    sqlite3_bind_int64(q.s, 2, first);
    sqlite3_bind_int64(q.s, 3, done);
    std::vector<std::pair<std::int64_t, Point>> made;  // appended after the read ends
    int rc;
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
      const std::int64_t subject = sqlite3_column_int64(q.s, 0);
      const std::int64_t start = sqlite3_column_int64(q.s, 1);
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(q.s, 2));
      const std::string_view pack(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(q.s, 2)));
      const std::vector<Point> points = decode_pack(pack, from, start);
      if (!points.empty()) made.emplace_back(subject, combine(points, start));
    }
    if (rc != SQLITE_DONE) return error("roll up");
    sqlite3_reset(q.s);  // the read is over before the writes
    for (const auto& [subject, point] : made) {
      if (Status s = append(level, subject, point); !s) return s;
    }
    if (Status s = set_meta(folded_key(level), done); !s) return s;
  }
  return Status::ok();
}

Status HistoryDb::prune(WallTime now) {
  const std::int64_t t = unix_seconds(now);
  // At most once an hour: a delete that finds nothing still walks the index.
  const std::int64_t hour = floor_to(t, 3600);
  if (meta("pruned_hour").value_or(0) >= hour) return Status::ok();
  const std::pair<Level, Duration> keep[] = {
      {Level::kMinute, retention_.minutes}, {Level::kHour, retention_.hours}, {Level::kDay, retention_.days}};
  for (const auto& [level, d] : keep) {
    Statement q;
    // A pack goes once its last point is older than the retention (a range of the key).
    if (sqlite3_prepare_v2(db_, "DELETE FROM packs WHERE level = ?1 AND start <= ?2", -1, &q.s, nullptr) != SQLITE_OK) {
      return error("prune");
    }
    sqlite3_bind_int(q.s, 1, static_cast<int>(level));
    sqlite3_bind_int64(q.s, 2, t - seconds(d) - pack_seconds(level));
    if (sqlite3_step(q.s) != SQLITE_DONE) return error("prune");
  }
  const std::int64_t before_ms = (t - seconds(retention_.events)) * 1000;
  for (const char* sql : {"DELETE FROM events WHERE at < ?1",
                          "DELETE FROM incidents WHERE resolved_at IS NOT NULL AND resolved_at < ?1"}) {
    Statement q;
    if (sqlite3_prepare_v2(db_, sql, -1, &q.s, nullptr) != SQLITE_OK) return error("prune");
    sqlite3_bind_int64(q.s, 1, before_ms);
    if (sqlite3_step(q.s) != SQLITE_DONE) return error("prune");
  }
  return set_meta("pruned_hour", hour);
}

StatusOr<std::vector<Point>> HistoryDb::stored(std::int64_t subject, Level level, std::int64_t from, std::int64_t to) {
  Statement q;
  if (sqlite3_prepare_v2(db_,
                         // The planner, without statistics, would walk the time range of every
                         // subject instead (90 days of hours: 900,000 rows for 90).
                         "SELECT start, pts FROM packs INDEXED BY packs_by_subject"
                         " WHERE level = ?1 AND subject = ?2 AND start >= ?3 AND start < ?4 ORDER BY start",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return error("points");
  }
  sqlite3_bind_int(q.s, 1, static_cast<int>(level));
  sqlite3_bind_int64(q.s, 2, subject);
  sqlite3_bind_int64(q.s, 3, floor_to(from, pack_seconds(level)));
  sqlite3_bind_int64(q.s, 4, to);
  std::vector<Point> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    const std::int64_t start = sqlite3_column_int64(q.s, 0);
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(q.s, 1));
    const std::string_view pack(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(q.s, 1)));
    for (const Point& p : decode_pack(pack, level, start)) {
      if (p.t >= from && p.t < to) out.push_back(p);
    }
  }
  if (rc != SQLITE_DONE) return error("points");
  return out;
}

StatusOr<std::vector<Point>> HistoryDb::points(const SubjectId& subject, Level level, std::int64_t from, std::int64_t to,
                                               const std::optional<Point>& live) {
  auto id = subject_id(subject, false);
  if (!id) return id.status();
  std::vector<Point> out;
  if (*id != 0) {
    const std::int64_t watermark = std::max(from, folded(level));
    auto s = stored(*id, level, from, std::min(to, watermark));
    if (!s) return s.status();
    out = std::move(*s);
  }
  if (level == Level::kMinute) {
    if (live && live->t >= from && live->t < to) {
      if (!out.empty() && out.back().t == live->t) {
        // The part of this minute before a restart is stored; the live part follows it.
        out.back() = combine(std::vector<Point>{out.back(), *live}, live->t);
      } else {
        out.push_back(*live);
      }
    }
    return out;
  }
  // What is not rolled up yet (this hour, today): made from the finer level now.
  const std::int64_t step = step_seconds(level);
  const std::int64_t rest_from = std::max(floor_to(from, step), folded(level));
  if (rest_from >= to) return out;
  auto fine = points(subject, finer(level), rest_from, to, live);
  if (!fine) return fine.status();
  std::map<std::int64_t, std::vector<Point>> by_step;
  for (const Point& p : *fine) by_step[floor_to(p.t, step)].push_back(p);
  for (const auto& [t, ps] : by_step) {
    if (t >= from) out.push_back(combine(ps, t));
  }
  return out;
}

StatusOr<Uptime> HistoryDb::uptime(const SubjectId& subject, std::int64_t from, std::int64_t to,
                                   const std::optional<Point>& live) {
  const std::int64_t span = to - from;
  const Level level = span <= 48 * 3600 ? Level::kMinute : span <= 90 * 86400 ? Level::kHour : Level::kDay;
  const std::int64_t step = step_seconds(level);
  Uptime u;
  u.from = floor_to(from, step);
  u.to = to;
  auto ps = points(subject, level, u.from, to, live);
  if (!ps) return ps.status();
  for (const Point& p : *ps) {
    u.up_seconds += p.up_seconds;
    u.down_seconds += p.down_seconds;
    u.maintenance_seconds += p.maintenance_seconds;
    u.count += p.count;
    u.failures += p.failures;
  }
  const auto known = u.up_seconds + u.down_seconds + u.maintenance_seconds;
  const auto total = static_cast<std::uint64_t>(std::max<std::int64_t>(0, u.to - u.from));
  u.unknown_seconds = total > known ? total - known : 0;
  return u;
}

StatusOr<Overview> HistoryDb::overview(const std::vector<SubjectId>& subjects, std::int64_t now, int days,
                                       const std::vector<std::optional<Point>>& live) {
  const std::size_t n = subjects.size();
  const auto span = static_cast<std::size_t>(days);
  const std::int64_t today = floor_to(now, 86400);
  const std::int64_t first_day = today - static_cast<std::int64_t>(days - 1) * 86400;
  const std::int64_t this_hour = floor_to(now, 3600);
  const std::int64_t first_hour = this_hour - 23 * 3600;
  const std::int64_t folded_day = std::max(folded(Level::kDay), first_day);
  const std::int64_t folded_hour = folded(Level::kHour);

  Overview o;
  o.days = days;
  o.daily.assign(n * span, std::nanf(""));
  o.hourly.assign(n * 24, std::nanf(""));
  // subjects.id -> position in `subjects`, from one read of the subjects table (not 10,000
  // lookups); held for this read only.
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    std::unordered_map<std::string, std::size_t> wanted;
    wanted.reserve(n);
    for (std::size_t i = 0; i < n; ++i) wanted.emplace(subjects[i].key(), i);
    index.reserve(n);
    Statement q;
    if (sqlite3_prepare_v2(db_, "SELECT id, kind, name FROM subjects", -1, &q.s, nullptr) != SQLITE_OK) {
      return error("overview");
    }
    int rc;
    std::string key;
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
      key = column_text(q.s, 1) + "/" + column_text(q.s, 2);
      if (auto it = wanted.find(key); it != wanted.end()) index.emplace(sqlite3_column_int64(q.s, 0), it->second);
    }
    if (rc != SQLITE_DONE) return error("overview");
  }
  // The days not rolled up yet (today, or more after hale was away): up and down seconds of
  // each, per subject, summed from hours, minutes and the live minute.
  const std::size_t open_days = static_cast<std::size_t>((today - folded_day) / 86400 + 1);
  std::vector<double> open_up(n * open_days, 0), open_down(n * open_days, 0);
  auto add_open = [&](std::size_t i, const Point& p) {
    if (p.t < folded_day || p.t >= today + 86400) return;
    const auto d = static_cast<std::size_t>((floor_to(p.t, 86400) - folded_day) / 86400);
    open_up[i * open_days + d] += p.up_seconds;
    open_down[i * open_days + d] += p.down_seconds;
  };
  auto set_hour = [&](std::size_t i, std::int64_t t, double p50) {
    if (t < first_hour || t > this_hour) return;
    o.hourly[i * 24 + static_cast<std::size_t>((t - first_hour) / 3600)] = static_cast<float>(p50);
  };

  // One range of the key per level, each pack decoded and dropped at once: every subject's
  // recent packs are read, nothing more, and nothing is held but the answer.
  auto scan = [&](Level level, std::int64_t from, const std::function<void(std::size_t, std::int64_t, const std::vector<Point>&)>& each) -> Status {
    Statement q;
    if (sqlite3_prepare_v2(db_, "SELECT subject, start, pts FROM packs WHERE level = ?1 AND start >= ?2", -1, &q.s,
                           nullptr) != SQLITE_OK) {
      return error("overview");
    }
    sqlite3_bind_int(q.s, 1, static_cast<int>(level));
    sqlite3_bind_int64(q.s, 2, floor_to(from, pack_seconds(level)));
    int rc;
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
      auto it = index.find(sqlite3_column_int64(q.s, 0));
      if (it == index.end()) continue;
      const std::int64_t start = sqlite3_column_int64(q.s, 1);
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(q.s, 2));
      const std::string_view pack(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(q.s, 2)));
      each(it->second, start, decode_pack(pack, level, start));
    }
    return rc == SQLITE_DONE ? Status::ok() : error("overview");
  };
  Status s = scan(Level::kDay, first_day, [&](std::size_t i, std::int64_t, const std::vector<Point>& points) {
    for (const Point& p : points) {
      const std::uint64_t judged = static_cast<std::uint64_t>(p.up_seconds) + p.down_seconds;
      if (p.t < first_day || p.t >= folded_day || judged == 0) continue;
      o.daily[i * span + static_cast<std::size_t>((p.t - first_day) / 86400)] =
          static_cast<float>(static_cast<double>(p.up_seconds) / static_cast<double>(judged));
    }
  });
  if (!s) return s;
  s = scan(Level::kHour, std::min(first_hour, folded_day), [&](std::size_t i, std::int64_t, const std::vector<Point>& points) {
    for (const Point& p : points) {
      if (p.t >= folded_hour) continue;  // made again from its minutes below
      if (p.has_latency) set_hour(i, p.t, p.p50_ms);
      add_open(i, p);
    }
  });
  if (!s) return s;
  // A minute pack is one hour: its p50 is made from it here (the live minute joins the sum of
  // seconds; an hour's p50 without a stored minute yet is the live one's).
  s = scan(Level::kMinute, folded_hour, [&](std::size_t i, std::int64_t start, const std::vector<Point>& points) {
    bool timed = false;
    for (const Point& p : points) {
      add_open(i, p);
      timed = timed || p.has_latency;
    }
    if (timed) set_hour(i, start, combined_p50(points));
  });
  if (!s) return s;
  for (std::size_t i = 0; i < n && i < live.size(); ++i) {
    if (!live[i]) continue;
    add_open(i, *live[i]);
    const std::size_t h = i * 24 + 23;
    if (live[i]->has_latency && std::isnan(o.hourly[h]) && floor_to(live[i]->t, 3600) == this_hour) {
      o.hourly[h] = static_cast<float>(live[i]->p50_ms);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d = 0; d < open_days; ++d) {
      const double up = open_up[i * open_days + d], down = open_down[i * open_days + d];
      const std::int64_t day = folded_day + static_cast<std::int64_t>(d) * 86400;
      if (up + down <= 0 || day < first_day || day > today) continue;
      o.daily[i * span + static_cast<std::size_t>((day - first_day) / 86400)] = static_cast<float>(up / (up + down));
    }
  }
  return o;
}

namespace {

constexpr const char* kEventColumns = "SELECT e.id, e.at, s.kind, s.name, e.type, e.incident, e.text, e.data FROM events e"
                                      " JOIN subjects s ON s.id = e.subject ";

Event read_event(sqlite3_stmt* s) {
  Event e;
  e.id = sqlite3_column_int64(s, 0);
  e.at = store::from_ms(sqlite3_column_int64(s, 1));
  e.subject.kind = parse_subject_kind(column_text(s, 2)).value_or(SubjectKind::kCheck);
  e.subject.name = column_text(s, 3);
  e.type = column_text(s, 4);
  e.incident = sqlite3_column_type(s, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 5);
  e.text = column_text(s, 6);
  e.data = column_text(s, 7);
  return e;
}

constexpr const char* kIncidentColumns =
    "SELECT i.id, s.kind, s.name, i.started_at, i.detected_at, i.alerted_at, i.resolved_at, i.worst, i.cause, i.drill"
    " FROM incidents i JOIN subjects s ON s.id = i.subject ";

Incident read_incident(sqlite3_stmt* s) {
  Incident i;
  i.id = sqlite3_column_int64(s, 0);
  i.subject.kind = parse_subject_kind(column_text(s, 1)).value_or(SubjectKind::kCheck);
  i.subject.name = column_text(s, 2);
  i.started_at = store::from_ms(sqlite3_column_int64(s, 3));
  i.detected_at = store::from_ms(sqlite3_column_int64(s, 4));
  i.alerted_at = store::column_time(s, 5);
  i.resolved_at = store::column_time(s, 6);
  i.worst = column_text(s, 7);
  i.cause = column_text(s, 8);
  i.drill = column_text(s, 9);
  return i;
}

}  // namespace

StatusOr<std::vector<Event>> HistoryDb::events(const SubjectId& subject, const std::string& type, std::int64_t from_ms,
                                               std::int64_t to_ms, std::size_t limit) {
  auto id = subject_id(subject, false);
  if (!id) return id.status();
  std::vector<Event> out;
  if (*id == 0) return out;
  Statement q;
  const std::string sql = std::string(kEventColumns) +
                          "WHERE e.subject = ?1 AND e.at >= ?2 AND e.at < ?3 AND (?4 = '' OR e.type = ?4)"
                          " ORDER BY e.at, e.id LIMIT ?5";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return error("events");
  sqlite3_bind_int64(q.s, 1, *id);
  sqlite3_bind_int64(q.s, 2, from_ms);
  sqlite3_bind_int64(q.s, 3, to_ms);
  bind_text(q.s, 4, type);
  sqlite3_bind_int64(q.s, 5, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) out.push_back(read_event(q.s));
  if (rc != SQLITE_DONE) return error("events");
  return out;
}

StatusOr<std::vector<Incident>> HistoryDb::incidents(const SubjectId* subject, std::size_t limit,
                                                     std::optional<std::int64_t> at_ms) {
  std::int64_t id = 0;
  if (subject) {
    auto found = subject_id(*subject, false);
    if (!found) return found.status();
    if (*found == 0) return std::vector<Incident>{};
    id = *found;
  }
  Statement q;
  const std::string sql = std::string(kIncidentColumns) +
                          "WHERE (?1 = 0 OR i.subject = ?1) AND (?2 IS NULL OR (i.started_at <= ?2 AND"
                          " (i.resolved_at IS NULL OR i.resolved_at >= ?2))) ORDER BY i.started_at DESC, i.id DESC LIMIT ?3";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return error("incidents");
  sqlite3_bind_int64(q.s, 1, id);
  if (at_ms) {
    sqlite3_bind_int64(q.s, 2, *at_ms);
  } else {
    sqlite3_bind_null(q.s, 2);
  }
  sqlite3_bind_int64(q.s, 3, static_cast<std::int64_t>(limit));
  std::vector<Incident> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) out.push_back(read_incident(q.s));
  if (rc != SQLITE_DONE) return error("incidents");
  return out;
}

StatusOr<std::optional<Incident>> HistoryDb::incident(std::int64_t id) {
  Statement q;
  const std::string sql = std::string(kIncidentColumns) + "WHERE i.id = ?1";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return error("incidents");
  sqlite3_bind_int64(q.s, 1, id);
  const int rc = sqlite3_step(q.s);
  if (rc == SQLITE_ROW) return std::optional<Incident>(read_incident(q.s));
  if (rc != SQLITE_DONE) return error("incidents");
  return std::optional<Incident>();
}

StatusOr<std::vector<Event>> HistoryDb::timeline(const Incident& incident, std::int64_t now_ms) {
  const std::int64_t from = store::to_ms(incident.started_at);
  const std::int64_t to = incident.resolved_at ? store::to_ms(*incident.resolved_at) : now_ms;
  Statement q;
  // Its own events, and the drills and silences (hale-wide: subjects of kind drill or hale)
  // that happened while it lasted. At most 1,000 (an incident of a month is summed up by its
  // first thousand lines).
  const std::string sql = std::string(kEventColumns) +
                          "WHERE e.incident = ?1 OR (e.at >= ?2 AND e.at <= ?3 AND e.type IN ('drill', 'silence'))"
                          " ORDER BY e.at, e.id LIMIT 1000";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return error("timeline");
  sqlite3_bind_int64(q.s, 1, incident.id);
  sqlite3_bind_int64(q.s, 2, from);
  sqlite3_bind_int64(q.s, 3, to);
  std::vector<Event> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) out.push_back(read_event(q.s));
  if (rc != SQLITE_DONE) return error("timeline");
  return out;
}

StatusOr<std::pair<std::vector<Incident>, std::int64_t>> HistoryDb::open_incidents() {
  std::vector<Incident> open;
  {
    Statement q;
    const std::string sql = std::string(kIncidentColumns) + "WHERE i.resolved_at IS NULL ORDER BY i.id";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return error("incidents");
    int rc;
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) open.push_back(read_incident(q.s));
    if (rc != SQLITE_DONE) return error("incidents");
  }
  Statement q;
  if (sqlite3_prepare_v2(db_, "SELECT COALESCE(MAX(id), 0) FROM incidents", -1, &q.s, nullptr) != SQLITE_OK) {
    return error("incidents");
  }
  if (sqlite3_step(q.s) != SQLITE_ROW) return error("incidents");
  const std::int64_t next = sqlite3_column_int64(q.s, 0) + 1;
  return std::make_pair(std::move(open), next);
}

StatusOr<std::vector<Announcement>> HistoryDb::announcements() {
  Statement q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT id, message, level, starts_at, ends_at, created_at FROM announcements ORDER BY created_at, id",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return error("announcements");
  }
  std::vector<Announcement> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    Announcement a;
    a.id = column_text(q.s, 0);
    a.message = column_text(q.s, 1);
    a.level = column_text(q.s, 2);
    a.from = store::column_time(q.s, 3);
    a.until = store::column_time(q.s, 4);
    a.created_at = store::from_ms(sqlite3_column_int64(q.s, 5));
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return error("announcements");
  return out;
}

Status HistoryDb::save_announcement(const Announcement& a) {
  Statement q;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO announcements (id, message, level, starts_at, ends_at, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return error("announcements");
  }
  bind_text(q.s, 1, a.id);
  bind_text(q.s, 2, a.message);
  bind_text(q.s, 3, a.level);
  store::bind_time(q.s, 4, a.from);
  store::bind_time(q.s, 5, a.until);
  sqlite3_bind_int64(q.s, 6, store::to_ms(a.created_at));
  if (sqlite3_step(q.s) != SQLITE_DONE) return error("announcements");
  return Status::ok();
}

Status HistoryDb::delete_announcement(const std::string& id) {
  Statement q;
  if (sqlite3_prepare_v2(db_, "DELETE FROM announcements WHERE id = ?1", -1, &q.s, nullptr) != SQLITE_OK) {
    return error("announcements");
  }
  bind_text(q.s, 1, id);
  if (sqlite3_step(q.s) != SQLITE_DONE) return error("announcements");
  return Status::ok();
}

std::uint64_t HistoryDb::disk_bytes() const {
  std::uint64_t total = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path_ + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

}  // namespace hale::history
