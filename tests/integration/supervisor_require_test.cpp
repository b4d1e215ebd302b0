// `require` + on_require_fail against the real daemon (SPEC §7): a real process that must not
// run without a dependency on a real loopback port. "stop" (fail closed): held stopped while the
// dependency is down, started again by itself, no budget spent; "unready": the same process runs
// on, out of /readyz and with its guard closed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/service_helpers.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string voice_stack(const std::string& state_dir, std::uint16_t guard_port, const std::string& mode) {
  return server_section(state_dir) + R"(
[checks.llama-guard]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(guard_port) + R"("
interval = "100ms"
timeout = "300ms"
failure_threshold = 2
jitter = "0ms"

[services.voice-agent]
command = )" + child_command({}) + R"(
require = ["llama-guard"]
on_require_fail = ")" + mode + R"("
restart_budget = { max = 2, window = "1m" }
)";
}

TEST(SupervisorRequire, FailClosedNoRunWithoutTheGuardAndBackByItselfWithoutSpendingBudget) {
  TempDir state;
  const std::uint16_t port = free_port();
  HaleProcess hale(voice_stack(state.path().string(), port, "stop"));
  ASSERT_TRUE(hale.start()) << hale.log();

  // The guard is down at start-up: the agent never ran, and says why.
  json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "voice-agent");
    return j.is_object() && j["state"] == "stopped" && j["held"] == "held: llama-guard fail";
  }, 5s)) << j.dump();
  EXPECT_EQ(j["reason"], "held: llama-guard fail");
  EXPECT_EQ(j["wanted"], "start");
  EXPECT_TRUE(j["pid"].is_null());
  EXPECT_EQ(j["require"], json::array({"llama-guard"}));
  EXPECT_EQ(j["on_require_fail"], "stop");
  EXPECT_EQ(http_get(hale.url("/guard/voice-agent")).status, 503);

  // Three outages of the guard: each stops the agent and the guard's return starts it again.
  std::optional<TcpListener> guard;
  guard.emplace(port);
  std::set<pid_t> pids;
  for (int outage = 1; outage <= 3; ++outage) {
    SCOPED_TRACE("outage " + std::to_string(outage));
    std::optional<pid_t> pid;
    ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "voice-agent")).has_value(); }, 5s)) << hale.log();
    pids.insert(*pid);
    guard->close();
    ASSERT_TRUE(eventually([&] {
      j = service_state(hale, "voice-agent");
      return j.is_object() && j["state"] == "stopped";
    }, 5s)) << j.dump();
    EXPECT_EQ(j["reason"], "held: llama-guard fail");
    EXPECT_TRUE(eventually([&] { return proc_state(*pid) == 0; })) << "the held run is gone";
    guard->reopen();
  }
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s));
  j = service_state(hale, "voice-agent");
  EXPECT_EQ(pids.size(), 3u);
  EXPECT_EQ(j["restarts"], 0) << "a hold is not a restart";
  EXPECT_EQ(j["budget_left"], 2) << "a hold spends no budget (max 2: three outages would have spent it)";
  EXPECT_TRUE(j["held"].is_null());
}

TEST(SupervisorRequire, AnOperatorsStopOutlivesTheGuardComingBack) {
  TempDir state;
  const std::uint16_t port = free_port();
  TcpListener guard(port);
  HaleProcess hale(voice_stack(state.path().string(), port, "stop"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  ASSERT_EQ(service_action(hale, "voice-agent", "stop").status, 200);
  ASSERT_TRUE(eventually([&] { return state_of(hale, "voice-agent") == "stopped"; }, 5s));
  guard.close();
  ASSERT_TRUE(eventually([&] {
    return json::parse(http_get(hale.url("/health/llama-guard")).body, nullptr, false)["status"] == "fail";
  }));
  guard.reopen();
  ASSERT_TRUE(eventually([&] {
    return json::parse(http_get(hale.url("/health/llama-guard")).body, nullptr, false)["status"] == "ok";
  }));
  std::this_thread::sleep_for(300ms);  // the moment a wrong start would happen
  const json j = service_state(hale, "voice-agent");
  EXPECT_EQ(j["state"], "stopped");
  EXPECT_EQ(j["wanted"], "stop");
  EXPECT_TRUE(j["pid"].is_null());
}

TEST(SupervisorRequire, UnreadyRunsOnOutOfReadyzWithItsGuardClosed) {
  TempDir state;
  const std::uint16_t port = free_port();
  TcpListener guard(port);
  HaleProcess hale(voice_stack(state.path().string(), port, "unready"));
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> pid;
  ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "voice-agent")).has_value(); }, 5s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));
  EXPECT_EQ(http_get(hale.url("/guard/voice-agent")).status, 204);

  guard.close();
  json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "voice-agent");
    return j.is_object() && j["held"] == "held: llama-guard fail";
  }, 5s)) << j.dump();
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["reason"], "held: llama-guard fail");
  EXPECT_EQ(j["pid"], *pid) << "unready keeps the same process";
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 503);
  EXPECT_THAT(http_get(hale.url("/readyz?verbose")).body,
              ::testing::HasSubstr("[-]services/voice-agent not ready: running: held: llama-guard fail"));
  EXPECT_EQ(http_get(hale.url("/guard/voice-agent")).status, 503);

  guard.reopen();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }, 5s));
  EXPECT_EQ(pid_of(hale, "voice-agent"), pid);
  EXPECT_EQ(http_get(hale.url("/guard/voice-agent")).status, 204);
}

TEST(SupervisorRequire, AHeartbeatMayBeRequiredToo) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[heartbeats.model-sync]
period = "1s"
grace = "1s"

[services.voice-agent]
command = )" + child_command({}) + R"(
require = ["model-sync"]
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  // Never pinged: unknown, so a fail-closed service waits for it.
  json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "voice-agent");
    return j.is_object() && j["state"] == "starting";
  }, 5s)) << j.dump();
  EXPECT_EQ(j["reason"], "waiting for model-sync (required, unknown)");
  EXPECT_TRUE(j["pid"].is_null());
  ASSERT_EQ(http_get(hale.url("/ping/model-sync")).status, 200);
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
  // No more pings: late (still usable) after 1 s, down after 2 s: held.
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "voice-agent");
    return j.is_object() && j["state"] == "stopped";
  }, 8s)) << j.dump();
  EXPECT_EQ(j["reason"], "held: model-sync fail");
  ASSERT_EQ(http_get(hale.url("/ping/model-sync")).status, 200);
  EXPECT_TRUE(eventually([&] { return pid_of(hale, "voice-agent").has_value(); }, 5s)) << hale.log();
}

}  // namespace
}  // namespace hale::testing
