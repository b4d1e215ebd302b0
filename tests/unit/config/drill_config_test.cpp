// [drills.NAME] (SPEC §7): read into DrillSpecs, and every mistake refused with FILE:LINE:COL
// and a suggestion.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using hale::testing::config_errors;
using ::testing::ElementsAre;

// A config with a check, a heartbeat, a service, a group and two notifiers, then `drill`.
const std::string kBase = R"([groups.voice]
[checks.llama-guard]
type = "tcp"
target = "127.0.0.1:8000"
groups = ["ready", "voice"]
[heartbeats.backup]
period = "1h"
[services.voice-agent]
command = ["./agent"]
require = ["llama-guard"]
[notifiers.ops]
type = "webhook"
url = "http://127.0.0.1:9/hook"
drills = true
[notifiers.pager]
type = "webhook"
url = "http://127.0.0.1:9/pager"
)";
// kBase has 17 lines: a drill starts at line 18.

Config load(const std::string& drill) {
  LoadResult r = load_config_string(kBase + drill, "hale.toml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config.value_or(Config{});
}

TEST(DrillConfig, TheSpecsExampleIsReadWhole) {
  const Config c = load(R"([drills.guard-down]
force = { llama-guard = "fail" }
duration = "30s"
expect = { readyz = 503, "services.voice-agent" = "stopped", "guard.llama-guard" = 503, alerts = ["ops"] }
schedule = "0 4 * * 1"
)");
  ASSERT_EQ(c.drills.size(), 1u);
  const DrillSpec& d = c.drills.front();
  EXPECT_EQ(d.name, "guard-down");
  ASSERT_EQ(d.force.size(), 1u);
  EXPECT_EQ(d.force[0].name, "llama-guard");
  EXPECT_EQ(d.force[0].kind, SubjectKind::kCheck);
  EXPECT_FALSE(d.force[0].notifier);
  EXPECT_EQ(d.force[0].result, Health::kFail);
  EXPECT_EQ(d.duration, std::chrono::seconds(30));
  EXPECT_EQ(d.schedule.cron(), "0 4 * * 1");
  EXPECT_EQ(d.schedule.tz(), "UTC");
  EXPECT_FALSE(d.page);
  EXPECT_THAT(d.expect, ElementsAre(DrillExpectation{"alerts", "ops"}, DrillExpectation{"guard.llama-guard", "503"},
                                    DrillExpectation{"readyz", "503"},
                                    DrillExpectation{"services.voice-agent", "stopped"}));
  EXPECT_TRUE(c.find_notifier("ops")->drills);
  EXPECT_FALSE(c.find_notifier("pager")->drills);
}

TEST(DrillConfig, HeartbeatsNotifiersAndDottedKeysInEitherSpelling) {
  const Config c = load(R"([drills.all]
force = { backup = "down", notifiers.pager = "fail", "checks.llama-guard" = "degraded" }
expect = { heartbeats.backup = "down", groups.voice = 200, "checks.llama-guard" = "degraded", livez = 200, alerts = [] }
page = true
)");
  ASSERT_EQ(c.drills.size(), 1u);
  const DrillSpec& d = c.drills.front();
  ASSERT_EQ(d.force.size(), 3u);
  EXPECT_EQ(d.force[0].name, "backup");
  EXPECT_EQ(d.force[0].kind, SubjectKind::kHeartbeat);
  EXPECT_EQ(d.force[0].result, Health::kFail);
  EXPECT_EQ(d.force[1].name, "llama-guard");
  EXPECT_EQ(d.force[1].result, Health::kDegraded);
  EXPECT_EQ(d.force[2].name, "pager");
  EXPECT_TRUE(d.force[2].notifier);
  EXPECT_TRUE(d.page);
  EXPECT_EQ(d.duration, std::chrono::seconds(30));  // the default
  EXPECT_THAT(d.expect, ElementsAre(DrillExpectation{"alerts", ""}, DrillExpectation{"checks.llama-guard", "degraded"},
                                    DrillExpectation{"groups.voice", "200"},
                                    DrillExpectation{"heartbeats.backup", "down"}, DrillExpectation{"livez", "200"}));
}

TEST(DrillConfig, AnUnknownSubjectIsRefusedWithASuggestion) {
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { llama-gaurd = \"fail\" }\n"),
              ElementsAre("hale.toml:19:25: `force`: no check, heartbeat or notifier named \"llama-gaurd\"; did you "
                          "mean \"llama-guard\"?"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nexpect = { \"services.voice-agnet\" = "
                                    "\"stopped\" }\n"),
              ElementsAre("hale.toml:20:37: `expect` \"services.voice-agnet\": no service named \"voice-agnet\"; did "
                          "you mean \"voice-agent\"?"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nexpect = { alerts = [\"opps\"] }\n"),
              ElementsAre("hale.toml:20:22: `expect` alerts: no notifier named \"opps\"; did you mean \"ops\"?"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nexpect = { readz = 503 }\n"),
              ElementsAre("hale.toml:20:20: `expect`: unknown expectation \"readz\" (expected readyz, livez, alerts, "
                          "routed, checks.NAME, heartbeats.NAME, services.NAME, guard.NAME, groups.NAME); did you mean "
                          "\"readyz\"?"));
}

TEST(DrillConfig, BadValuesAreRefusedWhereTheyAreWritten) {
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"degraded\" }\n"),
              ElementsAre("hale.toml:19:20: `force` of \"backup\": unknown result \"degraded\" (expected fail or ok)"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nexpect = { readyz = 700 }\n"),
              ElementsAre("hale.toml:20:21: `readyz` must be at most 599"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nexpect = { \"services.voice-agent\" = "
                                    "\"stoped\" }\n"),
              ElementsAre("hale.toml:20:37: `expect` \"services.voice-agent\": unknown state \"stoped\" (expected one "
                          "of stopped, starting, running, ready, unhealthy, backoff, stopping, failed, exited); did "
                          "you mean \"stopped\"?"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nduration = \"0s\"\n"),
              ElementsAre("hale.toml:20:12: `duration` must be greater than 0"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\nschedule = \"61 * * * *\"\n"),
              ElementsAre("hale.toml:20:12: `schedule` \"61 * * * *\": minute field \"61\": value out of range 0-59"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = {}\n"),
              ElementsAre("hale.toml:19:9: `force` must name at least one check, heartbeat or notifier"));
  EXPECT_THAT(config_errors(kBase + "[drills.d]\nforce = { backup = \"fail\" }\npages = true\n"),
              ElementsAre("hale.toml:20:1: unknown key `pages` in [drills.d]; did you mean `page`?"));
}

TEST(DrillConfig, ANameThatIsBothACheckAndANotifierMustSayWhich) {
  const std::string both = kBase + "[notifiers.llama-guard]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/x\"\n";
  EXPECT_THAT(config_errors(both + "[drills.d]\nforce = { llama-guard = \"fail\" }\n"),
              ElementsAre("hale.toml:22:25: `force`: \"llama-guard\" is both a check and a notifier: write "
                          "\"checks.llama-guard\" or \"notifiers.llama-guard\""));
  LoadResult r = load_config_string(both + "[drills.d]\nforce = { \"notifiers.llama-guard\" = \"fail\" }\n", "hale.toml");
  ASSERT_TRUE(r.config) << r.errors.front().to_string();
  EXPECT_TRUE(r.config->drills.front().force.front().notifier);
}

TEST(DrillConfig, ADrillSubjectMayBeMatchedByAnAlertRule) {
  const Config c = load("[drills.d]\nforce = { backup = \"fail\" }\nschedule = \"@weekly\"\n"
                        "[[alerts]]\nmatch = \"d\"\nkind = \"drill\"\nnotify = [\"pager\"]\n");
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_THAT(c.alerts.front().kinds, ElementsAre(SubjectKind::kDrill));
}

}  // namespace
}  // namespace hale
