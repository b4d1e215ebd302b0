// Latency budgets against the real daemon (SPEC §7): a real HTTP dependency that turns slow;
// the check turns degraded with the reason once the window holds 20 results, /readyz stays 200
// (degraded is ready), p50/p95 appear in /health/NAME and promtool-clean /metrics, and the check
// is ok again once the slow answers have left the window.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/metrics_page.h"
#include "support/promtool.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(DaemonLatencyBudget, ASlowDependencyIsDegradedWithTheReasonThenOkOnceTheWindowIsFast) {
  TestHttpServer dep;
  dep.set("/health", TestResponse::ok("ok").delayed(60ms));
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[checks.llama-guard]
type = "http"
url = ")" + dep.url("/health") + R"("
interval = "50ms"
timeout = "1s"
jitter = "0ms"
latency_budget = { p95 = "30ms", window = "3s" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();

  json detail;
  ASSERT_TRUE(eventually(
      [&] {
        detail = json::parse(http_get(hale.url("/health/llama-guard")).body, nullptr, false);
        return detail.is_object() && detail["status"] == "degraded";
      },
      10s))
      << detail.dump();
  // Over the p95: 60 ms against 30 ms.
  const std::string error = detail["error"];
  EXPECT_EQ(error.rfind("p95 ", 0), 0u) << error;
  EXPECT_NE(error.find("ms over budget 30ms"), std::string::npos) << error;
  EXPECT_EQ(detail["error_code"], "latency_budget");
  EXPECT_GE(detail["latency_p95_ms"].get<int>(), 60);
  EXPECT_GE(detail["latency_p50_ms"].get<int>(), 60);
  EXPECT_GE(detail["latency_window_results"].get<int>(), 20);
  EXPECT_EQ(detail["latency_budget"], json::parse(R"({"p50_ms":null,"p95_ms":30,"window":"3s"})"));
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);  // degraded is still ready
  EXPECT_EQ(http_get(hale.url("/guard/llama-guard")).status, 204);

  const std::string metrics = http_get(hale.url("/metrics")).body;
  const auto page = samples(metrics);
  EXPECT_EQ(at(page, R"(hale_check_latency_budget_p95_seconds{check="llama-guard"})"), "0.03");
  EXPECT_EQ(page.count(R"(hale_check_latency_budget_p50_seconds{check="llama-guard"})"), 0u);
  EXPECT_GE(std::stod(at(page, R"(hale_check_latency_p95_seconds{check="llama-guard"})")), 0.06);
  EXPECT_GE(std::stod(at(page, R"(hale_check_latency_p50_seconds{check="llama-guard"})")), 0.06);
  if (have_promtool()) {
    EXPECT_TRUE(promtool_accepts(metrics));
  }

  // Fast again: ok once the slow answers have left the 3 s window.
  dep.set("/health", TestResponse::ok("ok"));
  ASSERT_TRUE(eventually(
      [&] {
        detail = json::parse(http_get(hale.url("/health/llama-guard")).body, nullptr, false);
        return detail.is_object() && detail["status"] == "ok";
      },
      15s))
      << detail.dump();
  EXPECT_LE(detail["latency_p95_ms"].get<int>(), 30);
}

}  // namespace
}  // namespace hale::testing
