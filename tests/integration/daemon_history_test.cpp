// SPEC §10 history and incidents through the real hale binary: an outage becomes an incident
// whose story (failing results, transition, the alert and each delivery attempt, the recovery)
// comes back from the API and from `hale why` with its times; results and downtime are counted
// in the history and uptime, downtime under a silence as maintenance; history survives a clean
// restart whole and a kill -9 but for its last second; bad input answers 400, unknown names 404.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

nlohmann::json api_json(const HaleProcess& hale, const std::string& path, int want = 200) {
  const HttpReply r = http_get(hale.url(path));
  EXPECT_EQ(r.status, want) << path << ": " << r.body;
  if (r.body.empty() || r.body[0] != '{') return nullptr;
  return nlohmann::json::parse(r.body);
}

nlohmann::json incidents_of(const HaleProcess& hale, const std::string& name) {
  return api_json(hale, "/api/v1/incidents?name=" + name).value("incidents", nlohmann::json::array());
}

// The sum of a field over the points of /api/v1/history/NAME (default: the last 24 hours).
double history_sum(const HaleProcess& hale, const std::string& name, const std::string& field) {
  double sum = 0;
  for (const auto& p : api_json(hale, "/api/v1/history/" + name).value("points", nlohmann::json::array())) {
    if (p[field].is_number()) sum += p[field].template get<double>();
  }
  return sum;
}

std::vector<std::string> timeline_types(const nlohmann::json& incident) {
  std::vector<std::string> types;
  for (const auto& e : incident["timeline"]) types.push_back(e.value("type", ""));
  return types;
}

