// HeartbeatMonitor on simulated time: pings, deadlines judged by tick(), tokens, pause, reloads,
// and state and runs that survive a restart through a real SQLite file. The io_context is never
// run: the tests call tick() where the timer would.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "hale/heartbeat/heartbeat_monitor.h"
#include "hale/log/redactor.h"
#include "hale/server/heartbeat_json.h"
#include "hale/store/store_worker.h"
#include "support/temp_dir.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::TempDir;

HeartbeatSpec every_hour(std::string name = "backup") {
  HeartbeatSpec s;
  s.name = std::move(name);
  s.period = 1h;
  s.grace = 10min;
  return s;
}

PingCall call(std::string_view name, PingKind kind = PingKind::kSuccess, std::string_view body = "",
              int code = 0) {
  PingCall c;
  c.name = name;
  c.kind = kind;
  c.exit_code = code;
  c.body = body;
  c.body_bytes = body.size();
  return c;
}

class HeartbeatMonitorTest : public ::testing::Test {
 protected:
  const HeartbeatView& view(std::string_view name = "backup") {
    snap_ = monitor_->snapshot();
    const HeartbeatView* v = snap_->find(name);
    EXPECT_NE(v, nullptr) << name;
    static const HeartbeatView kNone;
    return v ? *v : kNone;
  }
  void advance(Duration d) {
    clock_.advance(d);
    monitor_->tick();
  }

  boost::asio::io_context io_;
  FakeClock clock_;
  std::unique_ptr<HeartbeatMonitor> monitor_ = std::make_unique<HeartbeatMonitor>(io_, clock_);
  std::shared_ptr<const HeartbeatsSnapshot> snap_;
};

TEST_F(HeartbeatMonitorTest, AnUnknownNameIs404AndChangesNothing) {
  monitor_->apply({every_hour()});
  const PingAnswer a = monitor_->ping(call("nightly"));
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body, "no heartbeat named \"nightly\"\n");
  EXPECT_EQ(view().state, HeartbeatStatus::kNew);
  EXPECT_FALSE(view().last_ping.has_value());
}

TEST_F(HeartbeatMonitorTest, AnExitCodeOver255Is400ForAKnownNameAnd404ForAnUnknownOne) {
  monitor_->apply({every_hour()});
  PingCall bad = call("backup", PingKind::kExitCode, "", 0);
  bad.exit_code_over_255 = true;
  const PingAnswer a = monitor_->ping(bad);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, "invalid url format\n");
  EXPECT_FALSE(view().last_ping.has_value()) << "a bad ping is no ping";
  bad.name = "nightly";
  EXPECT_EQ(monitor_->ping(bad).status, 404);
}

TEST_F(HeartbeatMonitorTest, NewUntilTheFirstPingThenUpWithTheNextRunExpected) {
  const WallTime start = clock_.wall_now();
  monitor_->apply({every_hour()});
  EXPECT_EQ(view().state, HeartbeatStatus::kNew);
  EXPECT_EQ(view().next_expected, start + 1h);
  EXPECT_EQ(view().schedule, "every 1h");
  // Not late before its first ping, however long it waits (the job may not be installed yet).
  advance(5h);
  EXPECT_EQ(view().state, HeartbeatStatus::kNew);

  const PingAnswer a = monitor_->ping(call("backup"));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "OK\n");
  const HeartbeatView& v = view();
  EXPECT_EQ(v.state, HeartbeatStatus::kUp);
  EXPECT_EQ(v.last_ping, clock_.wall_now());
  EXPECT_EQ(v.next_expected, clock_.wall_now() + 1h);
  EXPECT_EQ(v.last_success, clock_.wall_now());
  ASSERT_NE(v.last_run(), nullptr);
  EXPECT_EQ(v.last_run()->verdict, "success");
  EXPECT_EQ(v.pings_by_kind.at("success"), 1u);
  EXPECT_EQ(v.runs_succeeded, 1u);
  EXPECT_EQ(v.transitions_total, 1u);
}

