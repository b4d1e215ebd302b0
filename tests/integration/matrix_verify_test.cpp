// `hale matrix --verify` against the real daemon (SPEC §7): a drill per dependency, and a
// difference between the file's matrix and what the daemon does is found and named. Also the
// API it uses, POST /api/v1/drills, with the config's own error words for a bad drill.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

std::string stack(const std::string& state_dir, std::uint16_t guard_port, const TestHttpServer& hook,
                  const std::string& on_require_fail) {
  return alert_server_section(state_dir) + tcp_check("llama-guard", guard_port, "100ms") + R"(
[services.voice-agent]
command = )" + child_command({}) + R"(
require = ["llama-guard"]
on_require_fail = ")" + on_require_fail + R"("
stop_timeout = "1s"
)" + webhook_notifier("ops", hook.url("/ops"), "drills = true\n") + alert_rule("*", "ops");
}

TEST(MatrixVerify, TheMatrixHoldsAgainstTheDaemonThatRunsIt) {
  TempDir state;
  TcpListener guard;
  TestHttpServer hook;
  hook.set("/ops", TestResponse::ok());
  HaleProcess hale(stack(state.path().string(), guard.port(), hook, "stop"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; })) << hale.log();

  const CommandResult r = run_hale({"matrix", "-c", hale.config_path(), "--verify"}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << hale.log();
  EXPECT_THAT(r.out, HasSubstr("check llama-guard"));
  EXPECT_THAT(r.out, HasSubstr("as the matrix says"));
  EXPECT_THAT(r.out, HasSubstr("the matrix holds: 1 of 1 dependencies verified"));
  // The drill's alert went to ops, marked; afterwards the agent runs again.
  ASSERT_FALSE(received_alerts(hook, "/ops").empty());
  EXPECT_EQ(received_alerts(hook, "/ops").front()["drill"], "verify.check.llama-guard");
  EXPECT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s));
}

TEST(MatrixVerify, AFileThatNoLongerMatchesTheDaemonIsCaughtWhereItDiffers) {
  TempDir state;
  TcpListener guard;
  TestHttpServer hook;
  hook.set("/ops", TestResponse::ok());
  // The daemon runs the agent fail-open-ish ("unready"); the file now says "stop" but was never
  // reloaded: the checklist promises a stop that would not happen.
  HaleProcess hale(stack(state.path().string(), guard.port(), hook, "unready"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  hale.rewrite_config(stack(state.path().string(), guard.port(), hook, "stop"));

  const CommandResult r = run_hale({"matrix", "-c", hale.config_path(), "--verify", "--only", "llama-guard"}, 30s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err << hale.log();
  EXPECT_THAT(r.out, HasSubstr("DIFFERS"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("services.voice-agent +stopped +running"));
  EXPECT_THAT(r.out, HasSubstr("the matrix differs from the daemon for 1 of 1 dependencies"));

  const CommandResult unknown = run_hale({"matrix", "-c", hale.config_path(), "--verify", "--only", "nope"}, 10s);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no check or heartbeat named \"nope\""));
}

TEST(MatrixVerify, ADrillAskedForThroughTheApiIsCheckedAsTheConfigWouldBe) {
  TempDir state;
  TcpListener guard;
  TestHttpServer hook;
  HaleProcess hale(stack(state.path().string(), guard.port(), hook, "stop"));
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::string url = hale.url("/api/v1/drills");
  HttpReply bad = admin_request("POST", url, R"({"name":"x","force":{"llama-gaurd":"fail"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["error"]["message"],
            "`force`: no check, heartbeat or notifier named \"llama-gaurd\"; did you mean \"llama-guard\"?");
  EXPECT_EQ(admin_request("POST", url, "not json").status, 400);
  EXPECT_EQ(http_request("POST", url, {}, R"({"name":"x","force":{"llama-guard":"fail"}})").status, 401);

  HttpReply ok = admin_request("POST", url, R"({"name":"x","force":{"llama-guard":"fail"},"duration":"300ms",
                                                "expect":{"checks.llama-guard":"fail"}})");
  ASSERT_EQ(ok.status, 202) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["run"]["state"], "running");
  ASSERT_TRUE(eventually([&] {
    const json last = get_json(hale, "/api/v1/drills/x")["drill"]["last_run"];
    return last.is_object() && last["state"] == "passed";
  }, 5s)) << hale.log();
}

TEST(MatrixVerify, ADrillAskedForWithPageReachesEveryNotifierAndResolvesForThemToo) {
  TempDir state;
  TcpListener guard;
  TestHttpServer hook;
  hook.set("/ops", TestResponse::ok());
  hook.set("/pager", TestResponse::ok());
  // pager does not take drills: only `page` brings the drill's alerts to it.
  HaleProcess hale(stack(state.path().string(), guard.port(), hook, "stop") +
                   webhook_notifier("pager", hook.url("/pager")) + alert_rule("*", "pager"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "llama-guard") == "ok"; })) << hale.log();
  HttpReply r = admin_request("POST", hale.url("/api/v1/drills"),
                              R"({"name":"paging","force":{"llama-guard":"fail"},"duration":"500ms","page":true,
                                  "expect":{"alerts":["ops","pager"]}})");
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(eventually([&] {
    const json last = get_json(hale, "/api/v1/drills/paging")["drill"]["last_run"];
    return last.is_object() && last["state"] == "passed";
  }, 5s)) << hale.log();
  // Its resolution comes after its end, and pager, which was paged, gets it too.
  ASSERT_TRUE(eventually([&] { return received_alerts(hook, "/pager").size() >= 2; }, 5s)) << hale.log();
  EXPECT_EQ(received_alerts(hook, "/pager")[0]["drill"], "paging");
  EXPECT_EQ(received_alerts(hook, "/pager")[1]["resolved"], true);
}

}  // namespace
}  // namespace hale::testing
