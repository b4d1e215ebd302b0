// The heartbeat state machine (SPEC §5) on simulated calendar time: late, down, stuck running,
// silent success, matching output, too fast, pause and resume.
#include "hale/heartbeat/heartbeat_state.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

using namespace std::chrono_literals;

class HeartbeatTest : public ::testing::Test {
 protected:
  HeartbeatPolicy hourly(Duration grace = 10min) {
    HeartbeatPolicy p;
    p.next_expected = [](WallTime after) { return std::optional<WallTime>(after + 1h); };
    p.grace = grace;
    return p;
  }
  WallTime at(Duration d) const { return t0 + std::chrono::duration_cast<WallTime::duration>(d); }
  Ping ping(PingKind kind, Duration when, std::string output = "done", int code = 0) const {
    return Ping{kind, at(when), code, std::move(output)};
  }

  const WallTime t0 = FakeClock().wall_now();
};

TEST_F(HeartbeatTest, NewUntilTheFirstPingThenUp) {
  HeartbeatState hb("backup", hourly(), t0);
  EXPECT_EQ(hb.status(), HeartbeatStatus::kNew);
  EXPECT_EQ(to_health(hb.status()), Health::kUnknown);
  // Not late before its first ping, however long it takes.
  EXPECT_FALSE(hb.tick(at(5h)).has_value());
  EXPECT_FALSE(hb.next_deadline().has_value());
  auto t = hb.ping(ping(PingKind::kSuccess, 5h));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, HeartbeatStatus::kNew);
  EXPECT_EQ(t->to, HeartbeatStatus::kUp);
  EXPECT_EQ(hb.next_expected(), at(6h));
  EXPECT_EQ(hb.next_deadline(), at(6h));
}

TEST_F(HeartbeatTest, LateAtTheExpectedTimeDownAfterGrace) {
  HeartbeatState hb("backup", hourly(10min), t0);
  hb.ping(ping(PingKind::kSuccess, 0s));
  EXPECT_FALSE(hb.tick(at(59min)).has_value());
  auto late = hb.tick(at(60min));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->to, HeartbeatStatus::kLate);
  EXPECT_EQ(to_health(hb.status()), Health::kDegraded);
  EXPECT_EQ(hb.next_deadline(), at(70min));
  EXPECT_FALSE(hb.tick(at(69min)).has_value());
  auto down = hb.tick(at(70min));
  ASSERT_TRUE(down);
  EXPECT_EQ(down->from, HeartbeatStatus::kLate);
  EXPECT_EQ(down->to, HeartbeatStatus::kDown);
  EXPECT_NE(down->reason.find("grace 10m"), std::string::npos) << down->reason;
  EXPECT_EQ(to_health(hb.status()), Health::kFail);
  // A ping brings it back, and the schedule follows that ping.
  auto up = hb.ping(ping(PingKind::kSuccess, 75min));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->to, HeartbeatStatus::kUp);
  EXPECT_EQ(hb.next_expected(), at(135min));
}

TEST_F(HeartbeatTest, ATickLongAfterTheDeadlineGoesStraightToDown) {
  // hale was down across the expected time and the grace: it says down when it looks again.
  HeartbeatState hb("backup", hourly(10min), t0);
  hb.ping(ping(PingKind::kSuccess, 0s));
  auto t = hb.tick(at(3h));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, HeartbeatStatus::kUp);
  EXPECT_EQ(t->to, HeartbeatStatus::kDown);
}

TEST_F(HeartbeatTest, StartThenNoEndIsStuckAfterMaxDuration) {
  HeartbeatPolicy p = hourly();
  p.max_duration = 2h;
  HeartbeatState hb("backup", p, t0);
  auto run = hb.ping(ping(PingKind::kStart, 0s));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->to, HeartbeatStatus::kRunning);
  EXPECT_EQ(to_health(hb.status()), Health::kOk);
  EXPECT_EQ(hb.next_deadline(), at(2h));
  // Running past its expected time is not late: it is running.
  EXPECT_FALSE(hb.tick(at(90min)).has_value());
  auto stuck = hb.tick(at(2h));
  ASSERT_TRUE(stuck);
  EXPECT_EQ(stuck->to, HeartbeatStatus::kDown);
  EXPECT_EQ(stuck->reason, "running for longer than 2h");
}

