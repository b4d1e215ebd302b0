// HeartbeatView helpers and heartbeats_health(): the heartbeats' share of /health, /readyz,
// /livez and /groupz/NAME (SPEC §3 aggregation rules applied to SPEC §5 states).
#include "hale/heartbeat_view.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hale {
namespace {

std::shared_ptr<HeartbeatView> hb(std::string name, HeartbeatStatus state, bool critical = true,
                                  std::vector<std::string> groups = {}) {
  auto v = std::make_shared<HeartbeatView>();
  v->name = std::move(name);
  v->state = state;
  v->critical = critical;
  v->groups = std::move(groups);
  return v;
}

HeartbeatsSnapshot snapshot(std::vector<std::shared_ptr<HeartbeatView>> views) {
  std::sort(views.begin(), views.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  HeartbeatsSnapshot s;
  s.heartbeats.assign(views.begin(), views.end());
  return s;
}

TEST(HeartbeatStatusNames, RoundTripAndUnknownNames) {
  const std::vector<std::string> want = {"new", "up", "running", "late", "down", "paused"};
  ASSERT_EQ(kAllHeartbeatStatuses.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(to_string(kAllHeartbeatStatuses[i]), want[i]);
    EXPECT_EQ(parse_heartbeat_status(want[i]), kAllHeartbeatStatuses[i]) << want[i];
  }
  for (const char* bad : {"", "UP", "ok", "fail", "pause", "down "}) {
    EXPECT_FALSE(parse_heartbeat_status(bad).has_value()) << bad;
  }
}

TEST(HeartbeatStatusNames, HealthOfEachState) {
  EXPECT_EQ(to_health(HeartbeatStatus::kNew), Health::kUnknown);
  EXPECT_EQ(to_health(HeartbeatStatus::kUp), Health::kOk);
  EXPECT_EQ(to_health(HeartbeatStatus::kRunning), Health::kOk);
  EXPECT_EQ(to_health(HeartbeatStatus::kLate), Health::kDegraded);
  EXPECT_EQ(to_health(HeartbeatStatus::kDown), Health::kFail);
  EXPECT_EQ(to_health(HeartbeatStatus::kPaused), Health::kUnknown);
  EXPECT_EQ(hb("x", HeartbeatStatus::kLate)->health(), Health::kDegraded);
}

TEST(HeartbeatViewHelpers, LastRunIsTheFirstOfTheRunsAndGroupsAreExact) {
  auto v = hb("backup", HeartbeatStatus::kUp, true, {"ready", "nightly"});
  EXPECT_EQ(v->last_run(), nullptr);
  HeartbeatRun newest;
  newest.verdict = "success";
  HeartbeatRun older;
  older.verdict = "exit code 3";
  v->runs = {newest, older};
  ASSERT_NE(v->last_run(), nullptr);
  EXPECT_EQ(v->last_run(), &v->runs.front());
  EXPECT_TRUE(v->last_run()->success());
  EXPECT_FALSE(v->runs[1].success());
  EXPECT_TRUE(v->in_group("ready"));
  EXPECT_TRUE(v->in_group("nightly"));
  EXPECT_FALSE(v->in_group("live"));
  EXPECT_FALSE(v->in_group("read"));
  EXPECT_FALSE(v->in_group(""));
}

TEST(HeartbeatsSnapshotFinalize, PrecomputesTheAnswersOfEachGroup) {
  auto down_ready = std::make_shared<HeartbeatView>();
  down_ready->name = "a";
  down_ready->state = HeartbeatStatus::kDown;
  down_ready->groups = {"ready"};
  auto late_live = std::make_shared<HeartbeatView>();
  late_live->name = "b";
  late_live->state = HeartbeatStatus::kLate;
  late_live->groups = {"live"};
  HeartbeatsSnapshot s;
  s.heartbeats = {down_ready, late_live};
  finalize(s);
  EXPECT_EQ(s.overall, Health::kFail);
  EXPECT_EQ(s.ready, Health::kFail);
  EXPECT_EQ(s.live, Health::kDegraded);
  HeartbeatsSnapshot empty;
  finalize(empty);
  EXPECT_EQ(empty.overall, Health::kOk);
  EXPECT_EQ(empty.ready, Health::kOk);
}

TEST(HeartbeatsSnapshotFind, ByExactName) {
  const auto s = snapshot({hb("sync", HeartbeatStatus::kUp), hb("backup", HeartbeatStatus::kDown),
                           hb("backup-2", HeartbeatStatus::kLate)});
  ASSERT_NE(s.find("backup"), nullptr);
  EXPECT_EQ(s.find("backup")->state, HeartbeatStatus::kDown);
  ASSERT_NE(s.find("backup-2"), nullptr);
  EXPECT_EQ(s.find("backup-2")->state, HeartbeatStatus::kLate);
  ASSERT_NE(s.find("sync"), nullptr);
  EXPECT_EQ(s.find("sync")->name, "sync");
  EXPECT_EQ(s.find("back"), nullptr);
  EXPECT_EQ(s.find("zzz"), nullptr);
  EXPECT_EQ(s.find(""), nullptr);
  EXPECT_EQ(HeartbeatsSnapshot{}.find("backup"), nullptr);
}

// One heartbeat alone: its share of an answer, critical or not, in each state.
TEST(HeartbeatsHealth, TableOfOneHeartbeat) {
  struct Row {
    HeartbeatStatus state;
    Health critical;
    Health non_critical;
  };
  const std::vector<Row> table = {
      {HeartbeatStatus::kNew, Health::kOk, Health::kOk},
      {HeartbeatStatus::kUp, Health::kOk, Health::kOk},
      {HeartbeatStatus::kRunning, Health::kOk, Health::kOk},
      {HeartbeatStatus::kLate, Health::kDegraded, Health::kDegraded},
      {HeartbeatStatus::kDown, Health::kFail, Health::kDegraded},
      {HeartbeatStatus::kPaused, Health::kOk, Health::kOk},
  };
  ASSERT_EQ(table.size(), kAllHeartbeatStatuses.size());
  for (const Row& row : table) {
    const std::string state(to_string(row.state));
    EXPECT_EQ(heartbeats_health(snapshot({hb("j", row.state, true)}), ""), row.critical) << "critical " << state;
    EXPECT_EQ(heartbeats_health(snapshot({hb("j", row.state, false)}), ""), row.non_critical)
        << "non-critical " << state;
  }
}

TEST(HeartbeatsHealth, NoHeartbeatsIsOk) {
  EXPECT_EQ(heartbeats_health(HeartbeatsSnapshot{}, ""), Health::kOk);
  EXPECT_EQ(heartbeats_health(HeartbeatsSnapshot{}, "ready"), Health::kOk);
}

TEST(HeartbeatsHealth, TheWorstWinsWhateverTheOrder) {
  // A critical down one fails the answer even after (or before) degraded and ok ones.
  EXPECT_EQ(heartbeats_health(snapshot({hb("a", HeartbeatStatus::kLate), hb("b", HeartbeatStatus::kUp),
                                        hb("c", HeartbeatStatus::kDown)}),
                              ""),
            Health::kFail);
  EXPECT_EQ(heartbeats_health(snapshot({hb("a", HeartbeatStatus::kDown), hb("b", HeartbeatStatus::kLate)}), ""),
            Health::kFail);
  // Degraded ones stay degraded, whichever comes first.
  EXPECT_EQ(heartbeats_health(snapshot({hb("a", HeartbeatStatus::kLate), hb("b", HeartbeatStatus::kUp)}), ""),
            Health::kDegraded);
  EXPECT_EQ(heartbeats_health(snapshot({hb("a", HeartbeatStatus::kUp), hb("b", HeartbeatStatus::kDown, false)}),
                              ""),
            Health::kDegraded);
  // Paused and new ones never lower an answer, critical or not.
  EXPECT_EQ(heartbeats_health(snapshot({hb("a", HeartbeatStatus::kPaused), hb("b", HeartbeatStatus::kNew),
                                        hb("c", HeartbeatStatus::kRunning)}),
                              ""),
            Health::kOk);
}

TEST(HeartbeatsHealth, GroupFilterKeepsOnlyMembers) {
  const auto s = snapshot({hb("backup", HeartbeatStatus::kDown, true, {"ready"}),
                           hb("sync", HeartbeatStatus::kLate, true, {"live", "edge"}),
                           hb("report", HeartbeatStatus::kDown, true, {})});
  EXPECT_EQ(heartbeats_health(s, ""), Health::kFail) << "empty group: every heartbeat";
  EXPECT_EQ(heartbeats_health(s, "ready"), Health::kFail);
  EXPECT_EQ(heartbeats_health(s, "live"), Health::kDegraded);
  EXPECT_EQ(heartbeats_health(s, "edge"), Health::kDegraded);
  EXPECT_EQ(heartbeats_health(s, "other"), Health::kOk);
  // `report` is in no group: only the whole (/health) sees it.
  const auto only_report = snapshot({hb("report", HeartbeatStatus::kDown, true, {})});
  EXPECT_EQ(heartbeats_health(only_report, ""), Health::kFail);
  EXPECT_EQ(heartbeats_health(only_report, "ready"), Health::kOk);
  EXPECT_EQ(heartbeats_health(only_report, "live"), Health::kOk);
}

TEST(HeartbeatsHealth, ExclusionTakesTheHeartbeatsPrefix) {
  const auto s = snapshot({hb("backup", HeartbeatStatus::kDown, true, {"ready"}),
                           hb("sync", HeartbeatStatus::kLate, true, {"ready"})});
  EXPECT_EQ(heartbeats_health(s, "ready", {"heartbeats/backup"}), Health::kDegraded);
  EXPECT_EQ(heartbeats_health(s, "ready", {"heartbeats/backup", "heartbeats/sync"}), Health::kOk);
  EXPECT_EQ(heartbeats_health(s, "", {"heartbeats/backup"}), Health::kDegraded);
  // A bare name is a check's name, and another kind's prefix is another subject: no effect.
  EXPECT_EQ(heartbeats_health(s, "ready", {"backup"}), Health::kFail);
  EXPECT_EQ(heartbeats_health(s, "ready", {"services/backup"}), Health::kFail);
  EXPECT_EQ(heartbeats_health(s, "ready", {"heartbeats/back"}), Health::kFail);
  EXPECT_EQ(heartbeats_health(s, "ready", {"heartbeats/"}), Health::kFail);
}

}  // namespace
}  // namespace hale
