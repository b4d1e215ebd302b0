// history.db (SPEC §10) on a real SQLite file: minutes are kept as written, each hour and day
// that ends is rolled up in the write that ends it, what is not rolled up yet is made from the
// finer level on read, uptime reports maintenance and unknown time apart, retention deletes
// what is older, incidents and their timelines survive a reopen, and the overview reads every
// subject at once.
#include <gtest/gtest.h>

#include <cmath>

#include "hale/history/history_db.h"
#include "support/temp_dir.h"

namespace hale::history {
namespace {

using namespace std::chrono_literals;
using hale::testing::TempDir;

// 2027-01-15T08:00:00Z: the start of an hour (not of a day).
constexpr std::int64_t kT0 = 1'800'000'000;
const SubjectId kDb{SubjectKind::kCheck, "db"};
const SubjectId kWeb{SubjectKind::kService, "web"};

WallTime at(std::int64_t unix_s) { return WallTime(std::chrono::seconds(unix_s)); }

Point minute(std::int64_t t, std::uint32_t up, std::uint32_t down = 0, std::uint32_t maintenance = 0,
             double latency = 2.0) {
  Point p;
  p.t = t;
  p.count = 6;
  p.failures = down > 0 ? 1 : 0;
  p.p50_ms = latency;
  p.p95_ms = latency * 2;
  p.max_ms = latency * 3;
  p.has_latency = true;
  p.up_seconds = up;
  p.down_seconds = down;
  p.maintenance_seconds = maintenance;
  return p;
}

std::unique_ptr<HistoryDb> open_db(const TempDir& dir, HistoryConfig c = {}) {
  auto db = HistoryDb::open((dir.path() / "history.db").string(), c);
  EXPECT_TRUE(db.is_ok()) << db.status().message();
  return std::move(db).value();
}

// Writes one minute of `s` a minute from `from` to `to`, as the daemon does: each in the
// write of the second after it ended.
void write_minutes(HistoryDb& db, const SubjectId& s, std::int64_t from, std::int64_t to,
                   const std::function<Point(std::int64_t)>& make) {
  for (std::int64_t t = from; t < to; t += 60) {
    Batch b;
    b.minutes.push_back({s, make(t)});
    ASSERT_TRUE(db.write(b, at(t + 61)).is_ok());
  }
}

TEST(HistoryDb, AnEndedHourIsRolledUpAndTheCurrentOneIsMadeFromItsMinutes) {
  TempDir dir;
  auto db = open_db(dir);
  write_minutes(*db, kDb, kT0, kT0 + 90 * 60, [](std::int64_t t) { return minute(t, t < kT0 + 1800 ? 60 : 50, t < kT0 + 1800 ? 0 : 10); });
  auto minutes = db->points(kDb, Level::kMinute, kT0, kT0 + 90 * 60);
  ASSERT_TRUE(minutes.is_ok());
  EXPECT_EQ(minutes->size(), 90u);
  auto hours = db->points(kDb, Level::kHour, kT0, kT0 + 2 * 3600);
  ASSERT_TRUE(hours.is_ok());
  ASSERT_EQ(hours->size(), 2u);
  EXPECT_EQ((*hours)[0].t, kT0);
  EXPECT_EQ((*hours)[0].count, 360u);
  EXPECT_EQ((*hours)[0].up_seconds, 30u * 60 + 30u * 50);
  EXPECT_EQ((*hours)[0].down_seconds, 30u * 10);
  EXPECT_EQ((*hours)[1].t, kT0 + 3600);  // not rolled up yet: from its 30 minutes
  EXPECT_EQ((*hours)[1].count, 180u);
  EXPECT_EQ((*hours)[1].down_seconds, 300u);
}

TEST(HistoryDb, ADayIsRolledUpFromItsHoursAndTodayIsReadFromWhatThereIs) {
  TempDir dir;
  auto db = open_db(dir);
  const std::int64_t day = kT0 - kT0 % 86400;
  // One minute an hour for 30 hours: the first day ends after 24 of them.
  for (std::int64_t h = 0; h < 30; ++h) {
    Batch b;
    b.minutes.push_back({kDb, minute(day + h * 3600, 60)});
    ASSERT_TRUE(db->write(b, at(day + h * 3600 + 61)).is_ok());
  }
  ASSERT_TRUE(db->write({}, at(day + 30 * 3600 + 1)).is_ok());
  auto days = db->points(kDb, Level::kDay, day, day + 2 * 86400);
  ASSERT_TRUE(days.is_ok());
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[0].count, 24u * 6);
  EXPECT_EQ((*days)[0].up_seconds, 24u * 60);
  EXPECT_EQ((*days)[1].count, 6u * 6);
}

TEST(HistoryDb, UptimeReportsMaintenanceAndUnknownApartFromDowntime) {
  TempDir dir;
  auto db = open_db(dir);
  // An hour: 40 minutes up, 10 down, 5 under maintenance, 5 not known (hale was away).
  write_minutes(*db, kDb, kT0, kT0 + 3600, [](std::int64_t t) {
    const std::int64_t m = (t - kT0) / 60;
    if (m < 40) return minute(t, 60);
    if (m < 50) return minute(t, 0, 60);
    if (m < 55) return minute(t, 0, 0, 60);
    return minute(t, 0);
  });
  auto u = db->uptime(kDb, kT0, kT0 + 3600);
  ASSERT_TRUE(u.is_ok());
  EXPECT_EQ(u->up_seconds, 2400u);
  EXPECT_EQ(u->down_seconds, 600u);
  EXPECT_EQ(u->maintenance_seconds, 300u);
  EXPECT_EQ(u->unknown_seconds, 300u);
  ASSERT_TRUE(u->ratio().has_value());
  EXPECT_DOUBLE_EQ(*u->ratio(), 0.8);
  // A live minute counts too.
  Point live = minute(kT0 + 3600, 30, 30);
  auto with_live = db->uptime(kDb, kT0, kT0 + 3660, live);
  ASSERT_TRUE(with_live.is_ok());
  EXPECT_EQ(with_live->down_seconds, 630u);
  // Nothing known: no ratio at all, never 100 % nor 0 %.
  auto none = db->uptime(kWeb, kT0, kT0 + 3600);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->ratio().has_value());
  EXPECT_EQ(none->unknown_seconds, 3600u);
}

