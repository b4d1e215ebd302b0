// The degraded-mode matrix (SPEC §7) of a voice stack: what each dependency's failure does to
// the endpoints, the guards, the services and the alerts, read from the config alone.
#include "hale/matrix/degraded_matrix.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hale {
namespace {

constexpr const char* kVoiceStack = R"(
[groups.voice]

[checks.network]
type = "tcp"
target = "10.0.0.1:53"
groups = ["live", "ready"]

[checks.llama-guard]
type = "http"
url = "http://127.0.0.1:8000/health"
guard_code = "llama_guard_not_ready"
depends_on = ["network"]
groups = ["ready", "voice"]

[checks.asr]
type = "tcp"
target = "127.0.0.1:9000"
depends_on = ["llama-guard"]
critical = false

[checks.agent-live]
type = "tcp"
target = "127.0.0.1:7000"
groups = []

[services.voice-agent]
command = ["./voice-agent"]
require = ["llama-guard"]
liveness = "agent-live"

[services.dashboard]
command = ["./dashboard"]
require = ["llama-guard"]
on_require_fail = "unready"

[services.batch]
command = ["./batch"]
require = ["llama-guard"]
on_require_fail = "ignore"

[heartbeats.model-sync]
period = "1h"
critical = false

[notifiers.ops]
type = "webhook"
url = "http://127.0.0.1:9/ops"

[notifiers.pager]
type = "webhook"
url = "http://127.0.0.1:9/pager"

[[alerts]]
match = ["llama-guard", "network"]
notify = ["pager"]
after = "2m"

[[alerts]]
match = ["*"]
kind = "check"
notify = ["ops"]
)";

const MatrixRow& row(const std::vector<MatrixRow>& rows, const std::string& name) {
  for (const MatrixRow& r : rows) {
    if (r.name == name) return r;
  }
  ADD_FAILURE() << "no row for " << name;
  static MatrixRow none;
  return none;
}

std::vector<MatrixRow> voice_matrix() {
  LoadResult r = load_config_string(kVoiceStack, "hale.toml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config ? degraded_matrix(*r.config) : std::vector<MatrixRow>{};
}

TEST(DegradedMatrix, TheGuardModelDownStopsTheAgentClosesGuardsBlocksAsrAndPagesAfterTwoMinutes) {
  const auto rows = voice_matrix();
  const MatrixRow& g = row(rows, "llama-guard");
  EXPECT_EQ(g.kind, SubjectKind::kCheck);
  EXPECT_EQ(g.health, "503");
  EXPECT_EQ(g.livez, "200");
  EXPECT_EQ(g.readyz, "503");
  EXPECT_EQ(g.groups, (std::vector<MatrixEffect>{{"voice", "503"}}));
  EXPECT_EQ(g.guards, (std::vector<MatrixEffect>{{"/guard/llama-guard", "llama_guard_not_ready"},
                                                 {"/guard/dashboard", "dashboard_not_ready"},
                                                 {"/guard/voice-agent", "voice_agent_not_ready"}}));
  EXPECT_EQ(g.services,
            (std::vector<MatrixEffect>{
                {"batch", "keeps running (on_require_fail = \"ignore\", fail open)"},
                {"dashboard", "keeps running, not ready (held: llama-guard fail)"},
                {"voice-agent", "stopped (held: llama-guard fail) until every requirement is usable"}}));
  EXPECT_EQ(g.blocked, (std::vector<std::string>{"asr"}));
  EXPECT_EQ(g.alerted, (std::vector<MatrixEffect>{{"pager", "after 2m"}, {"ops", "at once"}}));
}

TEST(DegradedMatrix, TheNetworkDownFailsBothProbesAndBlocksEverythingBehindItTransitively) {
  const auto rows = voice_matrix();
  const MatrixRow& n = row(rows, "network");
  EXPECT_EQ(n.livez, "503");
  EXPECT_EQ(n.readyz, "503");
  EXPECT_EQ(n.blocked, (std::vector<std::string>{"asr", "llama-guard"}));
  EXPECT_TRUE(n.services.empty());
}

TEST(DegradedMatrix, ALivenessCheckRestartsItsServiceWithinItsBudgetAndUnreadyWeighsInReadyz) {
  const auto rows = voice_matrix();
  const MatrixRow& live = row(rows, "agent-live");
  EXPECT_EQ(live.readyz, "200");  // in no group, and a restart does not take the agent out of /readyz
  EXPECT_EQ(live.services,
            (std::vector<MatrixEffect>{{"voice-agent", "restarted (liveness), at most 5 times in 10m, then failed"}}));
  const MatrixRow& asr = row(rows, "asr");
  EXPECT_EQ(asr.health, "200 degraded");
  EXPECT_EQ(asr.readyz, "200 degraded");
}

TEST(DegradedMatrix, HeartbeatsHaveRowsAndTheirOwnAlertRoutes) {
  const auto rows = voice_matrix();
  const MatrixRow& h = row(rows, "model-sync");
  EXPECT_EQ(h.kind, SubjectKind::kHeartbeat);
  EXPECT_EQ(h.health, "200 degraded");
  EXPECT_EQ(h.readyz, "200");  // a heartbeat is in no group unless it says so
  EXPECT_TRUE(h.alerted.empty()) << "the catch-all rule is for checks only";
  EXPECT_EQ(rows.back().name, "model-sync") << "checks first, then heartbeats";
}

TEST(DegradedMatrix, RenderingsCarryTheSameRows) {
  const auto rows = voice_matrix();
  const std::string text = matrix_text(rows);
  EXPECT_NE(text.find("when check llama-guard is down (critical):\n  /health   503\n  /livez    200\n  /readyz   503\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  blocked   asr\n  alerted   pager: after 2m, ops: at once\n"), std::string::npos) << text;
  const std::string md = matrix_markdown(rows);
  EXPECT_EQ(md.substr(0, md.find('\n')),
            "| down | /health | /livez | /readyz | groups | guards answering 503 | services | checks blocked | alerted |");
  EXPECT_NE(md.find("| heartbeat `model-sync` (non-critical) | 200 degraded | 200 | 200 | - | `/guard/model-sync` | - | - | "
                    "nobody |"),
            std::string::npos)
      << md;
  const auto j = nlohmann::json::parse(matrix_json(rows));
  ASSERT_EQ(j["matrix"].size(), rows.size());
  EXPECT_EQ(j["matrix"][1]["name"], "asr");
  EXPECT_EQ(j["matrix"][2]["name"], "llama-guard");
  EXPECT_EQ(j["matrix"][2]["services"][2], (nlohmann::json{{"service", "voice-agent"},
                                                           {"effect", "stopped (held: llama-guard fail) until every "
                                                                      "requirement is usable"}}));
}

}  // namespace
}  // namespace hale
