// /metrics and /health at 10,000 checks (SPEC §8): the byte budgets of the default exposition,
// and that the hand-streamed /health document says what nlohmann would have built. Sizes, not
// times: a timed bound would flake on a shared machine (bench/scale measures the times).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "hale/aggregate.h"
#include "hale/server/health_json.h"
#include "hale/server/metrics.h"
#include "support/fake_views.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

// 10,000 checks named as bench/scale names them, a few of them failing, probed many times.
Snapshot fleet(std::size_t n) {
  Snapshot s;
  for (std::size_t i = 0; i < n; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "c%06zu", i);
    auto v = testing::fake_check_view(name, i % 1000 == 0 ? Health::kFail : Health::kOk);
    v->probes_total = 123456;
    v->transitions_total = 12;
    if (v->status == Health::kFail) v->errors_by_code[ErrorKind::kTimeout] = 7;
    s.checks.push_back(std::move(v));
  }
  finalize(s);
  return s;
}

std::size_t lines_with(const std::string& page, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = page.find(what); at != std::string::npos; at = page.find(what, at + 1)) ++n;
  return n;
}

TEST(MetricsAtScale, TenThousandChecksStayUnderThreeMegabytes) {
  const Snapshot s = fleet(10000);
  const std::string page = render_metrics(s, std::nullopt, "test");
  EXPECT_LT(page.size(), 3'000'000u);
  // Five series a check, and one more for each error code a failing check has seen.
  EXPECT_EQ(lines_with(page, "{check=\"c"), 10000u * 5 + 10);
}

TEST(MetricsAtScale, FullDetailIsTwentyFourSeriesACheck) {
  const Snapshot s = fleet(100);
  const std::string page = render_metrics(s, std::nullopt, "test", nullptr, nullptr, nullptr, MetricsDetail::kFull);
  EXPECT_EQ(lines_with(page, "{check=\"c"), 100u * 24 + 1);
}

TEST(MetricsAtScale, LabelValuesAreEscaped) {
  Snapshot s;
  s.checks.push_back(testing::fake_check_view("a\"b\\c", Health::kOk));
  const std::string page = render_metrics(s, std::nullopt, "test");
  EXPECT_NE(page.find("hale_check_up{check=\"a\\\"b\\\\c\",critical=\"true\"} 1\n"), std::string::npos) << page;
}

TEST(HealthAtScale, TenThousandChecksStayUnderOneMegabyteAndKeepTheirOrder) {
  const Snapshot s = fleet(10000);
  const std::string body = health_json(s, HealthDocContext{"svc", "v1", WallTime{}});
  EXPECT_LT(body.size(), 1'000'000u);
  const auto j = nlohmann::ordered_json::parse(body);
  ASSERT_EQ(j["checks"].size(), 10000u);
  EXPECT_EQ(j["checks"].begin().key(), "c000000");
  EXPECT_EQ((--j["checks"].end()).key(), "c009999");
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["checks"]["c001000"]["status"], "fail");
  EXPECT_EQ(j["checks"]["c001000"]["error"], "timeout after 1s");
  EXPECT_EQ(j["checks"]["c000001"]["latency_ms"], 4);
  // Members in the order of SPEC §3's example.
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"status", "service", "version", "uptime_seconds", "timestamp", "checks"}));
}

TEST(HealthAtScale, NamesAreJsonEscaped) {
  Snapshot s;
  s.checks.push_back(testing::fake_check_view("quote\"d", Health::kOk));
  finalize(s);
  const auto j = nlohmann::json::parse(health_json(s, HealthDocContext{"svc", "v1", WallTime{}}));
  EXPECT_TRUE(j["checks"].contains("quote\"d"));
  const auto ietf = nlohmann::json::parse(health_ietf_json(s, HealthDocContext{"svc", "v1", WallTime{}}));
  EXPECT_TRUE(ietf["checks"].contains("quote\"d:responseTime"));
}

}  // namespace
}  // namespace hale