TEST(HistoryDb, RetentionDeletesWhatIsOlderInTheWriteThatMakesItDue) {
  TempDir dir;
  HistoryConfig c;
  c.minutes = 2h;
  auto db = open_db(dir, c);
  write_minutes(*db, kDb, kT0, kT0 + 600, [](std::int64_t t) { return minute(t, 60); });
  ASSERT_TRUE(db->write({}, at(kT0 + 3 * 3600 + 5)).is_ok());
  auto minutes = db->points(kDb, Level::kMinute, kT0, kT0 + 3600);
  ASSERT_TRUE(minutes.is_ok());
  EXPECT_TRUE(minutes->empty()) << "minutes older than history.minutes are gone";
  auto hours = db->points(kDb, Level::kHour, kT0, kT0 + 3600);
  ASSERT_TRUE(hours.is_ok());
  ASSERT_EQ(hours->size(), 1u) << "their hour was rolled up first";
  EXPECT_EQ(hours->front().count, 60u);
}

TEST(HistoryDb, IncidentsAndTheirTimelinesSurviveAReopen) {
  TempDir dir;
  {
    auto db = open_db(dir);
    Batch b;
    Incident i;
    i.id = 3;
    i.subject = kDb;
    i.started_at = at(kT0);
    i.detected_at = at(kT0 + 20);
    i.worst = "fail";
    i.cause = "connection refused";
    b.incidents.push_back(i);
    Event t{0, at(kT0 + 20), kDb, "transition", "ok -> fail: connection refused", "{}", 3};
    Event drill{0, at(kT0 + 30), {SubjectKind::kDrill, "db-down"}, "drill", "drill db-down running", "{}", 0};
    Event before{0, at(kT0 - 100), {SubjectKind::kDrill, "old"}, "drill", "drill old passed", "{}", 0};
    Event other{0, at(kT0 + 40), kWeb, "transition", "running -> backoff", "{}", 0};
    b.events = {t, drill, before, other};
    ASSERT_TRUE(db->write(b, at(kT0 + 41)).is_ok());
    auto open = db->open_incidents();
    ASSERT_TRUE(open.is_ok());
    ASSERT_EQ(open->first.size(), 1u);
    EXPECT_EQ(open->second, 4);
    i.resolved_at = at(kT0 + 100);
    i.alerted_at = at(kT0 + 21);
    Batch end;
    end.incidents.push_back(i);
    ASSERT_TRUE(db->write(end, at(kT0 + 101)).is_ok());
  }
  auto db = open_db(dir);
  auto open = db->open_incidents();
  ASSERT_TRUE(open.is_ok());
  EXPECT_TRUE(open->first.empty());
  auto found = db->incident(3);
  ASSERT_TRUE(found.is_ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->resolved_at, at(kT0 + 100));
  EXPECT_EQ((*found)->alerted_at, at(kT0 + 21));
  EXPECT_EQ((*found)->cause, "connection refused");
  auto timeline = db->timeline(**found, (kT0 + 200) * 1000);
  ASSERT_TRUE(timeline.is_ok());
  std::vector<std::string> texts;
  for (const Event& e : *timeline) texts.push_back(e.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"ok -> fail: connection refused", "drill db-down running"}))
      << "its own events and the drills during it, not another subject's nor an earlier drill";
  auto of_db = db->incidents(&kDb, 10);
  ASSERT_TRUE(of_db.is_ok());
  EXPECT_EQ(of_db->size(), 1u);
  auto at_time = db->incidents(&kDb, 10, (kT0 + 500) * 1000);
  ASSERT_TRUE(at_time.is_ok());
  EXPECT_TRUE(at_time->empty()) << "none was open then";
  EXPECT_FALSE(db->incident(99).value().has_value());
}

