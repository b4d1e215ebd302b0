// The real hale binary answering /livez, /readyz, /health, /metrics and the API from real
// probes of real loopback targets.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

std::string two_checks(std::uint16_t up_port, std::uint16_t down_port, bool down_critical) {
  return R"([server]
listen = "127.0.0.1:{PORT}"

[defaults]
interval = "200ms"
timeout = "500ms"
failure_threshold = 2
jitter = "0ms"

[checks.up]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(up_port) + R"("
groups = ["ready", "live"]

[checks.down]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(down_port) + R"("
critical = )" + (down_critical ? "true" : "false") + "\n";
}

TEST(DaemonEndpoints, NonCriticalFailureDegradesButStaysReady) {
  TcpListener up;
  HaleProcess hale(two_checks(up.port(), free_port(), false));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto j = nlohmann::json::parse(http_get(hale.url("/health")).body, nullptr, false);
    return j.is_object() && j["checks"]["down"]["status"] == "fail" && j["checks"]["up"]["status"] == "ok";
  })) << http_get(hale.url("/health")).body;

  auto ready = http_get(hale.url("/readyz"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ok");
  EXPECT_EQ(ready.headers["cache-control"], "no-store");

  auto verbose = http_get(hale.url("/readyz?verbose"));
  EXPECT_EQ(verbose.body, "[-]down failed: connection refused\n[+]up ok\nreadyz check passed\n");

  auto health = http_get(hale.url("/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.headers["content-type"], "application/json");
  EXPECT_EQ(health.headers["cache-control"], "no-store");
  auto j = nlohmann::json::parse(health.body);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["service"], "hale");
  EXPECT_EQ(j["checks"]["down"]["error"], "connection refused");
  EXPECT_GE(j["checks"]["down"]["consecutive_failures"].get<int>(), 2);
  EXPECT_TRUE(j["checks"]["down"].contains("next_check"));
  EXPECT_EQ(j["checks"]["up"]["critical"], true);

  auto one = http_get(hale.url("/health/up"));
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(nlohmann::json::parse(one.body)["type"], "tcp");
  EXPECT_EQ(http_get(hale.url("/health/down")).status, 503);
  EXPECT_EQ(http_get(hale.url("/health/nope")).status, 404);
  EXPECT_EQ(http_get(hale.url("/readyz/down")).status, 503);
  EXPECT_EQ(http_get(hale.url("/readyz/up")).status, 200);
  EXPECT_EQ(http_get(hale.url("/livez")).status, 200);
  EXPECT_EQ(http_get(hale.url("/healthz")).status, 200);

  auto ietf = http_get(hale.url("/health"), {"Accept: application/health+json"});
  EXPECT_EQ(ietf.headers["content-type"], "application/health+json");
  EXPECT_EQ(nlohmann::json::parse(ietf.body)["status"], "warn");

  auto api = nlohmann::json::parse(http_get(hale.url("/api/v1/checks")).body);
  EXPECT_EQ(api["checks"].size(), 2u);
  EXPECT_GT(up.accepted(), 0);
}

TEST(DaemonEndpoints, CriticalFailureTurnsReadyz503AndLivezStays200) {
  TcpListener up;
  HaleProcess hale(two_checks(up.port(), free_port(), true));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto j = nlohmann::json::parse(http_get(hale.url("/health")).body, nullptr, false);
    return j.is_object() && j["checks"]["down"]["status"] == "fail" && j["checks"]["up"]["status"] == "ok";
  })) << http_get(hale.url("/health")).body;
  auto r = http_get(hale.url("/readyz"));
  EXPECT_EQ(r.body, "[-]down failed: connection refused\n[+]up ok\nreadyz check failed\n");
  EXPECT_EQ(http_get(hale.url("/health")).status, 503);
  EXPECT_EQ(http_get(hale.url("/livez")).status, 200);  // `down` is not in group live
  EXPECT_EQ(http_get(hale.url("/readyz?exclude=down")).status, 200);
  // The log has one structured line per failure with the fields SPEC §2 lists.
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"probe_failed\""));
  std::string log = hale.log();
  auto start = log.find("{\"ts\"", log.find("\"event\":\"probe_failed\"") - 80);
  auto line = nlohmann::json::parse(log.substr(start, log.find('\n', start) - start));
  for (const char* key : {"check", "target", "error_code", "message", "consecutive_failures",
                          "retry_in_ms", "next_retry_at"}) {
    EXPECT_TRUE(line.contains(key)) << key << " in " << line.dump();
  }
  EXPECT_EQ(line["error_code"], "refused");
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"transition\""));
}

