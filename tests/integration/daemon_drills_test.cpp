// Drills against the real daemon (SPEC §7): `hale drill run` forces a real dependency's result,
// the fail-closed service is held, the drill's alert reaches only the notifier that takes
// drills, the table says wanted and seen, and everything is restored by the daemon, even when
// the CLI is killed and hale is reloaded mid-drill.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/service_helpers.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;

// The voice stack of SPEC §7: a guard model (a real port), an agent that must not run without
// it, a notifier that takes drills (ops) and one that does not (pager), and the drill.
std::string voice_stack(const std::string& state_dir, std::uint16_t guard_port, const TestHttpServer& hook,
                        const std::string& drill) {
  // failure_threshold 1 (tcp_check's): the forced state settles at the first forced probe.
  return alert_server_section(state_dir) + tcp_check("llama-guard", guard_port, "100ms") + R"(
[services.voice-agent]
command = )" + child_command({}) + R"(
require = ["llama-guard"]
)" + webhook_notifier("ops", hook.url("/ops"), "drills = true\n") + webhook_notifier("pager", hook.url("/pager")) +
         alert_rule("*", "ops") + alert_rule("*", "pager") + drill;
}

const char* kGuardDown = R"(
[drills.guard-down]
force = { llama-guard = "fail" }
duration = "2s"
expect = { readyz = 503, "services.voice-agent" = "stopped", "guard.llama-guard" = 503, alerts = ["ops"] }
)";

// The stack under a real hale with `drill` in its config, and a receiver for ops and pager.
struct VoiceStack {
  explicit VoiceStack(const std::string& drill)
      : hale(voice_stack(state.path().string(), guard.port(), receiver_for_ops_and_pager(hook), drill)) {}
  static const TestHttpServer& receiver_for_ops_and_pager(TestHttpServer& h) {
    h.set("/ops", TestResponse::ok());
    h.set("/pager", TestResponse::ok());
    return h;
  }
  TempDir state;
  TcpListener guard;
  TestHttpServer hook;
  HaleProcess hale;
};

void wait_until_running(const HaleProcess& hale) {
  ASSERT_TRUE(eventually([&] { return check_status(hale, "llama-guard") == "ok"; })) << hale.log();
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; })) << hale.log();
}

