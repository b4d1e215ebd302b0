// Reload by SIGHUP and by POST /api/v1/reload: a good file takes effect, a bad one keeps the
// running config and logs the error with its position.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

std::string config_with(const std::string& checks) {
  return R"([server]
listen = "127.0.0.1:{PORT}"
admin_token = "env:HALE_RELOAD_TEST_TOKEN"

[defaults]
interval = "200ms"
timeout = "500ms"
)" + checks;
}

std::string tcp_check(const std::string& name, std::uint16_t port) {
  return "\n[checks." + name + "]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(port) +
         "\"\n";
}

TEST(DaemonReload, SighupAddsChecksAndKeepsRunningConfigOnError) {
  setenv("HALE_RELOAD_TEST_TOKEN", "reload-secret-1", 1);
  TcpListener target;
  HaleProcess hale(config_with(tcp_check("a", target.port())));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));
  EXPECT_EQ(http_get(hale.url("/health/b")).status, 404);

  hale.rewrite_config(config_with(tcp_check("a", target.port()) + tcp_check("b", target.port())));
  hale.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/health/b")).status != 404; }));
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"reloaded\""));
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));

  // A bad file: the error names file, line and column; both checks keep running.
  hale.rewrite_config(config_with(tcp_check("a", target.port()) + "intervall = \"1s\"\n"));
  hale.signal(SIGHUP);
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"reload_failed\""));
  EXPECT_NE(hale.log().find(hale.config_path() + ":12:1: unknown key"), std::string::npos)
      << hale.log();
  EXPECT_NE(http_get(hale.url("/health/b")).status, 404);
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  auto m = http_get(hale.url("/metrics")).body;
  EXPECT_NE(m.find("hale_config_reload_failures_total 1"), std::string::npos);
  EXPECT_NE(m.find("hale_config_reloads_total 1"), std::string::npos);
}

TEST(DaemonReload, ApiReloadNeedsBearerToken) {
  setenv("HALE_RELOAD_TEST_TOKEN", "reload-secret-2", 1);
  TcpListener target;
  HaleProcess hale(config_with(tcp_check("a", target.port())));
  ASSERT_TRUE(hale.start()) << hale.log();

  EXPECT_EQ(http_request("POST", hale.url("/api/v1/reload")).status, 401);
  EXPECT_EQ(http_request("POST", hale.url("/api/v1/reload"), {"Authorization: Bearer nope"}).status,
            401);
  hale.rewrite_config(config_with(tcp_check("a", target.port()) + tcp_check("c", target.port())));
  auto ok = http_request("POST", hale.url("/api/v1/reload"),
                         {"Authorization: Bearer reload-secret-2"});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(nlohmann::json::parse(ok.body)["checks"], 2);
  EXPECT_NE(http_get(hale.url("/health/c")).status, 404);

  hale.rewrite_config(config_with("[checks.x]\ntype = \"htp\"\n"));
  auto bad = http_request("POST", hale.url("/api/v1/reload"),
                          {"Authorization: Bearer reload-secret-2"});
  EXPECT_EQ(bad.status, 422);
  auto errors = nlohmann::json::parse(bad.body)["errors"];
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].get<std::string>().find("hale.toml:"), std::string::npos);
  EXPECT_NE(http_get(hale.url("/health/c")).status, 404);
}

TEST(DaemonReload, MutatingApiDisabledWithoutToken) {
  TcpListener target;
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\n" + tcp_check("a", target.port()));
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(http_request("POST", hale.url("/api/v1/reload"), {"Authorization: Bearer x"}).status,
            403);
}

}  // namespace
}  // namespace hale::testing