TEST_F(HeartbeatMonitorTest, LateAfterTheExpectedTimeDownAfterGrace) {
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  advance(59min);
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  advance(1min);
  EXPECT_EQ(view().state, HeartbeatStatus::kLate);
  EXPECT_EQ(view().health(), Health::kDegraded);
  advance(9min);
  EXPECT_EQ(view().state, HeartbeatStatus::kLate);
  advance(1min);
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  EXPECT_EQ(view().reason, "no ping since the run expected at 2026-01-01T01:00:00Z (grace 10m)");
  EXPECT_EQ(view().transitions_total, 3u);  // new->up, up->late, late->down
  // A ping brings it back.
  monitor_->ping(call("backup", PingKind::kExitCode, "done\n", 0));
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
}

TEST_F(HeartbeatMonitorTest, TickGoesStraightToDownWhenGraceIsAlsoOver) {
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  advance(3h);
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  EXPECT_EQ(view().transitions_total, 2u);  // new->up, up->down: no stop at late on the way
}

TEST_F(HeartbeatMonitorTest, TokenIsRequiredWhenSet) {
  HeartbeatSpec s = every_hour();
  s.token = "ping-secret-123";
  monitor_->apply({s});
  PingCall c = call("backup");
  EXPECT_EQ(monitor_->ping(c).status, 401);
  c.token = "wrong";
  EXPECT_EQ(monitor_->ping(c).status, 401);
  c.token = "";
  EXPECT_EQ(monitor_->ping(c).status, 401);
  EXPECT_EQ(view().state, HeartbeatStatus::kNew);  // refused pings change nothing
  EXPECT_TRUE(view().pings_by_kind.empty());
  c.token = "ping-secret-123";
  const PingAnswer ok = monitor_->ping(c);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body.find("ping-secret"), std::string::npos);
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
}

TEST_F(HeartbeatMonitorTest, ASilentSuccessIsAFailureWhenOutputIsRequired) {
  HeartbeatSpec s = every_hour();
  s.require_output = true;
  monitor_->apply({s});
  monitor_->ping(call("backup", PingKind::kExitCode, " \n", 0));
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  EXPECT_EQ(view().reason, "completed with no output");
  ASSERT_NE(view().last_run(), nullptr);
  EXPECT_EQ(view().last_run()->verdict, "completed with no output");
  EXPECT_EQ(view().last_run()->exit_code, 0);
  EXPECT_EQ(view().consecutive_failures, 1);
  EXPECT_EQ(view().runs_failed, 1u);
  // A second silent run: still down, counted, no new transition.
  monitor_->ping(call("backup", PingKind::kSuccess, ""));
  EXPECT_EQ(view().consecutive_failures, 2);
  EXPECT_EQ(view().transitions_total, 1u);
  EXPECT_FALSE(view().last_run()->exit_code.has_value());
  monitor_->ping(call("backup", PingKind::kSuccess, "copied 3 files\n"));
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_EQ(view().consecutive_failures, 0);
}

TEST_F(HeartbeatMonitorTest, MatchingOutputFailsAndSecretsAreMaskedInReasonAndExcerpt) {
  Redactor::global().set_secrets({"hunter2-db-password"});
  HeartbeatSpec s = every_hour();
  s.fail_if_output_matches = "(?i)401|unauthorized";
  monitor_->apply({s});
  monitor_->ping(call("backup", PingKind::kExitCode,
                      "connecting with hunter2-db-password\nHTTP 401 Unauthorized for hunter2-db-password\n", 0));
  const HeartbeatView& v = view();
  Redactor::global().set_secrets({});
  EXPECT_EQ(v.state, HeartbeatStatus::kDown);
  EXPECT_EQ(v.reason, "output matched: HTTP 401 Unauthorized for [REDACTED]");
  ASSERT_NE(v.last_run(), nullptr);
  EXPECT_EQ(v.last_run()->output_excerpt, "connecting with [REDACTED]\nHTTP 401 Unauthorized for [REDACTED]\n");
  EXPECT_EQ(v.last_run()->verdict, v.reason);
}

