// HistoryDb: the history's SQLite file, state_dir/history.db (SPEC §10), apart from hale.db so
// that a large or damaged history never stands in the way of the outbox and the operator's
// intents. WAL with synchronous=NORMAL: a committed batch survives kill -9 (a power cut may
// lose the last ones; docs/history.md).
//
//   subjects   (id, kind, name)
//   packs      (level, subject, start, pts)  the points of one hour / day / 32 days, packed
//   events     (id, at, subject, type, incident, text, data)
//   incidents  (id, subject, started_at, detected_at, alerted_at, resolved_at, worst, cause, drill)
//   meta       (key, value)  folded_hour, folded_day: the first hour / day not yet rolled up
//
// Minutes come from the Recorder; each hour (day) that ends is rolled up into an hour (day)
// point in the same transaction as the batch that ends it, and what is older than its
// retention is deleted then too. Reads combine what is stored with what is not rolled up yet
// (this hour from its minutes, today from its hours), so an answer is never an hour behind.
// Thread-safety: one thread (the history worker).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/history/point.h"
#include "hale/history/records.h"
#include "hale/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hale::history {

// Uptime over a window with SLA accounting (SPEC §10).
struct Uptime {
  std::int64_t from = 0, to = 0;  // unix seconds
  std::uint64_t up_seconds = 0;
  std::uint64_t down_seconds = 0;
  std::uint64_t maintenance_seconds = 0;
  std::uint64_t unknown_seconds = 0;
  std::uint64_t count = 0, failures = 0;
  // up / (up + down); nullopt when neither (nothing known).
  std::optional<double> ratio() const;
};

// The dashboard's overview of n subjects (in the order asked): daily uptimes and hourly p50
// latencies, NaN where nothing is known. Flat arrays of floats: 10,000 subjects are 4.6 MB.
struct Overview {
  int days = 0;
  std::vector<float> daily;   // n * days: subject i's day d (oldest first, the last is today)
  std::vector<float> hourly;  // n * 24: subject i's hour h (oldest first, the last is this hour)
};

class HistoryDb {
 public:
  static StatusOr<std::unique_ptr<HistoryDb>> open(const std::string& path, const HistoryConfig& retention);
  ~HistoryDb();
  HistoryDb(const HistoryDb&) = delete;
  HistoryDb& operator=(const HistoryDb&) = delete;

  void set_retention(const HistoryConfig& r) { retention_ = r; }

  // One transaction: the batch, then the roll-ups and pruning that `now` makes due.
  Status write(const Batch& batch, WallTime now);

  // The points of `subject` at `level` in [from, to), oldest first; `live` (the Recorder's
  // current minute) is added where it belongs.
  StatusOr<std::vector<Point>> points(const SubjectId& subject, Level level, std::int64_t from, std::int64_t to,
                                      const std::optional<Point>& live = std::nullopt);
  // Uptime of `subject` over [from, to), from minutes over up to 48 hours, hours up to 90 days,
  // days beyond (windows are counted in whole steps of that level).
  StatusOr<Uptime> uptime(const SubjectId& subject, std::int64_t from, std::int64_t to,
                          const std::optional<Point>& live = std::nullopt);
  // For each of `subjects`: `days` daily uptimes and 24 hourly p50s up to `now`, counting
  // `live[i]` (the Recorder's current minute of subjects[i]) when given.
  StatusOr<Overview> overview(const std::vector<SubjectId>& subjects, std::int64_t now, int days,
                              const std::vector<std::optional<Point>>& live = {});

  // Events of `subject` of `type` ("" any) in [from, to), oldest first, at most `limit`.
  StatusOr<std::vector<Event>> events(const SubjectId& subject, const std::string& type, std::int64_t from_ms,
                                      std::int64_t to_ms, std::size_t limit);
  // Incidents, newest first: of `subject` (nullptr: every subject), at most `limit`; with `at`
  // (unix ms) only the one(s) open at that instant.
  StatusOr<std::vector<Incident>> incidents(const SubjectId* subject, std::size_t limit,
                                            std::optional<std::int64_t> at_ms = std::nullopt);
  StatusOr<std::optional<Incident>> incident(std::int64_t id);
  // An incident's events in order, and the drills and silences that overlapped it.
  StatusOr<std::vector<Event>> timeline(const Incident& incident, std::int64_t now_ms);
  // The incidents still open, and the next free id (for the Recorder after a restart).
  StatusOr<std::pair<std::vector<Incident>, std::int64_t>> open_incidents();

  // The announcements made through the API (SPEC §10), by created_at; saving replaces by id.
  StatusOr<std::vector<Announcement>> announcements();
  Status save_announcement(const Announcement& a);
  Status delete_announcement(const std::string& id);

  // How many bytes the file and its WAL take.
  std::uint64_t disk_bytes() const;
  const std::string& path() const { return path_; }

 private:
  HistoryDb(sqlite3* db, std::string path, const HistoryConfig& retention);
  Status exec(const char* sql);
  Status error(const char* what) const;
  StatusOr<std::int64_t> subject_id(const SubjectId& s, bool create);
  std::optional<std::int64_t> meta(const char* key);
  Status set_meta(const char* key, std::int64_t value);
  Status append(Level level, std::int64_t subject, const Point& p);
  Status roll_up(WallTime now);
  Status prune(WallTime now);
  StatusOr<std::vector<Point>> stored(std::int64_t subject, Level level, std::int64_t from, std::int64_t to);
  // The first step of `level` not rolled up yet (kMinute: none, every minute is stored).
  std::int64_t folded(Level level);

  sqlite3* db_;
  std::string path_;
  HistoryConfig retention_;
  sqlite3_stmt* find_subject_ = nullptr;  // prepared at the first lookup, kept
  sqlite3_stmt* insert_subject_ = nullptr;
};

}  // namespace hale::history
