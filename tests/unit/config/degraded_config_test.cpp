// The config keys of degraded mode (SPEC §7), read and refused with FILE:LINE:COL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using hale::testing::config_errors;
using ::testing::ElementsAre;

Config load(const std::string& toml) {
  LoadResult r = load_config_string(toml, "hale.toml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config.value_or(Config{});
}

TEST(GuardCodeConfig, DefaultsToTheNameWithUnderscoresAndMayBeWritten) {
  const Config c = load(R"(
[checks.llama-guard]
type = "tcp"
target = "127.0.0.1:8000"
[checks.docker-runner]
type = "tcp"
target = "127.0.0.1:7071"
guard_code = "runner_down"
[heartbeats."nightly.backup"]
period = "1h"
[heartbeats.sync]
period = "1h"
guard_code = "sync_stale"
)");
  ASSERT_EQ(c.checks.size(), 2u);
  EXPECT_EQ(c.find_check("llama-guard")->guard_code, "llama_guard_not_ready");
  EXPECT_EQ(c.find_check("docker-runner")->guard_code, "runner_down");
  ASSERT_EQ(c.heartbeats.size(), 2u);
  EXPECT_EQ(c.heartbeats[0].guard_code, "nightly_backup_not_ready");
  EXPECT_EQ(c.heartbeats[1].guard_code, "sync_stale");
}

TEST(GuardCodeConfig, ACodeOutsideTheNameGrammarIsRefusedWhereItIsWritten) {
  EXPECT_THAT(config_errors("[checks.db]\ntype = \"tcp\"\ntarget = \"db:5432\"\nguard_code = \"not ready!\"\n"),
              ElementsAre("hale.toml:4:14: `guard_code` \"not ready!\": a code starts with a letter or a digit, "
                          "then letters, digits, '_', '.' and '-' (at most 128 characters)"));
  EXPECT_THAT(config_errors("[checks.db]\ntype = \"tcp\"\ntarget = \"db:5432\"\nguard_code = \"\"\n"),
              ElementsAre("hale.toml:4:14: `guard_code` must not be empty"));
  EXPECT_THAT(config_errors("[defaults]\nguard_code = \"x\"\n"),
              ElementsAre("hale.toml:2:1: `guard_code` cannot be set in [defaults]; set it in each [checks.NAME]"));
}

std::string tcp_check(const std::string& line4) {
  return "[checks.guard]\ntype = \"tcp\"\ntarget = \"127.0.0.1:8000\"\n" + line4 + "\n";
}

TEST(LatencyBudgetConfig, ReadWithTheDefaultWindow) {
  using namespace std::chrono_literals;
  const Config c = load(tcp_check(R"(latency_budget = { p50 = "100ms", p95 = "400ms", window = "5m" })"));
  ASSERT_TRUE(c.checks.at(0).latency_budget);
  EXPECT_EQ(*c.checks[0].latency_budget, (LatencyBudget{100ms, 400ms, 5min}));
  const Config d = load(tcp_check(R"(latency_budget = { p95 = "1s" })"));
  EXPECT_EQ(*d.checks.at(0).latency_budget, (LatencyBudget{std::nullopt, 1s, 10min}));
  EXPECT_FALSE(load(tcp_check("")).checks.at(0).latency_budget.has_value());
}

TEST(LatencyBudgetConfig, BadBudgetsAreRefusedWhereTheyAreWritten) {
  EXPECT_THAT(config_errors(tcp_check(R"(latency_budget = { p50 = "500ms", p95 = "400ms" })")),
              ElementsAre("hale.toml:4:26: `latency_budget.p50` (500ms) is more than `latency_budget.p95` (400ms), but "
                          "a p50 is never above the p95: did you swap them?"));
  EXPECT_THAT(config_errors(tcp_check(R"(latency_budget = { window = "5m" })")),
              ElementsAre("hale.toml:4:18: `latency_budget` needs `p50`, `p95` or both, e.g. { p50 = \"100ms\", "
                          "p95 = \"400ms\" }"));
  EXPECT_THAT(config_errors(tcp_check(R"(latency_budget = { p99 = "1s" })")),
              ElementsAre("hale.toml:4:20: unknown key `p99` in `latency_budget`; did you mean `p95`?"));
  EXPECT_THAT(config_errors(tcp_check(R"(latency_budget = { p95 = "0s" })")),
              ElementsAre("hale.toml:4:26: `latency_budget.p95` must be greater than 0"));
  EXPECT_THAT(config_errors(tcp_check(R"(latency_budget = "400ms")")),
              ElementsAre("hale.toml:4:18: `latency_budget` must be a table, not a string"));
}

constexpr const char* kGuardAndJob = R"([checks.llama-guard]
type = "tcp"
target = "127.0.0.1:8000"
[heartbeats.model-sync]
period = "1h"
)";