TEST_F(HeartbeatMonitorTest, AStartWithoutAnEndIsDownAfterMaxDuration) {
  HeartbeatSpec s = every_hour();
  s.max_duration = 20min;
  monitor_->apply({s});
  monitor_->ping(call("backup", PingKind::kStart));
  EXPECT_EQ(view().state, HeartbeatStatus::kRunning);
  EXPECT_EQ(view().running_since, clock_.wall_now());
  advance(19min);
  EXPECT_EQ(view().state, HeartbeatStatus::kRunning);
  advance(1min);
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  EXPECT_EQ(view().reason, "running for longer than 20m");
}

TEST_F(HeartbeatMonitorTest, ARunMeasuresFromItsStart) {
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup", PingKind::kStart));
  const WallTime started = clock_.wall_now();
  advance(90s);
  monitor_->ping(call("backup", PingKind::kExitCode, "oops\n", 3));
  const HeartbeatView& v = view();
  EXPECT_EQ(v.state, HeartbeatStatus::kDown);
  EXPECT_EQ(v.reason, "exit code 3");
  ASSERT_NE(v.last_run(), nullptr);
  EXPECT_EQ(v.last_run()->started, started);
  EXPECT_EQ(v.last_run()->ended, started + 90s);
  EXPECT_EQ(v.last_run()->exit_code, 3);
  EXPECT_EQ(v.last_run()->output_excerpt, "oops\n");
  EXPECT_FALSE(v.running_since.has_value());
}

TEST_F(HeartbeatMonitorTest, ALongBodyKeepsItsEndAndJudgesIt) {
  HeartbeatSpec s = every_hour();
  s.fail_if_output_matches = "FATAL";
  monitor_->apply({s});
  // The server kept the last 3018 bytes of a 5 MB body; its first line is cut, so it is left
  // out too: judged and kept is what follows, and the excerpt says how much is missing.
  std::string tail(3000, 'x');
  tail += "\nFATAL: disk full\n";
  PingCall c = call("backup", PingKind::kSuccess, tail);
  c.body_bytes = 5'000'000;
  monitor_->ping(c);
  EXPECT_EQ(view().reason, "output matched: FATAL: disk full");
  EXPECT_EQ(view().last_run()->output_excerpt,
            "[hale: output truncated: first 4999983 bytes left out]\nFATAL: disk full\n");
}

TEST_F(HeartbeatMonitorTest, ASecretCutByTheTailIsNotKeptInPart) {
  Redactor::global().set_secrets({"s3cr3t-api-token-value"});
  HeartbeatSpec s = every_hour();
  s.fail_if_output_matches = "token";
  monitor_->apply({s});
  // The body's cut falls inside the secret: "-token-value" alone is no secret the redactor knows.
  PingCall c = call("backup", PingKind::kSuccess, "-token-value\nall done\n");
  c.body_bytes = 200'000;
  monitor_->ping(c);
  // A whole secret in the kept part is masked before it is judged or kept.
  monitor_->ping(call("backup", PingKind::kExitCode, "using s3cr3t-api-token-value\nok\n", 0));
  const HeartbeatView v = view();
  Redactor::global().set_secrets({});
  ASSERT_EQ(v.runs.size(), 2u);
  EXPECT_EQ(v.runs[1].verdict, "success") << "the partial line was neither judged nor kept";
  EXPECT_EQ(v.runs[1].output_excerpt.find("token-value"), std::string::npos) << v.runs[1].output_excerpt;
  EXPECT_EQ(v.runs[0].output_excerpt, "using [REDACTED]\nok\n");
  EXPECT_EQ(v.runs[0].verdict, "success") << "the masked secret no longer matches `token`";
}

TEST_F(HeartbeatMonitorTest, OnlyTheLastTwentyRunsAreKept) {
  monitor_->apply({every_hour()});
  for (int i = 0; i < 25; ++i) monitor_->ping(call("backup", PingKind::kExitCode, "run " + std::to_string(i), 0));
  ASSERT_EQ(view().runs.size(), kKeptRuns);
  EXPECT_EQ(view().runs.front().output_excerpt, "run 24");
  EXPECT_EQ(view().runs.back().output_excerpt, "run 5");
  EXPECT_EQ(view().runs_succeeded, 25u);
}

