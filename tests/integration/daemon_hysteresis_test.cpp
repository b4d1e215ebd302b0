// SPEC §2-3 end to end: a blip shorter than the failure threshold never changes /readyz; a
// sustained outage does. The dependency is a file whose presence an exec check tests, so
// the outage starts and ends exactly when the test says (Debian's check_file_age: CRITICAL,
// exit 2, while the file is missing).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/hale_process.h"
#include "support/http_client.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

std::string flag_config(const std::string& flag) {
  return R"([server]
listen = "127.0.0.1:{PORT}"

[checks.dep]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_file_age", "-f", ")" + flag + R"(", "-w", "1000000", "-c", "1000000"]
interval = "100ms"
timeout = "1s"
failure_threshold = 5
jitter = "0ms"
)";
}

TEST(DaemonHysteresis, BlipNeverFlipsReadyzSustainedOutageDoes) {
  TempDir dir;
  const std::string flag = (dir.path() / "up").string();
  std::ofstream(flag) << "1";
  HaleProcess hale(flag_config(flag));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));

  // A blip: the dependency is gone for about one interval. At most two probes fail, below
  // failure_threshold = 5, so readiness must not change at any moment.
  std::filesystem::remove(flag);
  const auto blip_end = std::chrono::steady_clock::now() + 150ms;
  int samples = 0;
  while (std::chrono::steady_clock::now() < blip_end) {
    EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
    ++samples;
    std::this_thread::sleep_for(10ms);
  }
  std::ofstream(flag) << "1";
  const auto settle_end = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < settle_end) {
    EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
    ++samples;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GT(samples, 10);
  auto after_blip = nlohmann::json::parse(http_get(hale.url("/health/dep")).body);
  EXPECT_EQ(after_blip["status"], "ok");

  // A sustained outage turns /readyz to 503, and only after failure_threshold failures.
  std::filesystem::remove(flag);
  const auto outage_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 503; }, 10s));
  // SPEC §8 promises interval x failure_threshold (500 ms) + 50 ms; the benchmark measures
  // that. Here only a gross bound that a loaded CI machine under ASan still meets.
  const auto detected_after = std::chrono::steady_clock::now() - outage_start;
  RecordProperty("detection_ms", static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(detected_after).count()));
  EXPECT_LT(detected_after, 5s);
  auto detail = nlohmann::json::parse(http_get(hale.url("/health/dep")).body);
  EXPECT_EQ(detail["status"], "fail");
  EXPECT_GE(detail["consecutive_failures"].get<int>(), 5);
  EXPECT_EQ(detail["error"].get<std::string>().rfind("FILE_AGE CRITICAL: File not found", 0), 0u)
      << detail.dump();

  // And it recovers after one pass (success_threshold = 1).
  std::ofstream(flag) << "1";
  EXPECT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }, 10s));
}

// SPEC §2: a check turns `fail` after failure_threshold failures AND failure_duration since the
// first of them. With a threshold of 2 at a 100 ms interval the threshold alone would flip the
// check within 200 ms; only failure_duration (3 s) can hold /readyz at 200 through a 1.2 s outage,
// so this test fails if the engine ever drops failure_duration from a check's policy.
TEST(DaemonHysteresis, AnOutageShorterThanFailureDurationNeverFlipsReadyzALongerOneDoesAfterIt) {
  TempDir dir;
  const std::string flag = (dir.path() / "up").string();
  std::ofstream(flag) << "1";
  std::string config = flag_config(flag);
  config.replace(config.find("failure_threshold = 5"), 21, "failure_threshold = 2\nfailure_duration = \"3s\"");
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));

  // 1.2 s of outage: about 12 failed probes, six times the threshold, but shorter than 3 s.
  std::filesystem::remove(flag);
  const auto outage_end = std::chrono::steady_clock::now() + 1200ms;
  int samples = 0;
  while (std::chrono::steady_clock::now() < outage_end) {
    EXPECT_EQ(http_get(hale.url("/readyz")).status, 200) << "an outage shorter than failure_duration flipped /readyz";
    ++samples;
    std::this_thread::sleep_for(20ms);
  }
  const auto during = nlohmann::json::parse(http_get(hale.url("/health/dep")).body);
  EXPECT_GE(during["consecutive_failures"].get<int>(), 2) << "the outage was seen: the threshold alone is met";
  EXPECT_NE(during["status"], "fail") << during.dump();
  std::ofstream(flag) << "1";
  ASSERT_TRUE(eventually([&] {
    return nlohmann::json::parse(http_get(hale.url("/health/dep")).body)["consecutive_failures"] == 0;
  }));
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  EXPECT_GT(samples, 10);

  // A sustained outage flips it, and not before failure_duration has passed.
  std::filesystem::remove(flag);
  const auto outage_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 503; }, 15s)) << hale.log();
  const auto detected_after = std::chrono::steady_clock::now() - outage_start;
  RecordProperty("detection_ms", static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(detected_after).count()));
  EXPECT_GE(detected_after, 3s) << "503 before failure_duration";
  // The bound is 3 s + an interval; the ceiling is generous for a loaded machine under a sanitizer.
  EXPECT_LT(detected_after, 10s);
  EXPECT_EQ(nlohmann::json::parse(http_get(hale.url("/health/dep")).body)["status"], "fail");
}

}  // namespace
}  // namespace hale::testing