TEST(DaemonHistory, AnOutageIsAnIncidentWithItsWholeStoryAndItsTimes) {
  TcpListener db;
  WebhookReceiver hook;
  // The first delivery is refused: the story must show that attempt and the one accepted.
  hook.push_once("/hook", TestResponse::with_status(503, "busy"));
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   hook.notifier("hook", "retry = { base = \"200ms\", max = \"1s\" }\n") + alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();

  db.close();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"sent"})) << hale.log();
  db.reopen();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();
  // The incident is written within a second or two (one write a second).
  nlohmann::json list;
  ASSERT_TRUE(eventually([&] {
    list = incidents_of(hale, "db");
    return list.size() == 1 && list[0]["status"] == "resolved";
  })) << list.dump();
  const nlohmann::json& summary = list[0];
  EXPECT_EQ(summary["kind"], "check");
  EXPECT_EQ(summary["worst"], "fail");
  EXPECT_EQ(summary["cause"], "connection refused");
  ASSERT_TRUE(summary["alerted_at"].is_string()) << summary.dump();
  EXPECT_GE(summary["time_to_detect_seconds"].get<double>(), 0);
  // The first attempt was refused: it took a retry (200 ms or more) to alert.
  EXPECT_GE(summary["time_to_alert_seconds"].get<double>(), 0.15);
  EXPECT_GT(summary["time_to_recover_seconds"].get<double>(), 0);

  nlohmann::json one = api_json(hale, "/api/v1/incidents/" + std::to_string(summary["id"].get<long long>()));
  ASSERT_TRUE(one.contains("incident")) << one.dump();
  const nlohmann::json& story = one["incident"];
  const std::vector<std::string> types = timeline_types(story);
  // In order: the failing result, the transition it caused, the alert and its two attempts,
  // then the recovery (the resolution's alert may still be on its way).
  ASSERT_GE(types.size(), 6u) << story.dump(2);
  EXPECT_EQ(types[0], "result");
  EXPECT_EQ(types[1], "transition");
  EXPECT_NE(std::find(types.begin(), types.end(), "alert"), types.end()) << story.dump(2);
  int attempts = 0;
  bool refused_seen = false;
  for (const auto& e : story["timeline"]) {
    if (e["type"] != "delivery") continue;
    ++attempts;
    if (e["text"].get<std::string>().find("503") != std::string::npos) refused_seen = true;
  }
  EXPECT_GE(attempts, 2) << story.dump(2);
  EXPECT_TRUE(refused_seen) << "the refused attempt is part of the story: " << story.dump(2);
  std::string last_transition;
  for (const auto& e : story["timeline"]) {
    if (e["type"] == "transition") last_transition = e["text"];
  }
  EXPECT_EQ(last_transition.rfind("fail -> ok", 0), 0u) << last_transition;
  std::string previous;
  for (const auto& e : story["timeline"]) {
    EXPECT_LE(previous, e["at"].get<std::string>()) << "the story is in order";
    previous = e["at"];
  }

  // The same story from the CLI.
  const CommandResult why = run_hale({"why", "db", "-c", hale.config_path()});
  EXPECT_EQ(why.exit_code, 0) << why.err;
  EXPECT_NE(why.out.find("check db: incident"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("time to alert"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("503"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("fail -> ok"), std::string::npos) << why.out;
  // --at a time before hale started: no incident was open then.
  const CommandResult before = run_hale({"why", "db", "--at", "-1d", "-c", hale.config_path()});
  EXPECT_EQ(before.exit_code, 1) << before.out << before.err;
  EXPECT_NE(before.out.find("no incident"), std::string::npos) << before.out;
  const CommandResult unknown = run_hale({"why", "nope", "-c", hale.config_path()});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out << unknown.err;
}

TEST(DaemonHistory, ResultsAndDowntimeAreCountedAndASilencedOutageIsMaintenance) {
  TestHttpServer api;
  api.set("/", TestResponse::ok("up"));
  TcpListener db;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) + R"(
[checks.api]
type = "http"
url = ")" + api.url("/") + R"("
interval = "200ms"
jitter = "0ms"
failure_threshold = 1
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "api", "ok")) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();
  ASSERT_TRUE(eventually([&] { return history_sum(hale, "api", "count") >= 10; })) << hale.log();
  // Every probe the server saw is a result in the history (the ones in flight aside).
  const double counted = history_sum(hale, "api", "count");
  EXPECT_NEAR(counted, static_cast<double>(api.request_count("/")), 2.0);
  EXPECT_EQ(history_sum(hale, "api", "failures"), 0);

  // db silenced, then down for 2 s: maintenance, not downtime.
  HttpReply silence = http_request("POST", hale.url("/api/v1/silences"),
                                   {std::string("Authorization: Bearer ") + kAlertAdminToken, "Content-Type: application/json"},
                                   R"({"matchers":[{"name":"subject","value":"db"}],"duration":"1h","comment":"migration"})");
  ASSERT_EQ(silence.status, 201) << silence.body;
  db.close();
  ASSERT_TRUE(wait_for_check(hale, "db", "fail")) << hale.log();
  std::this_thread::sleep_for(2500ms);  // the outage must last: what is measured is its length
  nlohmann::json u = api_json(hale, "/api/v1/uptime/db?window=24h");
  EXPECT_EQ(u["window"], "24h");
  EXPECT_GE(u["maintenance_seconds"].get<double>(), 1) << u.dump();
  EXPECT_LE(u["down_seconds"].get<double>(), 1) << u.dump();
  EXPECT_GT(u["unknown_seconds"].get<double>(), 80000) << "a day of which hale saw seconds: " << u.dump();

  // api down without a silence: downtime, and uptime below 1.
  api.set("/", TestResponse::with_status(503, "down"));
  ASSERT_TRUE(wait_for_check(hale, "api", "fail")) << hale.log();
  std::this_thread::sleep_for(2500ms);  // as above: the outage's length is what is measured
  nlohmann::json all = api_json(hale, "/api/v1/uptime/api");
  for (const char* w : {"24h", "7d", "30d", "90d", "365d"}) {
    ASSERT_TRUE(all["windows"].contains(w)) << all.dump();
    EXPECT_GE(all["windows"][w]["down_seconds"].get<double>(), 1) << w << ": " << all.dump();
    EXPECT_LT(all["windows"][w]["uptime"].get<double>(), 1.0) << w;
    EXPECT_GT(all["windows"][w]["uptime"].get<double>(), 0.0) << w;
  }
  EXPECT_GT(history_sum(hale, "api", "failures"), 0);

  // The overview has every check with 90 days and 24 hours.
  nlohmann::json overview = api_json(hale, "/api/v1/overview");
  ASSERT_EQ(overview["subjects"].size(), 2u) << overview.dump();
  for (const auto& s : overview["subjects"]) {
    EXPECT_EQ(s["daily_uptime"].size(), 90u);
    EXPECT_EQ(s["latency_ms"].size(), 24u);
    EXPECT_TRUE(s["daily_uptime"].back().is_number()) << s.dump();
  }
}

TEST(DaemonHistory, HistorySurvivesACleanRestartWholeAndAKillMinus9ButForItsLastSecond) {
  TcpListener db;
  const std::string config = alert_server_section() + tcp_check("db", db.port());
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return history_sum(hale, "db", "count") >= 5; })) << hale.log();
  db.close();
  ASSERT_TRUE(wait_for_check(hale, "db", "fail")) << hale.log();
  ASSERT_TRUE(eventually([&] { return incidents_of(hale, "db").size() == 1; })) << hale.log();

  // A clean stop writes the current minute: its results are there after the restart.
  const double before = history_sum(hale, "db", "count");
  hale.signal(SIGTERM);
  ASSERT_TRUE(hale.wait_exit().has_value());
  db.reopen();
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_GE(history_sum(hale, "db", "count"), before);
  // The incident left open is ended by the first ok after the restart.
  ASSERT_TRUE(eventually([&] {
    auto list = incidents_of(hale, "db");
    return list.size() == 1 && list[0]["status"] == "resolved";
  })) << incidents_of(hale, "db").dump();

  // kill -9: what was written more than a second before is all there.
  db.close();
  ASSERT_TRUE(wait_for_check(hale, "db", "fail")) << hale.log();
  ASSERT_TRUE(eventually([&] { return incidents_of(hale, "db").size() == 2; })) << hale.log();
  hale.signal(SIGKILL);
  ASSERT_TRUE(hale.wait_exit().has_value());
  ASSERT_TRUE(hale.start()) << hale.log();
  auto list = incidents_of(hale, "db");
  ASSERT_EQ(list.size(), 2u) << list.dump();
  EXPECT_EQ(list[0]["status"], "open") << "still failing after the restart";
  EXPECT_EQ(list[1]["status"], "resolved");
}