TEST(HistoryDb, TheOverviewReadsEverySubjectsDaysAndHours) {
  TempDir dir;
  auto db = open_db(dir);
  write_minutes(*db, kDb, kT0, kT0 + 120, [](std::int64_t t) { return minute(t, 30, 30, 0, 8); });
  Batch b;
  b.minutes.push_back({kWeb, minute(kT0, 60)});
  ASSERT_TRUE(db->write(b, at(kT0 + 200)).is_ok());
  auto o = db->overview({kDb, kWeb, {SubjectKind::kHeartbeat, "never-seen"}}, kT0 + 200, 90);
  ASSERT_TRUE(o.is_ok());
  ASSERT_EQ(o->daily.size(), 3u * 90);
  ASSERT_EQ(o->hourly.size(), 3u * 24);
  EXPECT_FLOAT_EQ(o->daily[89], 0.5f) << "db's today";
  EXPECT_TRUE(std::isnan(o->daily[0])) << "nothing known 89 days ago";
  EXPECT_FLOAT_EQ(o->hourly[23], 8.0f);
  EXPECT_FLOAT_EQ(o->daily[90 + 89], 1.0f) << "web's today";
  EXPECT_TRUE(std::isnan(o->daily[180 + 89])) << "a subject never written";
  // The live minute counts: web down for its 60 s halves its day.
  Point live = minute(kT0 + 180, 0, 60);
  auto with_live = db->overview({kWeb}, kT0 + 200, 90, {live});
  ASSERT_TRUE(with_live.is_ok());
  EXPECT_FLOAT_EQ(with_live->daily[89], 0.5f);
}

TEST(HistoryDb, EventsAreReadBySubjectTypeAndTime) {
  TempDir dir;
  auto db = open_db(dir);
  Batch b;
  for (int i = 0; i < 5; ++i) {
    b.events.push_back({0, at(kT0 + i), {SubjectKind::kHeartbeat, "backup"}, i % 2 ? "run" : "transition",
                        "e" + std::to_string(i), R"({"success":true})", 0});
  }
  ASSERT_TRUE(db->write(b, at(kT0 + 10)).is_ok());
  auto runs = db->events({SubjectKind::kHeartbeat, "backup"}, "run", kT0 * 1000, (kT0 + 10) * 1000, 100);
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].text, "e1");
  EXPECT_EQ((*runs)[1].text, "e3");
  auto limited = db->events({SubjectKind::kHeartbeat, "backup"}, "", kT0 * 1000, (kT0 + 10) * 1000, 3);
  ASSERT_TRUE(limited.is_ok());
  EXPECT_EQ(limited->size(), 3u);
}

}  // namespace
}  // namespace hale::history