TEST_F(HeartbeatTest, SilentSuccessIsAFailureWhenOutputIsRequired) {
  HeartbeatPolicy p = hourly();
  p.require_output = true;
  HeartbeatState hb("sync", p, t0);
  hb.ping(ping(PingKind::kStart, 0s));
  auto t = hb.ping(ping(PingKind::kSuccess, 1min, " \n\t"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, HeartbeatStatus::kDown);
  EXPECT_EQ(t->reason, "completed with no output");
  // With output, the next run is fine again.
  t = hb.ping(ping(PingKind::kSuccess, 61min, "synced 42 rows"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, HeartbeatStatus::kUp);
}

TEST_F(HeartbeatTest, OutputThatMatchesTheFailurePatternIsAFailureWithTheLine) {
  HeartbeatPolicy p = hourly();
  p.output_matches = [](std::string_view out) -> std::optional<std::string> {
    if (auto pos = out.find("401 Unauthorized"); pos != std::string_view::npos) return "HTTP 401 Unauthorized";
    return std::nullopt;
  };
  HeartbeatState hb("fetch", p, t0);
  auto t = hb.ping(ping(PingKind::kExitCode, 0s, "GET /feed\nHTTP 401 Unauthorized\n", 0));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, HeartbeatStatus::kDown);
  EXPECT_EQ(t->reason, "output matched: HTTP 401 Unauthorized");
}

TEST_F(HeartbeatTest, ExitCodesAndExplicitFailures) {
  HeartbeatState hb("job", hourly(), t0);
  auto t = hb.ping(ping(PingKind::kExitCode, 0s, "", 3));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, HeartbeatStatus::kDown);
  EXPECT_EQ(t->reason, "exit code 3");
  EXPECT_EQ(hb.ping(ping(PingKind::kExitCode, 1h, "", 0))->to, HeartbeatStatus::kUp);
  t = hb.ping(ping(PingKind::kFail, 2h));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->reason, "the job reported a failure");
  // A /log ping is recorded but changes nothing.
  EXPECT_FALSE(hb.ping(ping(PingKind::kLog, 3h)).has_value());
  EXPECT_EQ(hb.last_ping(), at(3h));
  EXPECT_EQ(hb.status(), HeartbeatStatus::kDown);
}

TEST_F(HeartbeatTest, FinishedTooFast) {
  HeartbeatPolicy p = hourly();
  p.min_duration = 30s;
  HeartbeatState hb("backup", p, t0);
  hb.ping(ping(PingKind::kStart, 0s));
  auto t = hb.ping(ping(PingKind::kSuccess, 12s));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->reason, "finished too fast (12s < 30s)");
  hb.ping(ping(PingKind::kStart, 1h));
  EXPECT_EQ(hb.ping(ping(PingKind::kSuccess, 1h + 45s))->to, HeartbeatStatus::kUp);
}

TEST_F(HeartbeatTest, PausedIsLeftAloneUntilAPingUnpausesIt) {
  HeartbeatState hb("job", hourly(), t0);
  hb.ping(ping(PingKind::kSuccess, 0s));
  auto paused = hb.pause(at(10min));
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->to, HeartbeatStatus::kPaused);
  EXPECT_FALSE(hb.tick(at(5h)).has_value()) << "a paused heartbeat is never late";
  EXPECT_FALSE(hb.next_deadline().has_value());
  // A ping is recorded and unpauses it: one transition, from paused to where the ping leads.
  auto t = hb.ping(ping(PingKind::kSuccess, 6h));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, HeartbeatStatus::kPaused);
  EXPECT_EQ(t->to, HeartbeatStatus::kUp);
  // resume without a ping: new again, not late before the next ping.
  hb.pause(at(7h));
  auto r = hb.resume(at(8h));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->to, HeartbeatStatus::kNew);
  EXPECT_FALSE(hb.tick(at(20h)).has_value());
  EXPECT_FALSE(hb.resume(at(21h)).has_value()) << "resume of a heartbeat that is not paused";
}

TEST_F(HeartbeatTest, JudgeRunOrdersItsReasons) {
  HeartbeatPolicy p;
  p.require_output = true;
  p.min_duration = 1min;
  // The exit code speaks first; then the output; then the duration.
  EXPECT_EQ(judge_run(p, Ping{PingKind::kExitCode, at(10s), 2, ""}, at(0s)), "exit code 2");
  EXPECT_EQ(judge_run(p, Ping{PingKind::kSuccess, at(10s), 0, ""}, at(0s)), "completed with no output");
  EXPECT_EQ(judge_run(p, Ping{PingKind::kSuccess, at(10s), 0, "ok"}, at(0s)), "finished too fast (10s < 1m)");
  EXPECT_EQ(judge_run(p, Ping{PingKind::kSuccess, at(2min), 0, "ok"}, at(0s)), std::nullopt);
  // Without a /start there is no duration to judge.
  EXPECT_EQ(judge_run(p, Ping{PingKind::kSuccess, at(10s), 0, "ok"}, std::nullopt), std::nullopt);
}

}  // namespace
}  // namespace hale