TEST_F(HeartbeatMonitorTest, PausedIgnoresDeadlinesAndAPingUnpauses) {
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  HeartbeatActionResult r = monitor_->act("backup", "pause");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.state, HeartbeatStatus::kPaused);
  advance(5h);
  EXPECT_EQ(view().state, HeartbeatStatus::kPaused);
  monitor_->ping(call("backup"));
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  // Resume without a ping: as new, not late until a ping comes.
  monitor_->act("backup", "pause");
  r = monitor_->act("backup", "resume");
  EXPECT_EQ(r.state, HeartbeatStatus::kNew);
  advance(5h);
  EXPECT_EQ(view().state, HeartbeatStatus::kNew);
  EXPECT_EQ(monitor_->act("nightly", "pause").http_status, 404);
  EXPECT_EQ(monitor_->act("backup", "stop").http_status, 404);
}

TEST_F(HeartbeatMonitorTest, ReloadKeepsStateOfChangedHeartbeatsAndDropsRemovedOnes) {
  monitor_->apply({every_hour("backup"), every_hour("report")});
  monitor_->ping(call("backup"));
  HeartbeatSpec longer = every_hour("backup");
  longer.period = 6h;
  monitor_->apply({longer});
  EXPECT_EQ(monitor_->snapshot()->heartbeats.size(), 1u);
  EXPECT_EQ(monitor_->snapshot()->find("report"), nullptr);
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_EQ(view().schedule, "every 6h");
  // The next run follows the new period from the last ping.
  EXPECT_EQ(view().next_expected, *view().last_ping + 6h);
  advance(2h);
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_EQ(view().runs.size(), 1u);
}

TEST_F(HeartbeatMonitorTest, AReloadThatRelaxesTheScheduleTurnsLateBackToUp) {
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  advance(65min);
  ASSERT_EQ(view().state, HeartbeatStatus::kLate);
  HeartbeatSpec two_hours = every_hour();
  two_hours.period = 2h;
  monitor_->apply({two_hours});
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_EQ(view().reason, "on time under the new schedule");
  EXPECT_EQ(view().next_expected, *view().last_ping + 2h);
  advance(60min);  // 2h05m after the ping: late under the new schedule
  EXPECT_EQ(view().state, HeartbeatStatus::kLate);
}

TEST_F(HeartbeatMonitorTest, CronScheduleInItsTimeZone) {
  HeartbeatSpec s;
  s.name = "backup";
  s.schedule = Calendar::parse("0 3 * * *", "UTC").value();
  s.grace = 30min;
  monitor_->apply({s});
  EXPECT_EQ(view().schedule, "0 3 * * * (UTC)");
  EXPECT_EQ(format_iso8601(*view().next_expected), "2026-01-01T03:00:00Z");
  monitor_->ping(call("backup"));
  EXPECT_EQ(format_iso8601(*view().next_expected), "2026-01-01T03:00:00Z");
  advance(3h);
  EXPECT_EQ(view().state, HeartbeatStatus::kLate);
  advance(30min);
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  monitor_->ping(call("backup"));
  EXPECT_EQ(format_iso8601(*view().next_expected), "2026-01-02T03:00:00Z");
}

