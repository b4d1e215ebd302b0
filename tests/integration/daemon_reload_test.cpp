// Reload by SIGHUP and by POST /api/v1/reload: a good file takes effect, a bad one keeps the
// running config and logs the error with its position.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

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

// Polls /readyz every 10 ms on a thread of its own until stopped (at most 60 s), keeping each
// answer's status.
class ReadyzPoller {
 public:
  explicit ReadyzPoller(std::string url) : url_(std::move(url)), thread_([this] { run(); }) {}
  ~ReadyzPoller() { stop(); }
  std::vector<int> stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
    return statuses_;
  }
  // How many answers it has had so far.
  std::size_t answers() const { return answers_; }

 private:
  void run() {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done_ && std::chrono::steady_clock::now() < end) {
      statuses_.push_back(http_get(url_).status);
      ++answers_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the poller's pace, not a wait
    }
  }
  std::string url_;
  std::atomic<bool> done_{false};
  std::atomic<std::size_t> answers_{0};
  std::vector<int> statuses_;
  std::thread thread_;
};

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// SIGHUP with `config`, then waits for the reload to be done.
void reload(HaleProcess& hale, const std::string& config) {
  const std::size_t before = count_of(hale.log(), "\"event\":\"reloaded\"");
  hale.rewrite_config(config);
  hale.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return count_of(hale.log(), "\"event\":\"reloaded\"") > before; })) << hale.log();
}

std::string check_status(const HaleProcess& hale, const std::string& name) {
  auto j = nlohmann::json::parse(http_get(hale.url("/health/" + name)).body, nullptr, false);
  return j.is_object() ? j.value("status", "") : "";
}

// hale_check_probes_total of each of `checks`, in order (-1 when not on /metrics).
std::vector<int> probes_of(const HaleProcess& hale, const std::vector<std::string>& checks) {
  const std::string page = http_get(hale.url("/metrics")).body;
  std::vector<int> out;
  for (const std::string& check : checks) {
    const std::string key = "hale_check_probes_total{check=\"" + check + "\"} ";
    const auto at = page.find(key);
    out.push_back(at == std::string::npos ? -1 : std::stoi(page.substr(at + key.size())));
  }
  return out;
}

// Waits until each of `checks` has completed 3 more probes, and `poller` has had 25 more
// answers, than when called: the new configuration at work, and /readyz watched meanwhile.
void watch_a_while(const HaleProcess& hale, const ReadyzPoller& poller, const std::vector<std::string>& checks) {
  const std::vector<int> before = probes_of(hale, checks);
  const std::size_t answers_before = poller.answers();
  ASSERT_TRUE(eventually([&] {
    const std::vector<int> now = probes_of(hale, checks);
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (now[i] < before[i] + 3) return false;
    }
    return poller.answers() >= answers_before + 25;
  })) << hale.log();
}

TEST(DaemonReload, ReloadsThatAddChangeAndRemoveChecksNeverBlipReadyz) {
  // Issue 18, as a new user met it: one healthy critical tcp check, /readyz polled every 10 ms,
  // reloads that add an http check, change the first check's interval, add a tcp check, remove
  // one, and add a group, a check in it and a heartbeat in the ready group. Before: 76 of 406
  // answers were 503. SPEC §2: a reload never flips an answer by itself.
  setenv("HALE_RELOAD_TEST_TOKEN", "reload-secret-3", 1);
  TcpListener db;
  TestHttpServer web;
  web.set("/ok", TestResponse::ok());
  const std::string a = tcp_check("a", db.port());
  const std::string http = "\n[checks.web]\ntype = \"http\"\nurl = \"" + web.url("/ok") + "\"\n";
  const std::string b = tcp_check("b", db.port());
  HaleProcess hale(config_with(a));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; })) << hale.log();
  ReadyzPoller poller(hale.url("/readyz"));
  reload(hale, config_with(a + http));
  ASSERT_TRUE(eventually([&] { return check_status(hale, "web") == "ok"; })) << hale.log();
  reload(hale, config_with(a + "interval = \"150ms\"\n" + http));
  watch_a_while(hale, poller, {"a", "web"});  // several probes on the new interval
  reload(hale, config_with(a + "interval = \"150ms\"\n" + http + b));
  ASSERT_TRUE(eventually([&] { return check_status(hale, "b") == "ok"; })) << hale.log();
  reload(hale, config_with(a + "interval = \"150ms\"\n" + b));
  watch_a_while(hale, poller, {"a", "b"});  // several probes without `web`
  // A heartbeat in the ready group, a custom group and a check in it: none holds an answer.
  reload(hale, config_with(a + "interval = \"150ms\"\n" + b + tcp_check("c", db.port()) +
                           "groups = [\"edge\", \"ready\"]\n\n[groups.edge]\n\n[heartbeats.job]\nperiod = \"1h\"\n"
                           "groups = [\"ready\"]\n"));
  EXPECT_EQ(http_get(hale.url("/groupz/edge")).status, 200) << http_get(hale.url("/groupz/edge?verbose")).body;
  ASSERT_TRUE(eventually([&] { return check_status(hale, "c") == "ok"; })) << hale.log();
  const std::vector<int> statuses = poller.stop();
  std::size_t not_200 = 0;
  for (int s : statuses) not_200 += s == 200 ? 0 : 1;
  std::printf("[ reload   ] %zu answers of /readyz across 5 reloads, %zu not 200\n", statuses.size(), not_200);
  EXPECT_GE(statuses.size(), 50u);  // the two watches above saw 25 each at least
  EXPECT_EQ(not_200, 0u) << hale.log();
  EXPECT_EQ(check_status(hale, "a"), "ok");
  EXPECT_EQ(http_get(hale.url("/health/web")).status, 404) << "removed";
}

TEST(DaemonReload, AReloadAddingADownCriticalCheckFailsReadyzOnlyAfterItsThresholdAndDuration) {
  // The other side of the rule: the added check takes part from its first decisive result, so
  // a target that is down turns /readyz 503 like any other failure, after failure_threshold
  // failures spanning failure_duration, not at once and not never.
  setenv("HALE_RELOAD_TEST_TOKEN", "reload-secret-4", 1);
  TcpListener db;
  HaleProcess hale(config_with(tcp_check("a", db.port())));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; })) << hale.log();
  ReadyzPoller poller(hale.url("/readyz"));
  const auto reloaded = std::chrono::steady_clock::now();
  reload(hale, config_with(tcp_check("a", db.port()) + tcp_check("down", free_port()) +
                           "failure_threshold = 3\nfailure_duration = \"1s\"\n"));
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 503; }, std::chrono::seconds(10)))
      << hale.log();
  const auto flipped = std::chrono::steady_clock::now();
  const std::vector<int> statuses = poller.stop();
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.front(), 200) << "the reload itself flipped /readyz";
  EXPECT_GE(flipped - reloaded, std::chrono::milliseconds(1000)) << "503 before failure_duration";
  const auto j = nlohmann::json::parse(http_get(hale.url("/health/down")).body);
  EXPECT_EQ(j["status"], "fail");
  EXPECT_GE(j["consecutive_failures"].get<int>(), 3);
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