TEST(DaemonEndpoints, ReadyzVerboseListsAnExcludedCheckAndWarnsOfAnUnknownOneAsKubeApiserver) {
  // Issue 12: byte for byte kube-apiserver's healthz.go: the excluded check keeps its place as
  // "[+]NAME excluded: ok", and names that match nothing get one sorted, quoted warning line.
  TcpListener up;
  HaleProcess hale(two_checks(up.port(), free_port(), true));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto j = nlohmann::json::parse(http_get(hale.url("/health")).body, nullptr, false);
    return j.is_object() && j["checks"]["down"]["status"] == "fail" && j["checks"]["up"]["status"] == "ok";
  })) << hale.log();
  const HttpReply r = http_get(hale.url("/readyz?verbose&exclude=down&exclude=nosuch&exclude=also-missing"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "[+]down excluded: ok\n[+]up ok\n"
            "warn: some health checks cannot be excluded: no matches for \"also-missing\",\"nosuch\"\n"
            "readyz check passed\n");
}

// promtool's verdict on a /metrics page: "" when it passes its checks and lint.
std::string promtool_findings(const std::string& page) {
  TempDir dir;
  const std::string path = dir.write("metrics.txt", page);
  const std::string cmd = "promtool check metrics < " + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "promtool did not start";
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  const int rc = pclose(p);
  return rc == 0 ? out : "exit " + std::to_string(rc) + ": " + out;
}

std::size_t series_of(const std::string& page, std::string_view check) {
  std::size_t n = 0;
  const std::string label = "{check=\"" + std::string(check) + "\"";
  for (std::size_t at = page.find(label); at != std::string::npos; at = page.find(label, at + 1)) ++n;
  return n;
}

// The default [metrics] detail: 5 series per check (SPEC §8: a scrape of 10,000 checks stays
// under 3 MB), plus one per error code seen.
TEST(DaemonEndpoints, MetricsPassPromtoolWithFiveSeriesPerCheck) {
  TcpListener up;
  HaleProcess hale(two_checks(up.port(), free_port(), false));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    return http_get(hale.url("/metrics")).body.find(
               "hale_check_status{check=\"down\",status=\"fail\"} 1") != std::string::npos;
  }));
  auto m = http_get(hale.url("/metrics"));
  EXPECT_EQ(m.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("hale_check_up{check=\"up\",critical=\"true\"} 1"), std::string::npos);
  EXPECT_NE(m.body.find("hale_check_status{check=\"up\",status=\"ok\"} 1"), std::string::npos);
  EXPECT_EQ(m.body.find("hale_check_status{check=\"up\",status=\"fail\"}"), std::string::npos)
      << "compact: only the status a check is in";
  EXPECT_NE(m.body.find("hale_check_duration_seconds{check=\"up\"}"), std::string::npos);
  EXPECT_EQ(m.body.find("hale_check_latency_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("hale_check_probe_errors_total{check=\"down\",code=\"refused\"}"),
            std::string::npos);
  EXPECT_EQ(series_of(m.body, "up"), 5u) << m.body;
  EXPECT_EQ(series_of(m.body, "down"), 6u) << m.body;  // and its errors by code
  EXPECT_NE(m.body.find("hale_scheduler_lateness_seconds{quantile=\"0.99\"}"), std::string::npos);
  EXPECT_NE(m.body.find("process_resident_memory_bytes"), std::string::npos);
  EXPECT_EQ(promtool_findings(m.body), "");
}