namespace hale {
namespace {

using namespace std::chrono_literals;

TEST(HeartbeatRestore, ARunMissedWhileHaleWasAwayIsDownAtTheFirstTick) {
  const WallTime t0 = FakeClock().wall_now();
  HeartbeatPolicy p;
  p.next_expected = [](WallTime after) { return std::optional<WallTime>(after + 1h); };
  p.grace = 10min;
  HeartbeatState hb("backup", p, t0 + 5h);  // hale comes back 5 h later
  hb.restore(HeartbeatStatus::kUp, "success", t0, t0 + 1h, std::nullopt);
  EXPECT_EQ(hb.status(), HeartbeatStatus::kUp);
  EXPECT_EQ(hb.next_expected(), t0 + 1h) << "the saved expectation wins over the one from start-up";
  auto t = hb.tick(t0 + 5h);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, HeartbeatStatus::kDown);
}

TEST(HeartbeatRestore, DownStaysDownAndStatusNamesRoundTrip) {
  const WallTime t0 = FakeClock().wall_now();
  HeartbeatState hb("backup", HeartbeatPolicy{}, t0);
  hb.restore(HeartbeatStatus::kDown, "exit code 3", t0, std::nullopt, std::nullopt);
  EXPECT_FALSE(hb.tick(t0 + 24h).has_value());
  EXPECT_EQ(hb.status(), HeartbeatStatus::kDown);
  EXPECT_EQ(hb.reason(), "exit code 3");
  for (auto s : {HeartbeatStatus::kNew, HeartbeatStatus::kUp, HeartbeatStatus::kRunning, HeartbeatStatus::kLate,
                 HeartbeatStatus::kDown, HeartbeatStatus::kPaused}) {
    EXPECT_EQ(parse_heartbeat_status(to_string(s)), s);
  }
  EXPECT_EQ(parse_heartbeat_status("sideways"), std::nullopt);
}

}  // namespace
}  // namespace hale

namespace hale {
namespace {

using namespace std::chrono_literals;

TEST(HeartbeatRunning, WithoutMaxDurationAStartThatNeverEndsIsDownAfterTheNextRunsGrace) {
  const WallTime t0 = FakeClock().wall_now();
  HeartbeatPolicy p;
  p.next_expected = [](WallTime after) { return std::optional<WallTime>(after + 1h); };
  p.grace = 10min;
  HeartbeatState hb("job", p, t0);
  hb.ping(Ping{PingKind::kSuccess, t0, 0, "ok"});
  hb.ping(Ping{PingKind::kStart, t0 + 1h, 0, ""});  // the next run starts ... and its job dies
  // A run longer than grace is no failure: only once the run after it is due (t0 + 2h) and
  // its grace is over is the start taken for a dead job.
  EXPECT_EQ(hb.next_deadline(), t0 + 2h + 10min);
  EXPECT_FALSE(hb.tick(t0 + 70min).has_value()) << "a long run is still running";
  EXPECT_FALSE(hb.tick(t0 + 2h + 9min).has_value());
  auto t = hb.tick(t0 + 2h + 10min);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, HeartbeatStatus::kDown);
  EXPECT_NE(t->reason.find("no end past the next run, expected at"), std::string::npos) << t->reason;
}

TEST(HeartbeatRunning, ACronJobRunningLongerThanGraceStaysRunning) {
  // schedule "0 3 * * *", grace 1h, no max_duration: the job starts at 03:00 and takes 90m.
  const WallTime midnight = FakeClock().wall_now();  // 2026-01-01T00:00:00Z
  HeartbeatPolicy p;
  p.next_expected = [midnight](WallTime after) {
    WallTime t = midnight + 3h;
    while (t <= after) t += 24h;
    return std::optional<WallTime>(t);
  };
  p.grace = 1h;
  HeartbeatState hb("backup", p, midnight);
  hb.ping(Ping{PingKind::kSuccess, midnight + 1min, 0, "ok"});
  hb.ping(Ping{PingKind::kStart, midnight + 3h, 0, ""});
  EXPECT_FALSE(hb.tick(midnight + 4h + 1min).has_value()) << "past grace, but the run is only long";
  EXPECT_EQ(hb.status(), HeartbeatStatus::kRunning);
  EXPECT_EQ(hb.next_deadline(), midnight + 24h + 3h + 1h);
  hb.ping(Ping{PingKind::kSuccess, midnight + 4h + 30min, 0, "done"});
  EXPECT_EQ(hb.status(), HeartbeatStatus::kUp);
}

TEST(HeartbeatRunning, AClockStepBackIsNotFinishedTooFast) {
  const WallTime t0 = FakeClock().wall_now();
  HeartbeatPolicy p;
  p.next_expected = [](WallTime after) { return std::optional<WallTime>(after + 1h); };
  p.min_duration = 30s;
  EXPECT_EQ(judge_run(p, Ping{PingKind::kSuccess, t0 - 5min, 0, "ok"}, t0), std::nullopt);
  EXPECT_EQ(judge_run(p, Ping{PingKind::kSuccess, t0 + 10s, 0, "ok"}, t0), "finished too fast (10s < 30s)");
}

}  // namespace
}  // namespace hale