// SPEC §8, a property test (seeded; tests/fuzz/ping_fuzz.cpp fuzzes): random ping bodies. Random
// bytes (NUL, invalid UTF-8, endless lines, a secret cut anywhere) of random lengths, as whole
// bodies or as tails of longer ones: every ping is taken, the excerpt stays bounded, the JSON the
// API serves stays valid, and the secret never shows.
TEST_F(HeartbeatMonitorTest, PropertyRandomPingBodiesAreTakenBoundedAndNeverLeakTheSecret) {
  const std::string secret = "property-secret-0123456789";
  Redactor::global().set_secrets({secret});
  HeartbeatSpec s = every_hour();
  s.require_output = true;
  s.fail_if_output_matches = "(?i)err(or)?|\\x00";
  monitor_->apply({s});
  std::mt19937 rng(20261123);
  const PingKind kinds[] = {PingKind::kSuccess, PingKind::kExitCode, PingKind::kFail, PingKind::kLog, PingKind::kStart};
  for (int i = 0; i < 300; ++i) {
    std::string body(rng() % 6000, '\0');
    for (char& c : body) c = static_cast<char>(rng() % 4 == 0 ? "\n \xff\xc3"[rng() % 4] : rng());
    if (rng() % 2 == 0) body.insert(rng() % (body.size() + 1), secret);
    if (rng() % 3 == 0 && body.size() > 10) body.erase(0, rng() % 10);  // a tail that cut into the secret
    PingCall c = call("backup", kinds[rng() % 5], body, static_cast<int>(rng() % 256));
    c.body_bytes = body.size() + (rng() % 2 == 0 ? 0 : rng() % 1'000'000);
    ASSERT_EQ(monitor_->ping(c).status, 200) << i;
    const HeartbeatView& v = view();
    const HeartbeatRun* run = v.last_run();
    if (run != nullptr) {
      EXPECT_LE(run->output_excerpt.size(), kOutputExcerptBytes) << i;
      EXPECT_EQ(run->output_excerpt.find(secret), std::string::npos) << i;
    }
    EXPECT_EQ(v.reason.find(secret), std::string::npos) << i;
    const std::string json = heartbeat_detail_json(v);
    EXPECT_TRUE(nlohmann::json::accept(json)) << i;
    EXPECT_EQ(json.find(secret), std::string::npos) << i;
  }
  Redactor::global().set_secrets({});
  EXPECT_EQ(view().runs.size(), kKeptRuns);
}

// SPEC §5: state and runs survive a restart of hale; a run missed while hale was away is noticed
// when it comes back.
class HeartbeatPersistenceTest : public HeartbeatMonitorTest {
 protected:
  void start() {
    monitor_.reset();
    store_.reset();  // drains every pending write
    auto opened = StoreWorker::open(dir_.path().string());
    ASSERT_TRUE(opened) << opened.status().message();
    store_ = std::move(opened).value();
    monitor_ = std::make_unique<HeartbeatMonitor>(io_, clock_);
    monitor_->set_store(store_.get());
  }
  TempDir dir_;
  std::unique_ptr<StoreWorker> store_;
};

TEST_F(HeartbeatPersistenceTest, ARunMissedWhileHaleWasAwayIsDownAtOnce) {
  start();
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup", PingKind::kStart));
  clock_.advance(2min);
  monitor_->ping(call("backup", PingKind::kExitCode, "backed up 12 GB\n", 0));
  const WallTime last = clock_.wall_now();

  clock_.advance(3h);  // hale is down through the next run and its grace
  start();
  monitor_->apply({every_hour()});
  const HeartbeatView& v = view();
  EXPECT_EQ(v.state, HeartbeatStatus::kDown);
  EXPECT_EQ(v.reason, "no ping since the run expected at " + format_iso8601(last + 1h) + " (grace 10m)");
  EXPECT_EQ(v.last_ping, last);
  EXPECT_EQ(v.last_success, last);
  ASSERT_EQ(v.runs.size(), 1u);
  EXPECT_EQ(v.runs[0].output_excerpt, "backed up 12 GB\n");
  EXPECT_EQ(v.runs[0].exit_code, 0);
  EXPECT_EQ(v.runs[0].ended - *v.runs[0].started, 2min);
}

