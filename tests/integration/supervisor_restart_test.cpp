// The supervisor healing real processes (SPEC §4): crash -> restart after backoff, a crash loop
// that spends its budget and stays failed, a health restart that waits for the stability
// period, and an operator's stop that survives a restart of hale.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "support/hale_process.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(Supervisor, CrashIsRestartedAfterItsBackoff) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.crasher]
command = )" + child_command({"--exit-after", "300", "--exit-code", "3"}) + R"(
backoff = { base = "2s", max = "2s", jitter = "0ms" }
restart_budget = { max = 100, window = "1m" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> first;
  ASSERT_TRUE(eventually([&] { return (first = pid_of(hale, "crasher")).has_value(); }, 5s)) << hale.log();

  // The last moment the first process was seen alive: its exit, and so the backoff, came later.
  // (A clock read before the look, so this holds however late the test sees the exit.)
  Clock::time_point last_alive;
  ASSERT_TRUE(eventually([&] {
    const auto now = Clock::now();
    if (!running(*first)) return true;
    last_alive = now;
    return false;
  }, 5s));
  // It exits with 3 after 300 ms: hale shows backoff (2 s of it, long enough to be seen at any
  // speed), the exit code, and when it will restart.
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "crasher");
    return j.value("state", "") == "backoff";
  }, 5s)) << hale.log();
  EXPECT_EQ(j["last_exit"]["code"], 3);
  EXPECT_TRUE(j["next_restart_at"].is_string()) << j.dump();
  EXPECT_TRUE(j["pid"].is_null());
  EXPECT_GE(j["restarts"].get<int>(), 1);
  EXPECT_EQ(j["restarts_by_reason"]["crash"], j["restarts"]);
  EXPECT_THAT(j["reason"].get<std::string>(), ::testing::HasSubstr("exit code 3"));
  // hale reaped the old process: no zombie left behind.
  EXPECT_TRUE(eventually([&] { return proc_state(*first) == 0; }));

  // A new process runs after the backoff, not before.
  std::optional<pid_t> second;
  ASSERT_TRUE(eventually([&] {
    second = pid_of(hale, "crasher");
    return second && *second != *first;
  }, 10s)) << hale.log();
  EXPECT_GE(Clock::now() - last_alive, 2s) << "restarted before its 2s backoff";
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"service_transition\""));
}

TEST(Supervisor, CrashLoopSpendsItsBudgetAndStaysFailed) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.looper]
command = )" + child_command({"--exit-code", "1", "--exit-after", "0"}) + R"(
backoff = { base = "50ms", max = "50ms", jitter = "0ms" }
restart_budget = { max = 3, window = "1m" }
stability_period = "30s"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "looper");
    return j.value("state", "") == "failed";
  }, 10s)) << hale.log();
  EXPECT_EQ(j["restarts"], 3);
  EXPECT_EQ(j["budget_left"], 0);
  EXPECT_EQ(j["wanted"], "start");
  EXPECT_THAT(j["reason"].get<std::string>(), ::testing::HasSubstr("restart budget exhausted"));
  // Failed means no more restarts. A restart would come 50 ms after an exit: eight backoffs
  // without one. (Absence can only be shown by waiting.)
  std::this_thread::sleep_for(400ms);
  j = service_state(hale, "looper");
  EXPECT_EQ(j["state"], "failed");
  EXPECT_EQ(j["restarts"], 3);
  // It says so in /health (a failed service without readiness degrades the whole) and metrics.
  HttpReply health = http_get(hale.url("/health"));
  nlohmann::json h = nlohmann::json::parse(health.body);
  EXPECT_EQ(h["services"]["looper"]["state"], "failed");
  EXPECT_EQ(h["status"], "degraded");
  HttpReply metrics = http_get(hale.url("/metrics"));
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("hale_service_state{service=\"looper\",state=\"failed\"} 1"));
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("hale_service_restarts_total{service=\"looper\",reason=\"crash\"} 3"));

  // An operator's start gives it a fresh budget.
  ASSERT_EQ(service_action(hale, "looper", "start").status, 200);
  EXPECT_TRUE(eventually([&] { return service_state(hale, "looper")["restarts"].get<int>() > 3; }, 5s));
}

