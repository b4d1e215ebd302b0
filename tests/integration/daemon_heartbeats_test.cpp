// Heartbeats through the real hale binary (SPEC §5): pings over HTTP, tokens, bodies of any
// length, late and down on the real timer, pause and resume, a reload, and state that survives
// a restart of hale (a job that was down stays down; a run missed meanwhile is noticed).
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPingToken = "ping-token-5f1c9e";

nlohmann::json get_json(const HaleProcess& hale, const std::string& path) {
  const HttpReply r = http_get(hale.url(path));
  if (r.body.empty() || (r.body[0] != '{' && r.body[0] != '[')) return nullptr;
  return nlohmann::json::parse(r.body);
}

std::string heartbeat_state(const HaleProcess& hale, const std::string& name) {
  const nlohmann::json j = get_json(hale, "/health");
  if (j.is_null() || !j.contains("heartbeats") || !j["heartbeats"].contains(name)) return "";
  return j["heartbeats"][name].value("state", "");
}

std::string config(const std::string& state_dir, const std::string& heartbeats) {
  return server_section(state_dir) + heartbeats;
}

TEST(DaemonHeartbeats, PingsOverHttpWithTokenAndTheirRunsInHealth) {
  TempDir state;
  HaleProcess hale(config(state.path().string(), R"(
[heartbeats.backup]
period = "1h"
grace = "1h"
token = "env:HALE_TEST_PING_TOKEN"
)"));
  hale.set_env("HALE_TEST_PING_TOKEN", kPingToken);
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(heartbeat_state(hale, "backup"), "new");

  // Unknown names, bad suffixes, missing and wrong tokens.
  EXPECT_EQ(http_get(hale.url("/ping/nightly")).status, 404);
  EXPECT_EQ(http_get(hale.url("/ping/backup/nope")).status, 404);
  HttpReply r = http_get(hale.url("/ping/backup"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(http_get(hale.url("/ping/backup?token=wrong")).status, 401);
  EXPECT_EQ(heartbeat_state(hale, "backup"), "new");

  // The token as a query parameter (cron lines), then as a bearer header (hale exec).
  r = http_get(hale.url(std::string("/ping/backup/start?token=") + kPingToken));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK\n");
  EXPECT_EQ(heartbeat_state(hale, "backup"), "running");
  r = http_request("POST", hale.url("/ping/backup/3"), {std::string("Authorization: Bearer ") + kPingToken},
                   "dumping db...\npg_dump: error: connection refused\n");
  EXPECT_EQ(r.status, 200);

  // A critical heartbeat that is down fails /health; its entry says why and shows the run.
  r = http_get(hale.url("/health"));
  EXPECT_EQ(r.status, 503);
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], "fail");
  const nlohmann::json& e = j["heartbeats"]["backup"];
  EXPECT_EQ(e["status"], "fail");
  EXPECT_EQ(e["state"], "down");
  EXPECT_EQ(e["error"], "exit code 3");
  EXPECT_EQ(e["last_run"]["exit_code"], 3);
  EXPECT_EQ(e["last_run"]["output"], "dumping db...\npg_dump: error: connection refused\n");
  EXPECT_TRUE(e["last_run"]["duration_ms"].is_number());

  // /health/NAME answers for the heartbeat; a success brings it back up.
  EXPECT_EQ(http_get(hale.url("/health/backup")).status, 503);
  EXPECT_EQ(http_request("POST", hale.url(std::string("/ping/backup?token=") + kPingToken), {}, "ok\n").status, 200);
  r = http_get(hale.url("/health/backup"));
  EXPECT_EQ(r.status, 200);
  j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["state"], "up");
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["verdict"], "success");
  EXPECT_EQ(j["runs"][1]["verdict"], "exit code 3");

  const HttpReply metrics = http_get(hale.url("/metrics"));
  EXPECT_NE(metrics.body.find("hale_heartbeat_state{heartbeat=\"backup\",state=\"up\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("hale_heartbeat_pings_total{heartbeat=\"backup\",kind=\"exit_code\"} 1"),
            std::string::npos);

  // The token is nowhere: not in /health, the API, /metrics or the log.
  for (const std::string& body : {http_get(hale.url("/health")).body, http_get(hale.url("/api/v1/heartbeats")).body,
                                  metrics.body, hale.log()}) {
    EXPECT_EQ(body.find(kPingToken), std::string::npos);
  }
}