TEST(RequireConfig, ChecksAndHeartbeatsSortedWithStopByDefault) {
  const Config c = load(std::string(kGuardAndJob) + R"([services.voice-agent]
command = ["./voice-agent"]
require = ["model-sync", "llama-guard"]
[services.web]
command = ["./web"]
require = ["llama-guard"]
on_require_fail = "unready"
)");
  ASSERT_EQ(c.services.size(), 2u);
  EXPECT_EQ(c.services[0].require, (std::vector<std::string>{"llama-guard", "model-sync"}));
  EXPECT_EQ(c.services[0].on_require_fail, RequireFail::kStop);
  EXPECT_EQ(c.services[1].on_require_fail, RequireFail::kUnready);
}

TEST(RequireConfig, UnknownSubjectsAndModesAreRefusedWithASuggestion) {
  auto errors = [](const std::string& lines) {
    return config_errors(std::string(kGuardAndJob) + "[services.voice-agent]\ncommand = [\"./v\"]\n" + lines);
  };
  EXPECT_THAT(errors("require = [\"llama-gaurd\"]\n"),
              ElementsAre("hale.toml:8:12: `require` names \"llama-gaurd\", which is neither a check nor a heartbeat; "
                          "did you mean \"llama-guard\"?"));
  EXPECT_THAT(errors("require = [\"llama-guard\", \"llama-guard\"]\n"),
              ElementsAre("hale.toml:8:27: `require` names \"llama-guard\" twice"));
  EXPECT_THAT(errors("require = [\"llama-guard\"]\non_require_fail = \"close\"\n"),
              ElementsAre("hale.toml:9:19: `on_require_fail`: unknown value \"close\" (expected one of stop, unready, "
                          "ignore)"));
  EXPECT_THAT(errors("on_require_fail = \"stop\"\n"),
              ElementsAre("hale.toml:8:19: `on_require_fail` needs `require` (the checks or heartbeats the service must "
                          "not run without)"));
  EXPECT_THAT(errors("require = \"llama-guard\"\n"),
              ElementsAre("hale.toml:8:11: `require` must be an array of check or heartbeat names, not a string"));
}

std::string three_checks(const std::string& a_line, const std::string& b_line = "") {
  return "[checks.network]\ntype = \"tcp\"\ntarget = \"10.0.0.1:53\"\n"                 // 1-3
         "[checks.api]\ntype = \"tcp\"\ntarget = \"127.0.0.1:80\"\n" + a_line + "\n" +  // 4-7
         "[checks.db]\ntype = \"tcp\"\ntarget = \"127.0.0.1:5432\"\n" + b_line + "\n";  // 8-11
}

TEST(CheckDependsOnConfig, ParentsAreReadSorted) {
  const Config c = load(three_checks(R"(depends_on = ["network", "db"])", R"(depends_on = ["network"])"));
  EXPECT_EQ(c.find_check("api")->depends_on, (std::vector<std::string>{"db", "network"}));
  EXPECT_EQ(c.find_check("db")->depends_on, (std::vector<std::string>{"network"}));
  EXPECT_TRUE(c.find_check("network")->depends_on.empty());
}

TEST(CheckDependsOnConfig, UnknownSelfAndCyclesAreRefusedAtTheEntry) {
  EXPECT_THAT(config_errors(three_checks(R"(depends_on = ["netwrok"])")),
              ElementsAre("hale.toml:7:15: `depends_on` names \"netwrok\", which is not a check; did you mean "
                          "\"network\"?"));
  EXPECT_THAT(config_errors(three_checks(R"(depends_on = ["api"])")),
              ElementsAre("hale.toml:7:15: `depends_on` names the check itself (\"api\"); a check depends on others, "
                          "such as the network or the host it runs on"));
  EXPECT_THAT(config_errors(three_checks(R"(depends_on = ["db"])", R"(depends_on = ["api"])")),
              ElementsAre("hale.toml:7:15: depends_on forms a cycle: api -> db -> api"));
  EXPECT_THAT(config_errors(three_checks(R"(depends_on = "network")")),
              ElementsAre("hale.toml:7:14: `depends_on` must be an array of check names, not a string"));
}

TEST(GroupWaitConfig, ADurationOnAnAlertRule) {
  using namespace std::chrono_literals;
  const std::string base = "[notifiers.ops]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\n[[alerts]]\nnotify = [\"ops\"]\n";
  EXPECT_EQ(load(base + "group_wait = \"30s\"\n").alerts.at(0).group_wait, 30s);
  EXPECT_EQ(load(base).alerts.at(0).group_wait, 0s);
  EXPECT_THAT(config_errors(base + "group_wait = \"soon\"\n"),
              ElementsAre("hale.toml:6:14: `group_wait`: invalid duration \"soon\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"));
}

}  // namespace
}  // namespace hale
