// libhale as a C++ service uses it (SPEC §7, issue 13 item 9): this build is installed into a
// temporary prefix with `cmake --install`, examples/embedded is built against it with
// find_package(hale) (and again with pkg-config), so a mistake in what is installed fails here;
// then the service runs with its dependency down: it stays up, its guarded route answers the 503
// JSON, /health shows the dependency down with its retry data, and once the dependency is up the
// route works without a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;

struct ShellResult {
  int exit_code = -1;
  std::string output;
};

// `command` through the shell (the test's own fixed strings, with paths it made), its stdout and
// stderr together.
ShellResult run(const std::string& command) {
  ShellResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

TEST(LibhaleInstall, AServiceBuiltAgainstTheInstalledLibraryGuardsItsRouteUntilTheDependencyIsUp) {
  TempDir dir;
  const std::string prefix = (dir.path() / "prefix").string();
  const std::string build = (dir.path() / "build").string();
  const std::string cmake = quoted(HALE_CMAKE);

  const ShellResult install = run(cmake + " --install " + quoted(HALE_BUILD_DIR) + " --prefix " + quoted(prefix));
  ASSERT_EQ(install.exit_code, 0) << install.output;
  for (const char* installed : {"/include/hale/monitor.h", "/include/hale/guard.h", "/include/hale/endpoints.h",
                                "/lib/cmake/hale/haleConfig.cmake", "/lib/pkgconfig/hale.pc"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix + installed)) << installed;
  }
  const ShellResult configure = run(cmake + " -S " + quoted(std::string(HALE_SOURCE_DIR) + "/examples/embedded") + " -B " +
                            quoted(build) + " -G " + quoted(HALE_CMAKE_GENERATOR) + " -DCMAKE_PREFIX_PATH=" +
                            quoted(prefix) + " -DCMAKE_CXX_COMPILER=" + quoted(HALE_CXX_COMPILER));
  ASSERT_EQ(configure.exit_code, 0) << configure.output;
  const ShellResult compile = run(cmake + " --build " + quoted(build));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;

  // The same example through pkg-config, as a Makefile would build it.
  const ShellResult flags = run("PKG_CONFIG_PATH=" + quoted(prefix + "/lib/pkgconfig") + " pkg-config --cflags --libs hale");
  ASSERT_EQ(flags.exit_code, 0) << flags.output;
  EXPECT_THAT(flags.output, HasSubstr("-lhale"));
  const std::string pc_binary = (dir.path() / "embedded-pc").string();
  const ShellResult pc_build = run(quoted(HALE_CXX_COMPILER) + " -std=c++20 -o " + quoted(pc_binary) + " " +
                           quoted(std::string(HALE_SOURCE_DIR) + "/examples/embedded/main.cpp") + " $(PKG_CONFIG_PATH=" +
                           quoted(prefix + "/lib/pkgconfig") + " pkg-config --cflags --libs hale)");
  ASSERT_EQ(pc_build.exit_code, 0) << pc_build.output;

  // The runner is down when the service starts.
  const std::uint16_t port = free_port();
  const std::uint16_t runner_port = free_port();
  TestProcess service({build + "/embedded-service", std::to_string(port), std::to_string(runner_port)});
  ASSERT_TRUE(service.wait_for_output("listening on")) << service.out() << service.err();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(eventually([&] { return service.out().find("docker-runner: unknown -> fail") != std::string::npos; }, 5s))
      << service.out() << service.err();

  HttpReply jobs = http_get(base + "/jobs");
  EXPECT_EQ(jobs.status, 503);
  EXPECT_EQ(json::parse(jobs.body, nullptr, false),
            json::parse(R"({"error":{"code":"docker_runner_not_ready","message":"docker-runner not ready"}})"));
  EXPECT_TRUE(jobs.headers.count("retry-after")) << "a client is told when to ask again";
  HttpReply health = http_get(base + "/health");
  EXPECT_EQ(health.status, 503);
  const json runner = json::parse(health.body, nullptr, false)["checks"]["docker-runner"];
  EXPECT_EQ(runner["status"], "fail");
  EXPECT_EQ(runner["error"], "connection refused");
  EXPECT_GE(runner["consecutive_failures"].get<int>(), 2);
  EXPECT_TRUE(runner["last_failure"].is_string());
  EXPECT_TRUE(runner["next_check"].is_string()) << "the next retry";
  EXPECT_EQ(http_get(base + "/readyz").status, 503);
  EXPECT_EQ(http_get(base + "/livez").status, 200) << "the service itself is alive";
  EXPECT_TRUE(service.running()) << "the dependency down at start-up does not crash the service";

  // The runner comes up: the route works, the same process, no restart.
  TcpListener runner_up(runner_port);
  ASSERT_TRUE(eventually([&] { return http_get(base + "/jobs").status == 200; }, 10s)) << service.out();
  EXPECT_EQ(http_get(base + "/jobs").body, R"({"jobs":[]})");
  EXPECT_EQ(http_get(base + "/readyz").status, 200);
  EXPECT_TRUE(service.running());
  EXPECT_THAT(service.out(), HasSubstr("docker-runner: fail -> ok"));
  const json up = json::parse(http_get(base + "/health/docker-runner").body, nullptr, false);
  EXPECT_EQ(up["status"], "ok");
  EXPECT_TRUE(up["last_success"].is_string());
}

}  // namespace
}  // namespace hale::testing