TEST(DaemonHeartbeats, ALongBodyIsTruncatedNeverRefusedAndItsEndIsJudged) {
  TempDir state;
  HaleProcess hale(config(state.path().string(), R"(
[heartbeats.export]
period = "1h"
fail_if_output_matches = "(?i)unauthorized"
)"));
  ASSERT_TRUE(hale.start()) << hale.log();
  // 3 MiB: three times max_body_bytes, which applies to the API, not to pings.
  std::string body(3 * 1024 * 1024, '.');
  body += "\nHTTP 401 Unauthorized\n";
  const HttpReply r = http_request("POST", hale.url("/ping/export/0"), {}, body, 20000);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json j = get_json(hale, "/api/v1/heartbeats/export");
  EXPECT_EQ(j["state"], "down");
  EXPECT_EQ(j["reason"], "output matched: HTTP 401 Unauthorized");
  const std::string output = j["runs"][0]["output"];
  EXPECT_LE(output.size(), 2048u);
  EXPECT_TRUE(output.ends_with("\nHTTP 401 Unauthorized\n"));
  // The same route still refuses nothing: a GET ping with no body works after it.
  EXPECT_EQ(http_get(hale.url("/ping/export")).status, 200);
}

TEST(DaemonHeartbeats, LateThenDownOnTheRealTimer) {
  TempDir state;
  HaleProcess hale(config(state.path().string(), R"(
[heartbeats.tick]
period = "2s"
grace = "2s"
critical = false
)"));
  ASSERT_TRUE(hale.start()) << hale.log();
  // Up for 2 s, late for 2 s, then down: each state lasts long enough to be seen at any speed.
  ASSERT_EQ(http_get(hale.url("/ping/tick")).status, 200);
  EXPECT_EQ(heartbeat_state(hale, "tick"), "up");
  EXPECT_TRUE(eventually([&] { return heartbeat_state(hale, "tick") == "late"; })) << hale.log();
  EXPECT_TRUE(eventually([&] { return heartbeat_state(hale, "tick") == "down"; })) << hale.log();
  // Not critical: /health degrades instead of failing; the transition is logged.
  const HttpReply r = http_get(hale.url("/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "degraded");
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"heartbeat_transition\"")) << hale.log();
  EXPECT_NE(hale.log().find("\"to\":\"down\""), std::string::npos);
}

TEST(DaemonHeartbeats, AnExitCodeOver255Is400AsHealthchecksIo) {
  // Issue 12: healthchecks.io answers /ping/NAME/256 (any code over 255) 400 "invalid url
  // format", after the 404 of an unknown name; leading zeros are the number.
  TempDir state;
  HaleProcess hale(config(state.path().string(), "[heartbeats.sync]\nperiod = \"1h\"\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  for (const char* code : {"256", "1000", "99999999999999999999"}) {
    const HttpReply r = http_get(hale.url(std::string("/ping/sync/") + code));
    EXPECT_EQ(r.status, 400) << code;
    EXPECT_EQ(r.body, "invalid url format\n") << code;
  }
  EXPECT_EQ(heartbeat_state(hale, "sync"), "new") << "a bad ping is no ping";
  EXPECT_EQ(http_get(hale.url("/ping/ghost/256")).status, 404);
  EXPECT_EQ(http_get(hale.url("/ping/sync/0003")).status, 200);
  EXPECT_EQ(heartbeat_state(hale, "sync"), "down") << "exit code 3 is a failed run";
}

TEST(DaemonHeartbeats, InTheReadyGroupItTakesPartInReadyz) {
  TempDir state;
  HaleProcess hale(config(state.path().string(), R"(
[heartbeats.sync]
period = "1h"
groups = ["ready"]
)"));
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  ASSERT_EQ(http_get(hale.url("/ping/sync/fail")).status, 200);
  const HttpReply r = http_get(hale.url("/readyz?verbose"));
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("[-]heartbeats/sync down: the job reported a failure"), std::string::npos) << r.body;
  EXPECT_EQ(http_get(hale.url("/readyz?exclude=heartbeats/sync")).status, 200);
}

TEST(DaemonHeartbeats, PauseAndResumeNeedTheAdminToken) {
  TempDir state;
  HaleProcess hale(config(state.path().string(), R"(
[heartbeats.backup]
period = "1h"
)"));
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(http_request("POST", hale.url("/api/v1/heartbeats/backup/pause")).status, 401);
  const std::string auth = std::string("Authorization: Bearer ") + kServiceToken;
  HttpReply r = http_request("POST", hale.url("/api/v1/heartbeats/backup/pause"), {auth});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["state"], "paused");
  EXPECT_EQ(heartbeat_state(hale, "backup"), "paused");
  EXPECT_EQ(http_request("POST", hale.url("/api/v1/heartbeats/nope/pause"), {auth}).status, 404);
  // A ping unpauses it (healthchecks.io's rule).
  ASSERT_EQ(http_get(hale.url("/ping/backup")).status, 200);
  EXPECT_EQ(heartbeat_state(hale, "backup"), "up");
}

TEST(DaemonHeartbeats, AReloadAddsAHeartbeat) {
  TempDir state;
  HaleProcess hale(config(state.path().string(), ""));
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(http_get(hale.url("/ping/report")).status, 404);
  EXPECT_EQ(get_json(hale, "/health").count("heartbeats"), 0u);
  hale.rewrite_config(config(state.path().string(), "[heartbeats.report]\nschedule = \"*/5 * * * *\"\n"));
  hale.signal(SIGHUP);
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"reloaded\"")) << hale.log();
  EXPECT_EQ(http_get(hale.url("/ping/report")).status, 200);
  EXPECT_EQ(heartbeat_state(hale, "report"), "up");
}

TEST(DaemonHeartbeats, StateSurvivesARestartAndAMissedRunIsNoticed) {
  TempDir state;
  const std::string text = config(state.path().string(), R"(
[heartbeats.backup]
period = "1h"
[heartbeats.quick]
period = "1s"
grace = "1s"
)");
  {
    HaleProcess first(text);
    ASSERT_TRUE(first.start()) << first.log();
    ASSERT_EQ(http_request("POST", first.url("/ping/backup/fail"), {}, "disk full\n").status, 200);
    ASSERT_EQ(http_get(first.url("/ping/quick")).status, 200);
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(), 0) << first.log();
  }
  // hale is away for longer than quick's period and grace: the absence is what is tested.
  std::this_thread::sleep_for(2500ms);
  HaleProcess second(text);
  ASSERT_TRUE(second.start()) << second.log();
  const nlohmann::json j = get_json(second, "/health");
  EXPECT_EQ(j["heartbeats"]["backup"]["state"], "down");
  EXPECT_EQ(j["heartbeats"]["backup"]["error"], "the job reported a failure");
  EXPECT_EQ(j["heartbeats"]["backup"]["last_run"]["output"], "disk full\n");
  EXPECT_EQ(j["heartbeats"]["quick"]["state"], "down");
  EXPECT_TRUE(j["heartbeats"]["quick"]["error"].get<std::string>().starts_with("no ping since the run expected at"));
}

}  // namespace
}  // namespace hale::testing
