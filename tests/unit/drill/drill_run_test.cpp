// A drill run's judging (SPEC §7): each expectation against what is seen, alerts as a set, and
// a run that never settled failing whatever its rows say.
#include "hale/drill/drill_run.h"

#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

namespace hale {
namespace {

ExpectationSeen seen_from(std::map<std::string, std::string> m) {
  return [m](const DrillExpectation& e) -> std::optional<std::string> {
    auto it = m.find(e.key);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(DrillJudge, EachRowSaysWantedSeenAndWhetherItHeld) {
  const std::vector<DrillExpectation> expect{{"alerts", "ops, pager"}, {"readyz", "503"},
                                             {"services.voice-agent", "stopped"}};
  const auto rows = judge_expectations(
      expect, seen_from({{"alerts", "pager, ops"}, {"readyz", "200"}, {"services.voice-agent", "stopped"}}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (DrillRow{"alerts", "ops, pager", "pager, ops", true}));  // a set: order does not matter
  EXPECT_EQ(rows[1], (DrillRow{"readyz", "503", "200", false}));
  EXPECT_EQ(rows[2], (DrillRow{"services.voice-agent", "stopped", "stopped", true}));
}

TEST(DrillJudge, NoAlertsWantedAndNoneSeenHolds) {
  const auto rows = judge_expectations({{"alerts", ""}}, seen_from({{"alerts", ""}}));
  EXPECT_EQ(rows.front(), (DrillRow{"alerts", "none", "none", true}));
  const auto extra = judge_expectations({{"alerts", ""}}, seen_from({{"alerts", "pager"}}));
  EXPECT_EQ(extra.front(), (DrillRow{"alerts", "none", "pager", false}));
}

TEST(DrillJudge, ASubjectThatIsGoneIsNotThere) {
  const auto rows = judge_expectations({{"services.gone", "stopped"}}, seen_from({}));
  EXPECT_EQ(rows.front(), (DrillRow{"services.gone", "stopped", "not there", false}));
}

TEST(DrillJudge, PassedNeedsTheForcedStateSettledAndEveryRow) {
  DrillRun run;
  run.rows = {{"readyz", "503", "503", true}};
  EXPECT_FALSE(drill_passed(run));  // never settled
  run.settled_after = std::chrono::seconds(2);
  EXPECT_TRUE(drill_passed(run));
  run.rows.push_back({"guard.x", "503", "204", false});
  EXPECT_FALSE(drill_passed(run));
  EXPECT_EQ(drill_failure_summary(run), "guard.x: wanted 503, seen 204");
}

TEST(DrillJson, TheRunAndTheSpecAsTheApiShowsThem) {
  DrillRun run;
  run.id = "abc";
  run.drill = "guard-down";
  run.trigger = "api";
  run.state = DrillState::kFailed;
  run.settled_after = std::chrono::milliseconds(1500);
  run.forced = {DrillForce{SubjectKind::kCheck, false, "llama-guard", Health::kFail},
                DrillForce{SubjectKind::kCheck, true, "ops", Health::kFail}};
  run.rows = {{"readyz", "503", "200", false}};
  const nlohmann::json j = to_json(run);
  EXPECT_EQ(j["state"], "failed");
  EXPECT_EQ(j["settled_after_ms"], 1500);
  EXPECT_EQ(j["forced"], (nlohmann::json{{"checks.llama-guard", "fail"}, {"notifiers.ops", "fail"}}));
  EXPECT_EQ(j["expectations"][0], (nlohmann::json{{"expectation", "readyz"}, {"wanted", "503"}, {"seen", "200"},
                                                  {"held", false}}));
  EXPECT_TRUE(j["ended_at"].is_null());

  DrillSpec spec;
  spec.name = "guard-down";
  spec.force = run.forced;
  spec.expect = {{"readyz", "503"}};
  const nlohmann::json s = to_json(spec);
  EXPECT_EQ(s["duration"], "30s");
  EXPECT_TRUE(s["schedule"].is_null());
  EXPECT_EQ(s["expect"], (nlohmann::json{{"readyz", "503"}}));
}

}  // namespace
}  // namespace hale