TEST(Supervisor, LivenessFailureRestartsOnlyAfterTheStabilityPeriod) {
  TempDir state;
  const std::uint16_t port = free_port();
  const std::string health_file = state.write("health", "bad");  // unhealthy from the start
  HaleProcess hale(server_section(state.path().string()) + R"(
[checks.api-live]
type = "http"
url = "http://127.0.0.1:)" + std::to_string(port) + R"(/"
interval = "100ms"
timeout = "200ms"
failure_threshold = 2
groups = []

[services.api]
command = )" + child_command({"--http-port", std::to_string(port), "--health-file", health_file}) + R"(
liveness = "api-live"
stability_period = "2s"
backoff = { base = "0s", max = "0s", jitter = "0ms" }
)");
  const auto started = Clock::now();
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> first;
  ASSERT_TRUE(eventually([&] { return (first = pid_of(hale, "api")).has_value(); }, 5s));

  // The liveness check fails within a few probes, but inside the stability period the service
  // is only marked unhealthy.
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "api");
    return j.value("state", "") == "unhealthy";
  }, 5s)) << hale.log();
  EXPECT_THAT(j["reason"].get<std::string>(), ::testing::HasSubstr("stability period"));
  EXPECT_EQ(j["pid"], *first);
  EXPECT_EQ(j["restarts"], 0);

  // Past it, the service is restarted for its liveness.
  std::optional<pid_t> second;
  ASSERT_TRUE(eventually([&] {
    second = pid_of(hale, "api");
    return second && *second != *first;
  }, 10s)) << hale.log();
  EXPECT_GE(Clock::now() - started, 1900ms) << "health restart inside the stability period";
  j = service_state(hale, "api");
  EXPECT_EQ(j["restarts_by_reason"]["liveness"], 1);

  // The restarted service starts from `unknown`: healthy now, it is not restarted again, not even
  // for the failures its liveness check saw before: once that check passes again, the same
  // process runs.
  state.write("health", "ok");
  ASSERT_TRUE(eventually([&] { return service_state(hale, "api").value("state", "") == "running"; }, 5s))
      << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto c = nlohmann::json::parse(http_get(hale.url("/health/api-live")).body, nullptr, false);
    return c.is_object() && c["status"] == "ok";
  })) << hale.log();
  EXPECT_EQ(pid_of(hale, "api"), second);
}

TEST(Supervisor, ASickServiceIsRestartedAtMostItsBudgetThenStaysFailed) {
  // Issue 12, as a new user met it: a liveness check that fails for good, a budget of 2 in a
  // minute and a stability period of 2 s. Before, every run counted as stable (no health restart
  // comes sooner than the stability period) and gave the budget back: restarted for ever. Now:
  // restarted twice, then failed, and it stays so.
  TempDir state;
  const std::uint16_t port = free_port();
  const std::string health_file = state.write("health", "bad");  // sick, for good
  HaleProcess hale(server_section(state.path().string()) + R"(
[checks.api-live]
type = "http"
url = "http://127.0.0.1:)" + std::to_string(port) + R"(/"
interval = "100ms"
timeout = "200ms"
failure_threshold = 2
groups = []

[services.api]
command = )" + child_command({"--http-port", std::to_string(port), "--health-file", health_file}) + R"(
liveness = "api-live"
stability_period = "2s"
restart_budget = { max = 2, window = "1m" }
backoff = { base = "100ms", max = "1s", jitter = "0ms" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "api");
    return j.value("state", "") == "failed";
  }, 20s)) << j.dump() << hale.log();
  EXPECT_EQ(j["restarts"], 2);
  EXPECT_EQ(j["restarts_by_reason"]["liveness"], 2);
  EXPECT_EQ(j["budget_left"], 0);
  EXPECT_TRUE(j["pid"].is_null());
  EXPECT_THAT(j["reason"].get<std::string>(), ::testing::HasSubstr("restart budget exhausted (2 restarts in 1m)"));
  // Longer than a stability period and a backoff: a fourth run would have started by now.
  std::this_thread::sleep_for(3s);
  j = service_state(hale, "api");
  EXPECT_EQ(j["state"], "failed") << j.dump();
  EXPECT_EQ(j["restarts"], 2);
  EXPECT_EQ(hale.log().find("service_illegal_transition"), std::string::npos) << hale.log();
}