TEST(DaemonHistory, BadInputAnswers400UnknownNames404AndAHistoryTurnedOff503) {
  TcpListener db;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()));
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::pair<const char*, int> cases[] = {
      {"/api/v1/history/db?from=yesterday", 400},
      {"/api/v1/history/db?from=2026-13-01T00:00:00Z", 400},
      {"/api/v1/history/db?from=-1h&to=-2h", 400},
      {"/api/v1/history/db?to=2999-01-01T00:00:00Z", 400},
      {"/api/v1/history/db?from=-100000000d", 400},
      {"/api/v1/incidents?at=99999999999", 400},
      {"/api/v1/history/db?step=week", 400},
      {"/api/v1/history/db?from=-10d&step=minute", 400},  // minutes are kept 48 h
      {"/api/v1/history/db?kind=pod", 400},
      {"/api/v1/uptime/db?window=2w", 400},
      {"/api/v1/incidents?limit=0", 400},
      {"/api/v1/incidents?limit=abc", 400},
      {"/api/v1/incidents?at=soon", 400},
      {"/api/v1/incidents/abc", 400},
      {"/api/v1/history/nope", 404},
      {"/api/v1/uptime/nope", 404},
      {"/api/v1/incidents?name=nope", 404},
      {"/api/v1/incidents/999", 404},
      {"/api/v1/history/db?from=-1h&step=minute", 200},
      {"/api/v1/history/db?from=-30d", 200},
      {"/api/v1/history/db?from=-400d&step=day", 200},
      {"/api/v1/uptime/db?window=365d", 200},
  };
  for (const auto& [path, status] : cases) {
    const HttpReply r = http_get(hale.url(path));
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    if (status == 400) {
      const auto j = nlohmann::json::parse(r.body, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << r.body;
      EXPECT_EQ(j["error"]["code"], "bad_request") << path;
      EXPECT_FALSE(j["error"]["message"].get<std::string>().empty()) << path;
    }
  }
  // A retention shorter than its roll-up needs is refused at load, at its line.
  HaleProcess bad(alert_server_section() + "\n[history]\nminutes = \"10m\"\n");
  const CommandResult v = run_hale({"validate", "-c", bad.config_path()});
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("hale.toml:7:11: `minutes` must be at least 2h"), std::string::npos) << v.err;

  HaleProcess off(alert_server_section() + tcp_check("db", db.port()) + "\n[history]\nenabled = false\n");
  ASSERT_TRUE(off.start()) << off.log();
  EXPECT_EQ(http_get(off.url("/api/v1/history/db")).status, 503);
  EXPECT_EQ(http_get(off.url("/api/v1/incidents")).status, 503);
  EXPECT_EQ(http_get(off.url("/api/v1/overview")).status, 200) << "the overview still lists what there is";
}

TEST(DaemonHistory, AHeartbeatsHistoryIsItsRunsWithDurationAndExitCode) {
  HaleProcess hale(alert_server_section() + R"(
[heartbeats.backup]
period = "1h"
grace = "1h"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_EQ(http_get(hale.url("/ping/backup/start")).status, 200);
  std::this_thread::sleep_for(50ms);  // a run that takes time: its duration is measured
  ASSERT_EQ(http_get(hale.url("/ping/backup/0")).status, 200);
  ASSERT_EQ(http_get(hale.url("/ping/backup/3")).status, 200);
  nlohmann::json h;
  ASSERT_TRUE(eventually([&] {
    h = api_json(hale, "/api/v1/history/backup");
    return h.value("runs", nlohmann::json::array()).size() == 2;
  })) << h.dump();
  EXPECT_EQ(h["kind"], "heartbeat");
  const auto& runs = h["runs"];
  EXPECT_EQ(runs[0]["exit_code"], 0);
  EXPECT_EQ(runs[0]["success"], true);
  EXPECT_GE(runs[0]["duration_ms"].get<double>(), 50);
  EXPECT_EQ(runs[1]["exit_code"], 3);
  EXPECT_EQ(runs[1]["success"], false);
  EXPECT_EQ(history_sum(hale, "backup", "count"), 2);
  EXPECT_EQ(history_sum(hale, "backup", "failures"), 1);
  ASSERT_TRUE(eventually([&] { return incidents_of(hale, "backup").size() == 1; }));
  EXPECT_EQ(incidents_of(hale, "backup")[0]["cause"], "exit code 3");
}

}  // namespace
}  // namespace hale::testing
