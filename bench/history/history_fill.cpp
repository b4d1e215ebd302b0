// hale_history_fill: writes a history.db as 10,000 checks leave it after a year of hale
// (bench/history/run.py): 48 hours of minutes, 90 days of hours and 365 days of days per check,
// packed as HistoryDb packs them (hale/history/point.h), with everything rolled up. Latencies
// vary, one minute in a hundred has a failure, and the last hour is down for check 0.
// Usage: hale_history_fill DB CHECKS NOW_UNIX
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "hale/history/history_db.h"

using namespace hale::history;

namespace {

void must(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: hale_history_fill DB CHECKS NOW_UNIX\n");
    return 2;
  }
  const std::string path = argv[1];
  const int checks = std::atoi(argv[2]);
  const std::int64_t now = std::atoll(argv[3]);
  {
    auto made = HistoryDb::open(path, hale::HistoryConfig{});  // the schema, as hale makes it
    if (!made) {
      std::fprintf(stderr, "%s\n", made.status().message().c_str());
      return 1;
    }
  }
  sqlite3* db = nullptr;
  must(sqlite3_open(path.c_str(), &db), db, "open");
  must(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr, nullptr), db, "begin");
  sqlite3_stmt* subject = nullptr;
  sqlite3_stmt* pack = nullptr;
  must(sqlite3_prepare_v2(db, "INSERT INTO subjects (id, kind, name) VALUES (?1, 'check', ?2)", -1, &subject, nullptr), db, "prepare");
  must(sqlite3_prepare_v2(db, "INSERT INTO packs (level, subject, start, pts) VALUES (?1, ?2, ?3, ?4)", -1, &pack, nullptr), db,
       "prepare");
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(1.0, 0.6);  // ms, median e^1 = 2.7 ms
  std::uniform_int_distribution<int> percent(0, 99);

  const std::int64_t this_hour = floor_to(now, 3600);
  const std::int64_t today = floor_to(now, 86400);
  auto point = [&](std::int64_t t, std::int64_t step, std::uint32_t count) {
    Point p;
    p.t = t;
    p.count = count;
    p.failures = percent(rng) == 0 ? 1 : 0;
    std::vector<double> l;
    for (int i = 0; i < 6; ++i) l.push_back(latency(rng));
    p.p50_ms = percentile(l, 0.5);
    p.p95_ms = percentile(l, 0.95);
    p.max_ms = l.back();
    p.has_latency = true;
    p.down_seconds = p.failures ? static_cast<std::uint32_t>(step / 60) : 0;
    p.up_seconds = static_cast<std::uint32_t>(step) - p.down_seconds;
    return p;
  };
  auto write_level = [&](std::int64_t id, Level level, std::int64_t from, std::int64_t to, std::uint32_t count) {
    const std::int64_t step = step_seconds(level);
    std::string bytes;
    std::int64_t start = floor_to(from, pack_seconds(level));
    for (std::int64_t t = from; t < to; t += step) {
      const std::int64_t s = floor_to(t, pack_seconds(level));
      if (s != start && !bytes.empty()) {
        sqlite3_reset(pack);
        sqlite3_bind_int(pack, 1, static_cast<int>(level));
        sqlite3_bind_int64(pack, 2, id);
        sqlite3_bind_int64(pack, 3, start);
        sqlite3_bind_blob(pack, 4, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        must(sqlite3_step(pack), db, "pack");
        bytes.clear();
      }
      start = s;
      append_point(bytes, point(t, step, count), level, start);
    }
    if (!bytes.empty()) {
      sqlite3_reset(pack);
      sqlite3_bind_int(pack, 1, static_cast<int>(level));
      sqlite3_bind_int64(pack, 2, id);
      sqlite3_bind_int64(pack, 3, start);
      sqlite3_bind_blob(pack, 4, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
      must(sqlite3_step(pack), db, "pack");
    }
  };
  for (int i = 0; i < checks; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "c%05d", i);
    sqlite3_reset(subject);
    sqlite3_bind_int64(subject, 1, i + 1);
    sqlite3_bind_text(subject, 2, name, -1, SQLITE_TRANSIENT);
    must(sqlite3_step(subject), db, "subject");
    write_level(i + 1, Level::kDay, today - 365 * 86400, today, 8640);
    write_level(i + 1, Level::kHour, this_hour - 90 * 86400, this_hour, 360);
    write_level(i + 1, Level::kMinute, floor_to(now, 60) - 48 * 3600, floor_to(now, 60), 6);
  }
  const std::string meta = "INSERT OR REPLACE INTO meta (key, value) VALUES ('folded_hour', " + std::to_string(this_hour) +
                           "), ('folded_day', " + std::to_string(today) + "), ('pruned_hour', " +
                           std::to_string(this_hour) + ")";
  must(sqlite3_exec(db, meta.c_str(), nullptr, nullptr, nullptr), db, "meta");
  must(sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_finalize(subject);
  sqlite3_finalize(pack);
  sqlite3_close(db);
  return 0;
}
