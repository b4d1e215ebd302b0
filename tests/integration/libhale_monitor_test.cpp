// hale::Monitor, hale::Guard and hale::Endpoints inside a test process (SPEC §7 libhale), on a
// real loopback dependency: on a thread of its own and on the caller's io_context, with the
// daemon's semantics (thresholds) and answers, and its transitions told once.
#include "hale/endpoints.h"
#include "hale/guard.h"
#include "hale/monitor.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include <nlohmann/json.hpp>

#include "support/eventually.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string runner_config(std::uint16_t port) {
  return R"(
[checks.docker-runner]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(port) + R"("
interval = "100ms"
timeout = "500ms"
failure_threshold = 2
jitter = "0ms"
)";
}

TEST(LibhaleMonitor, OnItsOwnThreadWithTheDaemonsThresholdsAndAnswers) {
  TcpListener runner;
  runner.close();  // down at start
  auto made = Monitor::from_toml(runner_config(runner.port()));
  ASSERT_TRUE(made) << made.status().message();
  Monitor& m = **made;
  std::mutex mu;
  std::vector<std::string> seen;
  m.on_transition([&](const DependencyStatus& d, Health from) {
    std::lock_guard lock(mu);
    seen.push_back(d.name + " " + std::string(to_string(from)) + "->" + std::string(to_string(d.state)));
  });
  const Guard guard(m, "docker-runner");
  const Endpoints endpoints(m, "svc");
  EXPECT_FALSE(guard.usable()) << "unknown before the first results";
  m.start();
  ASSERT_TRUE(eventually([&] { return m.dependency("docker-runner")->state == DependencyState::kDown; }, 5s));
  const DependencyStatus down = *m.dependency("docker-runner");
  EXPECT_EQ(down.health, Health::kFail);
  EXPECT_GE(down.consecutive_failures, 2) << "failure_threshold 2: never down after one failure";
  EXPECT_EQ(down.last_error, "connection refused");
  EXPECT_TRUE(down.last_failure.has_value());
  EXPECT_FALSE(down.last_success.has_value());
  EXPECT_TRUE(down.next_retry.has_value());
  EXPECT_EQ(down.guard_code, "docker_runner_not_ready");

  const EmbeddedResponse no = guard.answer();
  EXPECT_EQ(no.status, 503);
  EXPECT_EQ(no.body, R"({"error":{"code":"docker_runner_not_ready","message":"docker-runner not ready"}})");
  EXPECT_EQ(guard.error_json(), no.body);
  EXPECT_EQ(endpoints.readyz().status, 503);
  EXPECT_EQ(endpoints.livez().status, 200);
  const json health = json::parse(endpoints.health().body);
  EXPECT_EQ(health["service"], "svc");
  EXPECT_EQ(health["checks"]["docker-runner"]["status"], "fail");
  EXPECT_FALSE(endpoints.handle("GET", "/jobs").has_value()) << "the service's own routes are not ours";
  ASSERT_TRUE(endpoints.handle("GET", "/readyz?verbose").has_value());
  EXPECT_THAT(endpoints.handle("GET", "/readyz?verbose")->body, ::testing::HasSubstr("[-]docker-runner failed"));

  runner.reopen();
  ASSERT_TRUE(eventually([&] { return guard.usable(); }, 5s));
  EXPECT_EQ(guard.answer().status, 204);
  EXPECT_EQ(endpoints.readyz().status, 200);
  m.stop();
  std::lock_guard lock(mu);
  EXPECT_THAT(seen, ::testing::ElementsAre("docker-runner unknown->down", "docker-runner fail->up"));
}

TEST(LibhaleMonitor, OnTheCallersIoContext) {
  TcpListener runner;
  auto config = load_config_string(runner_config(runner.port()), "svc.toml");
  ASSERT_TRUE(config.config);
  boost::asio::io_context io;
  Monitor m(io, *config.config);
  int transitions = 0;
  m.on_transition([&](const DependencyStatus& d, Health) {
    if (d.state == DependencyState::kUp) ++transitions;
  });
  m.start();
  // The caller runs its loop; the monitor's work happens there (on this thread).
  boost::asio::steady_timer until(io, 5s);
  until.async_wait([&](const boost::system::error_code&) { io.stop(); });
  boost::asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    if (m.dependency("docker-runner") && m.dependency("docker-runner")->state == DependencyState::kUp) {
      m.stop();
      until.cancel();
      return;
    }
    poll.expires_after(20ms);
    poll.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) check();
    });
  };
  check();
  io.run();
  ASSERT_TRUE(m.dependency("docker-runner").has_value());
  EXPECT_EQ(m.dependency("docker-runner")->state, DependencyState::kUp);
  EXPECT_EQ(transitions, 1);
}

TEST(LibhaleMonitor, WhatNeedsTheDaemonIsRefusedNotIgnored) {
  auto made = Monitor::from_toml("[services.web]\ncommand = [\"./web\"]\n", "svc.toml");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.status().message(), "svc.toml: [services.web] needs the hale daemon; libhale runs [checks.NAME] only");
  auto bad = Monitor::from_toml("[checks.db]\ntype = \"tcp\"\n", "svc.toml");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("svc.toml:1:1:"));
}

}  // namespace
}  // namespace hale::testing
