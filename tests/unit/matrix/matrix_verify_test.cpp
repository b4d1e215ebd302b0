// `hale matrix --verify`'s plan for one row (SPEC §7): what it forces, for how long, what it
// expects, and what it says it cannot verify.
#include "hale/matrix/matrix_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hale {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

Config load(const std::string& toml) {
  LoadResult r = load_config_string(toml, "hale.toml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config.value_or(Config{});
}

const MatrixRow& row_of(const std::vector<MatrixRow>& rows, const std::string& name) {
  for (const MatrixRow& r : rows) {
    if (r.name == name) return r;
  }
  throw std::runtime_error("no row " + name);
}

TEST(MatrixVerifyPlan, ExpectsWhatTheRowSaysForLongEnoughToSettle) {
  const Config c = load(R"(
[checks.llama-guard]
type = "tcp"
target = "127.0.0.1:8000"
interval = "2s"
failure_threshold = 3
timeout = "1s"
[checks.child]
type = "tcp"
target = "127.0.0.1:8001"
critical = false
depends_on = ["llama-guard"]
[services.voice-agent]
command = ["./agent"]
require = ["llama-guard"]
stop_timeout = "4s"
[services.web]
command = ["./web"]
liveness = "llama-guard"
[notifiers.ops]
type = "webhook"
url = "http://127.0.0.1:9/ops"
[notifiers.manager]
type = "webhook"
url = "http://127.0.0.1:9/mgr"
[[alerts]]
notify = ["ops"]
after = "30s"
[[alerts]]
notify = ["manager"]
after = "2h"
)");
  const auto rows = degraded_matrix(c);
  const VerifyPlan plan = verify_plan(c, row_of(rows, "llama-guard"));
  EXPECT_EQ(plan.drill.name, "verify.check.llama-guard");
  ASSERT_EQ(plan.drill.force.size(), 1u);
  EXPECT_EQ(plan.drill.force[0].result, Health::kFail);
  // 1s margin + 3 x 2s + the 1s timeout, + the held service's 4s stop, + ops' 30s after.
  EXPECT_EQ(plan.drill.duration, 1s + 6s + 1s + 4s + 30s);
  EXPECT_THAT(plan.drill.expect,
              ElementsAre(DrillExpectation{"guard.llama-guard", "503"}, DrillExpectation{"guard.voice-agent", "503"},
                          DrillExpectation{"livez", "200"}, DrillExpectation{"readyz", "503"},
                          DrillExpectation{"routed", "ops"}, DrillExpectation{"services.voice-agent", "stopped"}));
  EXPECT_THAT(plan.not_verified,
              ElementsAre("web: restarted (liveness): a drill does not wait through restarts",
                          "manager: alerted after 2h (longer than a verification waits)",
                          "checks blocked: a child is blocked only while it fails itself"));
  // A non-critical check: /readyz stays 200 (degraded), no service is touched.
  const VerifyPlan child = verify_plan(c, row_of(rows, "child"));
  EXPECT_THAT(child.drill.expect,
              ElementsAre(DrillExpectation{"guard.child", "503"}, DrillExpectation{"livez", "200"},
                          DrillExpectation{"readyz", "200"}, DrillExpectation{"routed", "ops"}));
}

}  // namespace
}  // namespace hale
