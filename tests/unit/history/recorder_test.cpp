// The Recorder (SPEC §10) on simulated time: a minute's results become one point, seconds are
// counted up, down, under maintenance or not at all, an incident runs from leaving ok to the
// return with its failing results, alerts and delivery attempts, and each batch holds only what
// is new.
#include <gtest/gtest.h>

#include "hale/history/recorder.h"

namespace hale::history {
namespace {

using namespace std::chrono_literals;

// 2027-01-15T08:00:00Z: the start of a minute and of an hour.
const WallTime kT0 = WallTime(std::chrono::seconds(1'800'000'000));
const SubjectId kDb{SubjectKind::kCheck, "db"};

StatusChange change(Health h, WallTime at, std::string reason = "", std::string drill = "") {
  StatusChange c;
  c.status.status = h;
  c.status.state = std::string(to_string(h));
  c.status.reason = std::move(reason);
  c.status.drill = std::move(drill);
  c.at = at;
  return c;
}

const MinutePoint* minute_of(const Batch& b, const SubjectId& s, WallTime t) {
  for (const MinutePoint& m : b.minutes) {
    if (m.subject.key() == s.key() && m.point.t == unix_seconds(t)) return &m;
  }
  return nullptr;
}

TEST(HistoryRecorder, AMinutesResultsBecomeOnePointWhenItEnds) {
  Recorder r;
  r.status(kDb, change(Health::kOk, kT0));
  for (int i = 0; i < 6; ++i) r.result(kDb, kT0 + i * 10s, i == 5, 1.0 + i, i == 5 ? "timeout" : "");
  Batch mid = r.take(kT0 + 59s);
  EXPECT_TRUE(mid.minutes.empty()) << "the minute is not over";
  Batch b = r.take(kT0 + 60s);
  const MinutePoint* m = minute_of(b, kDb, kT0);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->point.count, 6u);
  EXPECT_EQ(m->point.failures, 1u);
  EXPECT_DOUBLE_EQ(m->point.p50_ms, 3.0);
  EXPECT_DOUBLE_EQ(m->point.p95_ms, 6.0);
  EXPECT_DOUBLE_EQ(m->point.max_ms, 6.0);
  EXPECT_EQ(m->point.up_seconds, 60u);
  EXPECT_EQ(m->point.down_seconds, 0u);
  EXPECT_TRUE(r.take(kT0 + 61s).minutes.empty()) << "a closed minute is handed over once";
}

TEST(HistoryRecorder, SecondsAreCountedUpDownUnderMaintenanceOrNotAtAll) {
  bool silenced = false;
  Recorder r([&](const SubjectId&) { return silenced; });
  r.status(kDb, change(Health::kOk, kT0 + 10s));     // the first 10 s are unknown
  r.status(kDb, change(Health::kFail, kT0 + 30s));   // 20 s up
  r.take(kT0 + 40s);                                  // 10 s down so far
  silenced = true;                                    // a silence begins: maintenance
  r.take(kT0 + 45s);
  r.status(kDb, change(Health::kDegraded, kT0 + 50s));  // degraded counts as up
  Batch b = r.take(kT0 + 60s);
  const MinutePoint* m = minute_of(b, kDb, kT0);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->point.up_seconds, 30u);
  // The silence is seen at the next look (once a second in the daemon): 40..45 is still down.
  EXPECT_EQ(m->point.down_seconds, 15u);
  EXPECT_EQ(m->point.maintenance_seconds, 5u);
}

TEST(HistoryRecorder, ADrillsForcedFailureIsMaintenanceNotDowntime) {
  Recorder r;
  r.status(kDb, change(Health::kOk, kT0));
  r.status(kDb, change(Health::kFail, kT0 + 30s, "drill web-down: forced fail", "web-down"));
  Batch b = r.take(kT0 + 60s);
  const MinutePoint* m = minute_of(b, kDb, kT0);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->point.up_seconds, 30u);
  EXPECT_EQ(m->point.down_seconds, 0u);
  EXPECT_EQ(m->point.maintenance_seconds, 30u);
  ASSERT_EQ(b.incidents.size(), 1u);
  EXPECT_EQ(b.incidents[0].drill, "web-down");
}

TEST(HistoryRecorder, AnIncidentRunsFromLeavingOkToTheReturnWithItsStory) {
  Recorder r;
  r.restore({}, 41);
  r.status(kDb, change(Health::kOk, kT0));
  r.result(kDb, kT0 + 10s, true, 1000, "timeout after 1s");  // before detection: not an event
  StatusChange fail = change(Health::kFail, kT0 + 20s, "timeout after 1s");
  fail.first_failure = kT0 + 10s;
  r.status(kDb, fail);
  r.result(kDb, kT0 + 30s, true, 1000, "timeout after 1s");    // same reason: not news
  r.result(kDb, kT0 + 40s, true, 2, "connection refused");     // a new reason
  Delivery d;
  d.id = "a1";
  d.notifier = "ops";
  d.alert.kind = SubjectKind::kCheck;
  d.alert.subject = "db";
  d.alert.key = "check/db/fail";
  d.alert.status = Health::kFail;
  d.created_at = kT0 + 21s;
  r.delivery(d, false);
  d.attempts = 1;
  d.state = DeliveryState::kPending;
  d.last_error = "503 Service Unavailable";
  d.last_attempt_at = kT0 + 22s;
  r.delivery(d, true);
  d.attempts = 2;
  d.state = DeliveryState::kSent;
  d.last_error.clear();
  d.last_attempt_at = kT0 + 25s;
  r.delivery(d, true);
  ASSERT_NE(r.open_incident(kDb), nullptr);
  r.status(kDb, change(Health::kOk, kT0 + 70s));
  EXPECT_EQ(r.open_incident(kDb), nullptr);
  Delivery resolution = d;
  resolution.id = "a2";
  resolution.alert.resolved = true;
  resolution.alert.key = "check/db/fail";
  resolution.created_at = kT0 + 71s;
  resolution.state = DeliveryState::kPending;
  resolution.attempts = 0;
  r.delivery(resolution, false);
  Delivery ended = d;
  r.delivery(ended, false);  // a delivery's end is told by its attempt, not again as an alert

  Batch b = r.take(kT0 + 80s);
  ASSERT_EQ(b.incidents.size(), 1u);
  const Incident& i = b.incidents[0];
  EXPECT_EQ(i.id, 41);
  EXPECT_EQ(i.started_at, kT0 + 10s);
  EXPECT_EQ(i.detected_at, kT0 + 20s);
  ASSERT_TRUE(i.alerted_at.has_value());
  EXPECT_EQ(*i.alerted_at, kT0 + 25s) << "alerted when a receiver accepted it, not at the first try";
  ASSERT_TRUE(i.resolved_at.has_value());
  EXPECT_EQ(*i.resolved_at, kT0 + 70s);
  EXPECT_EQ(i.worst, "fail");
  EXPECT_EQ(i.cause, "timeout after 1s");

  std::vector<std::string> story;
  for (const Event& e : b.events) {
    if (e.incident == 41) story.push_back(e.type + ": " + e.text);
  }
  const std::vector<std::string> want = {
      "transition: ok -> fail: timeout after 1s",
      "result: failed: connection refused",
      "alert: alert check/db/fail (fail) to ops: pending",
      "delivery: delivery to ops failed (attempt 1): 503 Service Unavailable; retrying",
      "delivery: delivery to ops sent (attempt 2)",
      "transition: fail -> ok",
      "alert: alert check/db/fail (resolved) to ops: pending",
  };
  EXPECT_EQ(story, want);
  EXPECT_TRUE(r.take(kT0 + 81s).events.empty()) << "events are handed over once";
}

TEST(HistoryRecorder, FailingResultEventsAreBoundedPerIncident) {
  Recorder r;
  r.status(kDb, change(Health::kFail, kT0, "x"));
  for (int i = 0; i < 500; ++i) r.result(kDb, kT0 + 1s, true, 1, "reason " + std::to_string(i));
  int results = 0;
  for (const Event& e : r.take(kT0 + 2s).events) results += e.type == "result";
  EXPECT_EQ(results, Recorder::kMaxResultEvents);
}

TEST(HistoryRecorder, AnIncidentLeftOpenByAnEarlierHaleEndsWhenTheSubjectIsOk) {
  Recorder r;
  Incident open;
  open.id = 7;
  open.subject = kDb;
  open.started_at = kT0 - 1h;
  open.detected_at = kT0 - 1h;
  open.worst = "fail";
  r.restore({open}, 8);
  ASSERT_NE(r.open_incident(kDb), nullptr);
  r.status(kDb, change(Health::kOk, kT0));
  Batch b = r.take(kT0 + 1s);
  ASSERT_EQ(b.incidents.size(), 1u);
  EXPECT_EQ(b.incidents[0].id, 7);
  EXPECT_EQ(b.incidents[0].resolved_at, kT0);
  // The next one gets a new id.
  r.status(kDb, change(Health::kFail, kT0 + 2s, "refused"));
  EXPECT_EQ(r.open_incident(kDb)->id, 8);
}

TEST(HistoryRecorder, ARemovedCheckEndsItsIncidentAndIsForgotten) {
  Recorder r;
  r.status(kDb, change(Health::kFail, kT0, "refused"));
  StatusChange gone = change(Health::kUnknown, kT0 + 5s, "check removed");
  gone.removed = true;
  r.status(kDb, gone);
  EXPECT_EQ(r.open_incident(kDb), nullptr);
  EXPECT_EQ(r.subjects(), 0u);
  Batch b = r.take(kT0 + 6s);
  ASSERT_EQ(b.incidents.size(), 1u);
  EXPECT_TRUE(b.incidents[0].resolved_at.has_value());
  const MinutePoint* m = minute_of(b, kDb, kT0);
  ASSERT_NE(m, nullptr) << "its last, partial minute is kept";
  EXPECT_EQ(m->point.down_seconds, 5u);
}

TEST(HistoryRecorder, DrainGivesTheCurrentMinutesAndCurrentShowsThemLive) {
  Recorder r;
  r.status(kDb, change(Health::kOk, kT0));
  r.result(kDb, kT0 + 1s, false, 2.5, "");
  const auto live = r.current(kDb, kT0 + 30s);
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->count, 1u);
  EXPECT_EQ(live->up_seconds, 30u);
  EXPECT_FALSE(r.current({SubjectKind::kCheck, "other"}, kT0 + 30s).has_value());
  Batch b = r.drain(kT0 + 40s);
  const MinutePoint* m = minute_of(b, kDb, kT0);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->point.count, 1u);
  EXPECT_EQ(m->point.up_seconds, 40u);
}

TEST(HistoryRecorder, AStallSkipsEmptyMinutesButCountsAKnownStatusThroughThem) {
  Recorder r;
  r.status(kDb, change(Health::kOk, kT0));
  Batch b = r.take(kT0 + 3min + 10s);  // the loop was away for three minutes
  ASSERT_EQ(b.minutes.size(), 3u);
  for (const MinutePoint& m : b.minutes) EXPECT_EQ(m.point.up_seconds, 60u);
  Recorder unknown;
  unknown.result(kDb, kT0, false, 1, "");
  Batch u = unknown.take(kT0 + 2h);
  EXPECT_EQ(u.minutes.size(), 1u) << "a subject of unknown status has nothing to say for the minutes between";
}

}  // namespace
}  // namespace hale::history
