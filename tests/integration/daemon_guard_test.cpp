// GET /guard/NAME against the real daemon (SPEC §7): a dependency on a real loopback port that is
// down at start-up, comes up and goes down again; the guard follows it without a restart of
// anything, with the guard's JSON and Retry-After while it is down.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

using nlohmann::json;

std::string guarded_runner(std::uint16_t runner_port) {
  return R"([server]
listen = "127.0.0.1:{PORT}"

[checks.docker-runner]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(runner_port) + R"("
interval = "200ms"
timeout = "300ms"
failure_threshold = 2
jitter = "0ms"
)";
}

TEST(DaemonGuard, ARouteGuardFollowsItsDependencyDownUpAndDownAgain) {
  const std::uint16_t port = free_port();
  HaleProcess hale(guarded_runner(port));
  ASSERT_TRUE(hale.start()) << hale.log();

  // Down at start-up: the guard fails closed, with the code derived from the name.
  ASSERT_TRUE(eventually([&] {
    return json::parse(http_get(hale.url("/health/docker-runner")).body, nullptr, false)["status"] == "fail";
  }));
  HttpReply down = http_get(hale.url("/guard/docker-runner"));
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.headers["content-type"], "application/json");
  EXPECT_EQ(down.headers["cache-control"], "no-store");
  EXPECT_EQ(json::parse(down.body),
            json::parse(R"({"error":{"code":"docker_runner_not_ready","message":"docker-runner not ready"}})"));
  const int retry_after = std::stoi(down.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 1);  // the next probe is at most 200 ms away, rounded up to a second

  // The runner comes up: the guard opens by itself, 204 and no body.
  TcpListener runner(port);
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/guard/docker-runner")).status == 204; }));
  HttpReply up = http_get(hale.url("/guard/docker-runner"));
  EXPECT_EQ(up.body, "");
  EXPECT_EQ(up.headers.count("content-length"), 0u);  // RFC 9110: a 204 has none

  // And down again: closed again after the failure threshold.
  runner.close();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/guard/docker-runner")).status == 503; }));
  EXPECT_EQ(http_get(hale.url("/guard/nothing")).status, 404);
  // A guard answers whatever Host a caller uses (a sidecar may use the pod's address).
  EXPECT_EQ(http_get(hale.url("/guard/docker-runner"), {"Host: 10.1.2.3:8099"}).status, 503);
}

}  // namespace
}  // namespace hale::testing