TEST(DaemonDrills, APassingDrillPrintsItsTableAlertsOnlyDrillNotifiersAndRestoresEverything) {
  VoiceStack stack(kGuardDown);
  HaleProcess& hale = stack.hale;
  TestHttpServer& hook = stack.hook;
  ASSERT_TRUE(hale.start()) << hale.log();
  wait_until_running(hale);
  const pid_t before = *pid_of(hale, "voice-agent");

  const CommandResult r = run_hale({"drill", "run", "guard-down", "-c", hale.config_path()}, 20s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << hale.log();
  EXPECT_THAT(r.out, HasSubstr("EXPECTATION"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("readyz +503 +503 +ok"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("services.voice-agent +stopped +stopped +ok"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("guard.llama-guard +503 +503 +ok"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("alerts +ops +ops +ok"));
  EXPECT_THAT(r.out, HasSubstr("drill guard-down passed"));

  // The drill's alert reached ops, marked; pager only has it recorded, with the reason.
  const auto ops = received_alerts(hook, "/ops");
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ(ops.front()["key"], "check/llama-guard/fail");
  EXPECT_EQ(ops.front()["drill"], "guard-down");
  EXPECT_THAT(ops.front()["message"].get<std::string>(), HasSubstr("drill guard-down: forced fail"));
  EXPECT_TRUE(received_alerts(hook, "/pager").empty());
  const auto recorded = deliveries(hale, "pager", "check/llama-guard/fail");
  ASSERT_FALSE(recorded.empty());
  EXPECT_EQ(recorded.back()["state"], "silenced");

  // Restored: the guard is probed for real again, the agent runs again (a new run, no budget
  // spent), and the drill's recovery is the drill's too.
  ASSERT_TRUE(eventually([&] { return check_status(hale, "llama-guard") == "ok"; }, 5s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  EXPECT_NE(*pid_of(hale, "voice-agent"), before);
  EXPECT_EQ(service_state(hale, "voice-agent")["restarts"], 0);
  EXPECT_FALSE(get_json(hale, "/health/llama-guard").contains("drill"));
  ASSERT_TRUE(eventually([&] { return received_alerts(hook, "/ops").size() >= 2; }, 5s));
  EXPECT_EQ(received_alerts(hook, "/ops")[1]["resolved"], true);
  EXPECT_EQ(received_alerts(hook, "/ops")[1]["drill"], "guard-down");
  EXPECT_TRUE(received_alerts(hook, "/pager").empty()) << "pager never heard of the drill";

  // Everything it caused is marked in the log.
  bool transition_marked = false;
  for (const json& t : log_events(hale, "transition")) {
    if (t["check"] == "llama-guard" && t["to"] == "fail") transition_marked = t.value("drill", "") == "guard-down";
  }
  EXPECT_TRUE(transition_marked) << hale.log();
  const json last = get_json(hale, "/api/v1/drills/guard-down")["drill"]["last_run"];
  EXPECT_EQ(last["state"], "passed");
  EXPECT_EQ(last["trigger"], "api");
  EXPECT_TRUE(last["settled_after_ms"].is_number());
}

TEST(DaemonDrills, AFailedExpectationExitsOneWithWantedAndSeen) {
  // A plan that is wrong: it says the agent keeps running and pager is paged.
  VoiceStack stack(R"(
[drills.wrong-plan]
force = { llama-guard = "fail" }
duration = "1500ms"
expect = { readyz = 503, "services.voice-agent" = "running", alerts = ["ops", "pager"] }
)");
  HaleProcess& hale = stack.hale;
  ASSERT_TRUE(hale.start()) << hale.log();
  wait_until_running(hale);
  const CommandResult r = run_hale({"drill", "run", "wrong-plan", "-c", hale.config_path()}, 20s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("readyz +503 +503 +ok"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("services.voice-agent +running +stopped +FAILED"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("alerts +ops, pager +ops +FAILED"));
  EXPECT_THAT(r.out, HasSubstr("drill wrong-plan failed"));

  // Bad calls: an unknown drill (exit 2, 404), and no token.
  const CommandResult unknown = run_hale({"drill", "run", "nope", "-c", hale.config_path()}, 10s);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no drill named \"nope\""));
  EXPECT_EQ(http_request("POST", hale.url("/api/v1/drills/wrong-plan/run")).status, 401);
}

TEST(DaemonDrills, TheDaemonEndsTheDrillThroughAKilledCliAndAReload) {
  VoiceStack stack(R"(
[drills.guard-down]
force = { llama-guard = "fail" }
duration = "8s"
expect = { readyz = 503 }
)");
  HaleProcess& hale = stack.hale;
  ASSERT_TRUE(hale.start()) << hale.log();
  wait_until_running(hale);

  // The CLI is killed 3 s into its run (run_hale's timeout kills it): long enough for a CLI under
  // a sanitizer on a loaded machine to have started the drill, well inside the drill's 8 s.
  const CommandResult killed = run_hale({"drill", "run", "guard-down", "-c", hale.config_path()}, 3s);
  EXPECT_NE(killed.exit_code, 0);
  ASSERT_TRUE(get_json(hale, "/api/v1/drills/guard-down")["drill"]["running"].is_object())
      << "the CLI did not start the drill within 3 s: " << killed.err;
  // A second drill is refused while this one runs.
  const HttpReply busy = admin_request("POST", hale.url("/api/v1/drills/guard-down/run"));
  EXPECT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(json::parse(busy.body)["error"]["code"], "drill_running");
  // hale is reloaded mid-drill.
  hale.signal(SIGHUP);
  ASSERT_TRUE(hale.wait_for_log("\"reloaded\""));
  EXPECT_EQ(check_status(hale, "llama-guard"), "fail") << "still forced after the reload";
  EXPECT_EQ(get_json(hale, "/health/llama-guard")["drill"], "guard-down");

  // The daemon ends it on time and restores everything.
  ASSERT_TRUE(eventually([&] {
    const json last = get_json(hale, "/api/v1/drills/guard-down")["drill"]["last_run"];
    return last.is_object() && last["state"] == "passed";
  }, 20s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "llama-guard") == "ok"; }, 5s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  EXPECT_TRUE(get_json(hale, "/api/v1/drills/guard-down")["drill"]["running"].is_null());
  const CommandResult list = run_hale({"drill", "list", "-c", hale.config_path()}, 10s);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, ::testing::ContainsRegex("guard-down +llama-guard=fail|guard-down +checks.llama-guard=fail"));
  EXPECT_THAT(list.out, HasSubstr("passed"));
}

TEST(DaemonDrills, AHeartbeatAndANotifierForcedDownRefuseUntilTheDrillEnds) {
  VoiceStack stack(R"(
[heartbeats.backup]
period = "1h"
[drills.backup-and-ops-down]
force = { backup = "fail", ops = "fail" }
duration = "1500ms"
expect = { "heartbeats.backup" = "down", "guard.backup" = 503, alerts = ["ops"] }
)");
  HaleProcess& hale = stack.hale;
  TestHttpServer& hook = stack.hook;
  ASSERT_TRUE(hale.start()) << hale.log();
  wait_until_running(hale);
  ASSERT_EQ(http_request("POST", hale.url("/ping/backup")).status, 200);
  ASSERT_EQ(http_get(hale.url("/guard/backup")).status, 204);

  const CommandResult r = run_hale({"drill", "run", "backup-and-ops-down", "-c", hale.config_path()}, 20s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << hale.log();
  // While ops was forced down its delivery was refused and retried, never received.
  bool refused = false;
  for (const json& line : log_events(hale, "alert_delivery_retry")) {
    if (line["notifier"] == "ops" && line.value("reason", "").find("forced to fail") != std::string::npos) refused = true;
  }
  EXPECT_TRUE(refused) << hale.log();
  // Restored: the heartbeat shows its real state again; ops gets what waited once a retry comes.
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/guard/backup")).status == 204; }, 5s)) << hale.log();
  EXPECT_EQ(get_json(hale, "/api/v1/heartbeats/backup")["state"], "up");
  ASSERT_TRUE(eventually([&] { return !received_alerts(hook, "/ops").empty(); }, 10s)) << hale.log();
  EXPECT_EQ(received_alerts(hook, "/ops").front()["key"], "heartbeat/backup/fail");
  EXPECT_EQ(received_alerts(hook, "/ops").front()["drill"], "backup-and-ops-down");
  EXPECT_TRUE(received_alerts(hook, "/pager").empty());
}

TEST(DaemonDrills, ACheckWhoseRetriesTheDrillSpentIsProbedAgainAfterIt) {
  TempDir state;
  TcpListener db;
  HaleProcess hale(alert_server_section(state.path().string()) + R"(
[checks.db]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(db.port()) + R"("
interval = "100ms"
failure_threshold = 1
backoff = { base = "50ms", max = "50ms", max_retries = 2 }
[drills.db-down]
force = { db = "fail" }
duration = "1s"
expect = { "checks.db" = "fail" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "db") == "ok"; })) << hale.log();
  const HttpReply started = admin_request("POST", hale.url("/api/v1/drills/db-down/run"));
  ASSERT_EQ(started.status, 202) << started.body;
  ASSERT_TRUE(hale.wait_for_log("\"probing_stopped\"", 5s)) << "the forced failures spent max_retries";
  ASSERT_TRUE(hale.wait_for_log("\"drill_ended\"", 5s)) << hale.log();
  // Restored: the real target is probed again and is ok, no reload needed.
  EXPECT_TRUE(eventually([&] { return check_status(hale, "db") == "ok"; }, 5s)) << hale.log();
}

// The one test that waits for the wall clock: a cron schedule fires on a minute boundary, so it
// takes up to a minute.
TEST(DaemonDrills, AScheduledDrillThatFailsIsAlertedAsDrillName) {
  VoiceStack stack(R"(
[drills.weekly]
force = { llama-guard = "fail" }
duration = "1s"
expect = { readyz = 200 }
schedule = "* * * * *"
)");
  HaleProcess& hale = stack.hale;
  TestHttpServer& hook = stack.hook;
  ASSERT_TRUE(hale.start()) << hale.log();
  wait_until_running(hale);
  // Both notifiers hear it: the rehearsal found a gap in the plan, which is real news.
  ASSERT_TRUE(eventually([&] { return !received_alerts(hook, "/pager").empty(); }, 75s)) << hale.log();
  const json alert = received_alerts(hook, "/pager").back();
  EXPECT_EQ(alert["key"], "drill/weekly/fail");
  EXPECT_EQ(alert["kind"], "drill");
  EXPECT_THAT(alert["message"].get<std::string>(), HasSubstr("readyz: wanted 200, seen 503"));
  EXPECT_FALSE(alert.contains("drill")) << "not a drill's alert: an alert about the drill";
  const json last = get_json(hale, "/api/v1/drills/weekly")["drill"]["last_run"];
  EXPECT_EQ(last["trigger"], "schedule");
  EXPECT_EQ(last["state"], "failed");
}

}  // namespace
}  // namespace hale::testing
