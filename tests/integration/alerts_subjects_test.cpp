// Heartbeats and services as alert subjects (SPEC §6: checks, services, heartbeats), end to
// end: a job that is late and then down, and a service that crashes until its restart budget
// is spent, each in its own words (late, down, backoff, failed).
#include <gtest/gtest.h>

#include <csignal>
#include <set>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

TEST(AlertsSubjects, AHeartbeatLateThenDownThenBackUp) {
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() +
                   "\n[heartbeats.backup]\nperiod = \"1s\"\ngrace = \"1s\"\n" +
                   hook.notifier("hook") + alert_rule("backup", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_EQ(http_get(hale.url("/ping/backup")).status, 200);
  ASSERT_TRUE(hook.wait_for_requests(2, 10s)) << hale.log();
  ASSERT_EQ(http_get(hale.url("/ping/backup")).status, 200);
  ASSERT_TRUE(hook.wait_for_requests(4, 10s)) << hale.log();
  const auto got = received_alerts(hook, "/hook");
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got[0]["key"], "heartbeat/backup/degraded");
  EXPECT_EQ(got[0]["kind"], "heartbeat");
  EXPECT_EQ(got[0]["state"], "late");
  EXPECT_EQ(got[1]["key"], "heartbeat/backup/fail");
  EXPECT_EQ(got[1]["state"], "down");
  EXPECT_EQ(got[1]["previous"], "degraded");
  std::set<std::string> resolved;
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(got[i]["resolved"], true) << got[i].dump();
    EXPECT_EQ(got[i]["state"], "up");
    resolved.insert(got[i]["key"].get<std::string>());
  }
  EXPECT_EQ(resolved, (std::set<std::string>{"heartbeat/backup/degraded", "heartbeat/backup/fail"}));
}

TEST(AlertsSubjects, AServiceThatSpendsItsRestartBudgetIsAnnouncedFailed) {
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + "\n[services.crasher]\ncommand = " +
                   child_command({"--exit-after", "300", "--exit-code", "3"}) +
                   "\nbackoff = { base = \"200ms\", max = \"200ms\" }\nrestart_budget = { max = 2, window = \"1m\" }\n" +
                   hook.notifier("hook") +
                   alert_rule("crasher", "hook", "flapping = { max_changes = 0, window = \"10m\" }\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return state_of(hale, "crasher") == "failed"; }, 15s)) << hale.log();
  ASSERT_TRUE(eventually([&] {
    for (const auto& a : received_alerts(hook, "/hook")) {
      if (a["key"] == "service/crasher/fail") return true;
    }
    return false;
  })) << hale.log();
  const auto got = received_alerts(hook, "/hook");
  // Each crash: degraded while it backs off, resolved when it runs again; then failed.
  const nlohmann::json& last = got.back();
  EXPECT_EQ(last["key"], "service/crasher/fail");
  EXPECT_EQ(last["kind"], "service");
  EXPECT_EQ(last["state"], "failed");
  EXPECT_NE(last["message"].get<std::string>().find("restart budget exhausted"), std::string::npos) << last.dump();
  EXPECT_EQ(got.front()["key"], "service/crasher/degraded");
  EXPECT_EQ(got.front()["state"], "backoff");
  EXPECT_NE(got.front()["message"].get<std::string>().find("crashed (exit code 3)"), std::string::npos);
}

// Regression (review): a service stopping was "degraded" (stopping while wanted), so hale's own
// SIGTERM, an operator's `hale restart` and a reload that removed a service each announced a
// warning and then its resolution, on every deploy.
TEST(AlertsSubjects, StoppingWithHaleAnOperatorRestartAndARemovalPageNobody) {
  TempDir state;
  WebhookReceiver hook;
  const std::string service = "\n[services.api]\ncommand = " + child_command({}) + "\nstop_timeout = \"2s\"\n";
  const std::string alerting = hook.notifier("hook") + alert_rule("*", "hook");
  {
    HaleProcess hale(alert_server_section(state.path().string()) + service + alerting);
    ASSERT_TRUE(hale.start()) << hale.log();
    ASSERT_TRUE(eventually([&] { return state_of(hale, "api") == "running"; })) << hale.log();
    // An operator's restart: stopping, starting, running again.
    ASSERT_EQ(admin_request("POST", hale.url("/api/v1/services/api/restart")).status, 200);
    ASSERT_TRUE(eventually([&] { return state_of(hale, "api") == "running"; })) << hale.log();
    // A reload that removes the service: it stops and goes.
    hale.rewrite_config(alert_server_section(state.path().string()) + alerting);
    ASSERT_EQ(admin_request("POST", hale.url("/api/v1/reload")).status, 200);
    ASSERT_TRUE(eventually([&] { return state_of(hale, "api").empty(); })) << hale.log();
    // And back, then hale itself stops (SIGTERM stops its services).
    hale.rewrite_config(alert_server_section(state.path().string()) + service + alerting);
    ASSERT_EQ(admin_request("POST", hale.url("/api/v1/reload")).status, 200);
    ASSERT_TRUE(eventually([&] { return state_of(hale, "api") == "running"; })) << hale.log();
    hale.signal(SIGTERM);
    ASSERT_EQ(hale.wait_exit(), 0) << hale.log();
  }
  // The next hale on the same state: nothing was left in the outbox to deliver either.
  HaleProcess again(alert_server_section(state.path().string()) + service + alerting);
  ASSERT_TRUE(again.start()) << again.log();
  ASSERT_TRUE(eventually([&] { return state_of(again, "api") == "running"; })) << again.log();
  quiet_period(1s);  // what was left in the outbox would have been sent by now
  EXPECT_TRUE(received_alerts(hook, "/hook").empty()) << hook.request_count("/hook") << " alerts";
  EXPECT_TRUE(deliveries(again, "hook").empty()) << again.log();
}

}  // namespace
}  // namespace hale::testing
