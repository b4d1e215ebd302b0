// examples/guarded-service/service.py, a Python service, against the real daemon (SPEC §7): its
// dependency is down when it starts; it stays up, its guarded route answers hale's 503 JSON, its
// /health (fed by the event stream) says the dependency fails, and once the dependency is up the
// route works without a restart of anything.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(ExampleGuardedService, APythonServiceGuardsItsRouteThroughHaleAndFollowsItsEvents) {
  const std::uint16_t runner_port = free_port();
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[checks.docker-runner]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(runner_port) + R"("
interval = "200ms"
failure_threshold = 1
jitter = "0ms"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::uint16_t port = free_port();
  TestProcess service({"/usr/bin/python3", std::string(HALE_SOURCE_DIR) + "/examples/guarded-service/service.py",
                           "--hale", hale.url(""), "--dependency", "docker-runner", "--port", std::to_string(port)});
  ASSERT_TRUE(service.wait_for_output("guarded service on")) << service.err();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  // Down at start-up: the service is up, its route says why, with hale's JSON.
  HttpReply run;
  ASSERT_TRUE(eventually([&] { return (run = http_get(base + "/run")).status == 503; })) << run.body << service.err();
  EXPECT_EQ(json::parse(run.body),
            json::parse(R"({"error":{"code":"docker_runner_not_ready","message":"docker-runner not ready"}})"));
  EXPECT_FALSE(run.headers["retry-after"].empty());
  ASSERT_TRUE(eventually([&] {
    return json::parse(http_get(base + "/health").body, nullptr, false)["dependencies"]["docker-runner"]["status"] ==
           "fail";
  })) << http_get(base + "/health").body;

  // The runner comes up: the route works, the service learnt it from the event stream.
  TcpListener runner(runner_port);
  ASSERT_TRUE(eventually([&] { return http_get(base + "/run").status == 200; })) << service.err();
  EXPECT_EQ(json::parse(http_get(base + "/run").body)["ran"], true);
  ASSERT_TRUE(eventually([&] {
    return json::parse(http_get(base + "/health").body, nullptr, false)["dependencies"]["docker-runner"]["status"] == "ok";
  })) << http_get(base + "/health").body;
  EXPECT_TRUE(service.running()) << "never restarted";
}

}  // namespace
}  // namespace hale::testing