TEST_F(HeartbeatPersistenceTest, DownStaysDownAndRunningStaysRunningAcrossARestart) {
  HeartbeatSpec report = every_hour("report");
  report.max_duration = 30min;
  start();
  monitor_->apply({every_hour(), report});
  monitor_->ping(call("backup", PingKind::kFail, "tar: Error exit delayed from previous errors\n"));
  monitor_->ping(call("report", PingKind::kStart));
  EXPECT_EQ(view("backup").state, HeartbeatStatus::kDown);

  clock_.advance(10min);
  start();
  monitor_->apply({every_hour(), report});
  EXPECT_EQ(view("backup").state, HeartbeatStatus::kDown);
  EXPECT_EQ(view("backup").reason, "the job reported a failure");
  EXPECT_EQ(view("backup").consecutive_failures, 1);
  EXPECT_EQ(view("report").state, HeartbeatStatus::kRunning);
  // Still judged by its start before the restart: down 30 minutes after it.
  advance(19min);
  EXPECT_EQ(view("report").state, HeartbeatStatus::kRunning);
  advance(1min);
  EXPECT_EQ(view("report").state, HeartbeatStatus::kDown);
  EXPECT_EQ(view("report").reason, "running for longer than 30m");
}

TEST_F(HeartbeatPersistenceTest, AScheduleChangedWhileHaleWasAwayIsFollowed) {
  start();
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  const WallTime last = clock_.wall_now();
  clock_.advance(2h);  // late and down under the old hourly schedule
  HeartbeatSpec six_hours = every_hour();
  six_hours.period = 6h;
  start();
  monitor_->apply({six_hours});
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_EQ(view().next_expected, last + 6h);
}

TEST_F(HeartbeatPersistenceTest, ARestartKeepsWhenTheStateBegan) {
  start();
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  clock_.advance(75min);
  monitor_->tick();
  ASSERT_EQ(view().state, HeartbeatStatus::kDown);
  const WallTime down_at = view().since;
  EXPECT_EQ(down_at, *view().last_ping + 75min);
  clock_.advance(1h);
  start();
  monitor_->apply({every_hour()});
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  EXPECT_EQ(view().since, down_at) << "not the time of the last ping, nor of the restart";
}

TEST_F(HeartbeatPersistenceTest, PausedStaysPausedAcrossARestart) {
  start();
  monitor_->apply({every_hour()});
  monitor_->ping(call("backup"));
  monitor_->act("backup", "pause");
  clock_.advance(5h);
  start();
  monitor_->apply({every_hour()});
  EXPECT_EQ(view().state, HeartbeatStatus::kPaused);
}

}  // namespace
}  // namespace hale

namespace hale {
namespace {

// SPEC §7 drills: a forced state is what everyone sees; its end is the drill's only when the
// heartbeat goes back to what it was, and pings still count underneath.
TEST_F(HeartbeatMonitorTest, ADrillForcesWhatIsSeenAndMarksOnlyItsOwnWayBack) {
  monitor_->apply({every_hour()});
  std::vector<HeartbeatTransition> told;
  monitor_->subscribe([&](const HeartbeatTransition& t, bool) { told.push_back(t); });
  ASSERT_EQ(monitor_->ping(call("backup")).status, 200);
  told.clear();

  monitor_->force("backup", Health::kFail, "dr");
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  EXPECT_EQ(view().drill, "dr");
  ASSERT_EQ(monitor_->ping(call("backup")).status, 200);  // counted, not shown
  EXPECT_EQ(view().state, HeartbeatStatus::kDown);
  monitor_->unforce("backup");
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_TRUE(view().drill.empty());
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].to, HeartbeatStatus::kDown);
  EXPECT_EQ(told[0].drill, "dr");
  EXPECT_EQ(told[1].to, HeartbeatStatus::kUp);
  EXPECT_EQ(told[1].drill, "dr") << "back to what it was: the drill's recovery";

  // Forced up while the job really goes down: the way out of the drill is real news.
  told.clear();
  monitor_->force("backup", Health::kOk, "dr2");
  advance(2h);  // no ping: down underneath
  EXPECT_EQ(view().state, HeartbeatStatus::kUp);
  EXPECT_TRUE(told.empty()) << "hidden while forced";
  monitor_->unforce("backup");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].from, HeartbeatStatus::kUp);
  EXPECT_EQ(told[0].to, HeartbeatStatus::kDown);
  EXPECT_TRUE(told[0].drill.empty()) << "a real failure is never the drill's";
}

}  // namespace
}  // namespace hale