TEST(DaemonEndpoints, MetricsInFullDetailAddEveryStatusAndTheHistogram) {
  TcpListener up;
  HaleProcess hale(two_checks(up.port(), free_port(), false) + "\n[metrics]\ndetail = \"full\"\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    return http_get(hale.url("/metrics")).body.find(
               "hale_check_status{check=\"down\",status=\"fail\"} 1") != std::string::npos;
  }));
  auto m = http_get(hale.url("/metrics"));
  EXPECT_NE(m.body.find("hale_check_status{check=\"up\",status=\"fail\"} 0"), std::string::npos);
  EXPECT_NE(m.body.find("hale_check_consecutive_failures{check=\"up\"} 0"), std::string::npos);
  EXPECT_NE(m.body.find("hale_check_latency_seconds_bucket{check=\"up\",le=\"+Inf\"}"), std::string::npos);
  EXPECT_EQ(series_of(m.body, "up"), 24u) << m.body;
  EXPECT_EQ(promtool_findings(m.body), "");
}

TEST(DaemonEndpoints, NoSecretInAnyAnswerOrLogLine) {
  setenv("HALE_TEST_SECRET_URL", "http://alice:pa55-w0rd-x@127.0.0.1:1/private", 1);
  setenv("HALE_TEST_SECRET_HEADER", "Bearer tok-3xyz-secret", 1);
  setenv("HALE_TEST_ADMIN", "admin-t0ken-value", 1);
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"
admin_token = "env:HALE_TEST_ADMIN"

[checks.api]
type = "http"
url = "env:HALE_TEST_SECRET_URL"
interval = "200ms"
timeout = "500ms"
failure_threshold = 1
headers = { Authorization = "env:HALE_TEST_SECRET_HEADER" }

[checks.inline]
type = "http"
url = "http://bob:inl1ne-pass@127.0.0.1:1/x?api_key=k3y-in-query"
interval = "200ms"
timeout = "500ms"
failure_threshold = 1
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 503; }));
  ASSERT_TRUE(hale.wait_for_log("probe_failed"));
  std::string everything = hale.log();
  for (const char* path : {"/health", "/health/api", "/health/inline", "/api/v1/checks", "/metrics",
                           "/readyz?verbose", "/livez?verbose"}) {
    everything += http_get(hale.url(path)).body;
  }
  EXPECT_EQ(everything.find("pa55-w0rd-x"), std::string::npos);
  EXPECT_EQ(everything.find("tok-3xyz-secret"), std::string::npos);
  EXPECT_EQ(everything.find("admin-t0ken-value"), std::string::npos);
  EXPECT_EQ(everything.find("inl1ne-pass"), std::string::npos);
  EXPECT_EQ(everything.find("k3y-in-query"), std::string::npos);
  // The targets are still recognisable: a URL from env: shows its scheme and host only, an
  // inline one its path, with the password masked and the query cut.
  auto api = nlohmann::json::parse(http_get(hale.url("/health/api")).body);
  EXPECT_EQ(api["target"], "http://alice:***@127.0.0.1:1/…");
  auto inl = nlohmann::json::parse(http_get(hale.url("/health/inline")).body);
  EXPECT_EQ(inl["target"], "http://bob:***@127.0.0.1:1/x?…");
}

TEST(DaemonEndpoints, SigtermStopsCleanly) {
  TcpListener up;
  HaleProcess hale(two_checks(up.port(), free_port(), false));
  ASSERT_TRUE(hale.start()) << hale.log();
  hale.signal(SIGTERM);
  auto code = hale.wait_exit();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_NE(hale.log().find("\"event\":\"stopped\""), std::string::npos);
}

}  // namespace
}  // namespace hale::testing