TEST(Supervisor, OperatorStopSurvivesARestartOfHale) {
  TempDir state;
  const std::string config = server_section(state.path().string()) + R"(
[services.worker]
command = )" + child_command({}) + R"(
restart = "always"
)";
  std::optional<pid_t> pid;
  {
    HaleProcess hale(config);
    ASSERT_TRUE(hale.start()) << hale.log();
    ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "worker")).has_value(); }, 5s)) << hale.log();

    // The API asks for the token, knows its services, and says when an action makes no sense.
    EXPECT_EQ(service_action(hale, "worker", "stop", "").status, 401);
    EXPECT_EQ(service_action(hale, "worker", "stop", "wrong").status, 401);
    EXPECT_EQ(service_action(hale, "nobody", "stop").status, 404);
    EXPECT_EQ(service_action(hale, "worker", "start").status, 409);

    HttpReply stop = service_action(hale, "worker", "stop");
    ASSERT_EQ(stop.status, 200) << stop.body;
    EXPECT_EQ(nlohmann::json::parse(stop.body)["state"], "stopping");
    ASSERT_TRUE(eventually([&] { return state_of(hale, "worker") == "stopped"; }, 5s)) << hale.log();
    EXPECT_FALSE(running(*pid));
    EXPECT_EQ(service_state(hale, "worker")["wanted"], "stop");
    EXPECT_EQ(service_action(hale, "worker", "stop").status, 409);
    EXPECT_EQ(service_action(hale, "worker", "restart").status, 409);  // stopped: start it instead
    hale.signal(SIGTERM);
    ASSERT_EQ(hale.wait_exit(), 0);
  }
  // A new hale on the same state_dir: restart = "always", yet the operator's stop holds.
  HaleProcess again(config);
  ASSERT_TRUE(again.start()) << again.log();
  // The moment a wrong start would happen: right after start-up. Absence can only be shown by
  // waiting.
  std::this_thread::sleep_for(500ms);
  nlohmann::json j = service_state(again, "worker");
  EXPECT_EQ(j["state"], "stopped");
  EXPECT_EQ(j["wanted"], "stop");
  EXPECT_TRUE(j["pid"].is_null());

  // Until an operator starts it.
  ASSERT_EQ(service_action(again, "worker", "start").status, 200);
  EXPECT_TRUE(eventually([&] { return state_of(again, "worker") == "running"; }, 5s)) << again.log();
  EXPECT_EQ(service_state(again, "worker")["wanted"], "start");
}

TEST(Supervisor, HaleStopStopsItsServicesButKeepsThemWanted) {
  TempDir state;
  const std::string config = server_section(state.path().string()) + R"(
[services.worker]
command = )" + child_command({}) + "\n";
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> pid;
  ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "worker")).has_value(); }, 5s));
  hale.signal(SIGTERM);
  ASSERT_EQ(hale.wait_exit(), 0) << hale.log();
  EXPECT_FALSE(running(*pid));

  HaleProcess again(config);
  ASSERT_TRUE(again.start()) << again.log();
  EXPECT_TRUE(eventually([&] { return state_of(again, "worker") == "running"; }, 5s)) << again.log();
}

}  // namespace
}  // namespace hale::testing
