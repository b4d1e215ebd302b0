// CheckState against SPEC §2, as scripts on simulated time: each case feeds verdicts at given
// offsets and states the health after every step.
#include "hale/check_state.h"

#include <gtest/gtest.h>

#include <vector>

#include "support/fake_results.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::result;

struct Step {
  Duration at;        // offset from the start
  Verdict verdict;
  Health expect;      // health after observing
  bool transition;    // whether this step must return a transition
};

struct Case {
  const char* name;
  CheckPolicy policy;
  std::vector<Step> steps;
};

constexpr auto P = Verdict::kPass;
constexpr auto W = Verdict::kWarn;
constexpr auto F = Verdict::kFail;
constexpr auto U = Health::kUnknown;
constexpr auto OK = Health::kOk;
constexpr auto DG = Health::kDegraded;
constexpr auto FL = Health::kFail;

CheckPolicy policy(int fail_n, int ok_n, Duration fail_dur = 0s, Duration start = 0s) {
  CheckPolicy p;
  p.failure_threshold = fail_n;
  p.success_threshold = ok_n;
  p.failure_duration = fail_dur;
  p.start_period = start;
  return p;
}

const std::vector<Case> kCases = {
    {"FirstPassDecidesOkAtOnce", policy(3, 3), {{0ms, P, OK, true}}},
    {"FirstWarnDecidesDegradedAtOnce", policy(3, 3), {{0ms, W, DG, true}}},
    {"LeavingUnknownForFailTakesThreshold",
     policy(3, 1),
     {{0ms, F, U, false}, {100ms, F, U, false}, {200ms, F, FL, true}}},
    {"BlipBelowFailureThresholdKeepsOk",
     policy(3, 1),
     {{0ms, P, OK, true}, {10s, F, OK, false}, {20s, F, OK, false}, {30s, P, OK, false},
      {40s, F, OK, false}, {50s, F, OK, false}, {60s, P, OK, false}}},
    {"SustainedFailureTurnsFailAtThreshold",
     policy(3, 1),
     {{0ms, P, OK, true}, {10s, F, OK, false}, {20s, F, OK, false}, {30s, F, FL, true},
      {40s, F, FL, false}}},
    {"FailureDurationAlsoRequired",
     policy(2, 1, 60s),
     {{0ms, P, OK, true}, {10s, F, OK, false}, {20s, F, OK, false}, {40s, F, OK, false},
      {69s, F, OK, false}, {70s, F, FL, true}}},
    {"PassResetsFailureDurationClock",
     policy(1, 1, 30s),
     {{0ms, P, OK, true}, {10s, F, OK, false}, {35s, P, OK, false}, {40s, F, OK, false},
      {60s, F, OK, false}, {70s, F, FL, true}}},
    {"RecoveryTakesSuccessThreshold",
     policy(1, 3),
     {{0ms, F, FL, true}, {1s, P, FL, false}, {2s, P, FL, false}, {3s, P, OK, true}}},
    {"FailureInterruptsRecovery",
     policy(1, 2),
     {{0ms, F, FL, true}, {1s, P, FL, false}, {2s, F, FL, false}, {3s, P, FL, false},
      {4s, P, OK, true}}},
    {"RecoveryToDegradedOnWarn",
     policy(1, 2),
     {{0ms, F, FL, true}, {1s, W, FL, false}, {2s, W, DG, true}}},
    {"AlternatingPassAndWarnStillLeavesFail",
     policy(1, 2),
     {{0ms, F, FL, true}, {1s, W, FL, false}, {2s, P, OK, true}, {3s, W, OK, false},
      {4s, P, OK, false}}},
    {"OkToDegradedTakesSuccessThresholdWarns",
     policy(3, 2),
     {{0ms, P, OK, true}, {1s, W, OK, false}, {2s, P, OK, false}, {3s, W, OK, false},
      {4s, W, DG, true}, {5s, P, DG, false}, {6s, P, OK, true}}},
    {"WarnIsNotAFailure",
     policy(2, 1),
     {{0ms, P, OK, true}, {1s, F, OK, false}, {2s, W, DG, true}, {3s, F, DG, false},
      {4s, F, FL, true}}},
    {"FailuresInStartPeriodDoNotCount",
     policy(2, 1, 0s, 30s),
     {{0s, F, U, false}, {10s, F, U, false}, {20s, F, U, false}, {30s, F, U, false},
      {40s, F, FL, true}}},
    {"PassEndsStartPeriod",
     policy(2, 1, 0s, 30s),
     {{0s, F, U, false}, {5s, P, OK, true}, {10s, F, OK, false}, {15s, F, FL, true}}},
};

class CheckStateTable : public ::testing::TestWithParam<Case> {};

TEST_P(CheckStateTable, FollowsSpec) {
  const Case& c = GetParam();
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  CheckState state(c.name, c.policy, t0);
  EXPECT_EQ(state.health(), Health::kUnknown);
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& s = c.steps[i];
    auto t = state.observe(result(s.verdict, t0 + s.at), clock.wall_now());
    EXPECT_EQ(state.health(), s.expect) << "step " << i << " at " << s.at.count();
    EXPECT_EQ(t.has_value(), s.transition) << "step " << i;
    if (t) {
      EXPECT_EQ(t->to, s.expect);
      EXPECT_EQ(t->at, t0 + s.at);
      EXPECT_EQ(t->check, c.name);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Spec, CheckStateTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CheckState, TransitionCarriesFromReasonAndEvidence) {
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  CheckState state("db", policy(2, 1), t0);
  state.observe(result(P, t0, "200 OK"), clock.wall_now());
  state.observe(result(F, t0 + 1s, "connection refused"), clock.wall_now());
  auto t = state.observe(result(F, t0 + 2s, "timeout after 1s"), clock.wall_now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, Health::kOk);
  EXPECT_EQ(t->to, Health::kFail);
  EXPECT_EQ(t->reason, "timeout after 1s");
  ASSERT_EQ(t->evidence.size(), 3u);
  EXPECT_EQ(t->evidence.front().reason, "200 OK");
  EXPECT_EQ(t->evidence.back().reason, "timeout after 1s");
  EXPECT_EQ(state.consecutive_failures(), 2);
  EXPECT_EQ(state.since(), t0 + 2s);
}

// The engine's views share the list (docs/scale.md): it must never change once handed out.
TEST(CheckState, TheLastResultsAreOneSharedListThatTheNextResultReplaces) {
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  CheckState state("db", policy(3, 1), t0);
  state.observe(result(P, t0), clock.wall_now());
  const auto held = state.shared_recent();
  EXPECT_EQ(state.shared_recent().get(), held.get());  // shared, not copied, until the next result
  state.observe(result(F, t0 + 1s), clock.wall_now());
  EXPECT_NE(state.shared_recent().get(), held.get());
  ASSERT_EQ(held->size(), 1u);  // what a view holds stays as it was
  EXPECT_EQ(held->front().verdict, P);
  ASSERT_EQ(state.recent().size(), 2u);
  EXPECT_EQ(state.recent().back().verdict, F);

  const auto before_redact = state.shared_recent();
  state.redact_recent([](std::string text) { return text.empty() ? text : "masked"; });
  EXPECT_EQ(before_redact->size(), 2u);
  EXPECT_NE(before_redact->back().reason, "masked");
  ASSERT_EQ(state.recent().size(), 2u);
  EXPECT_EQ(state.recent().back().reason, "masked");
  EXPECT_EQ(state.recent().back().verdict, F);
}

TEST(CheckState, EvidenceIsBounded) {
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  CheckState state("db", policy(100, 1), t0);
  for (int i = 0; i < 50; ++i) state.observe(result(F, t0 + i * 1s), clock.wall_now());
  EXPECT_EQ(state.recent().size(), CheckState::kEvidence);
  EXPECT_EQ(state.consecutive_failures(), 50);
}

TEST(CheckState, ResetReturnsToUnknownWithFreshStartPeriod) {
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  CheckState state("api", policy(1, 1, 0s, 10s), t0);
  state.observe(result(P, t0), clock.wall_now());
  state.observe(result(F, t0 + 1s), clock.wall_now());
  ASSERT_EQ(state.health(), Health::kFail);
  auto t = state.reset(t0 + 2s, clock.wall_now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, Health::kUnknown);
  // Inside the new start period a failure does not count.
  EXPECT_FALSE(state.observe(result(F, t0 + 5s), clock.wall_now()));
  EXPECT_EQ(state.health(), Health::kUnknown);
  EXPECT_TRUE(state.observe(result(F, t0 + 13s), clock.wall_now()));
  EXPECT_EQ(state.health(), Health::kFail);
}

TEST(CheckState, ANewPolicyKeepsTheStatusAndItsThresholdsJudgeTheNextResults) {
  // SPEC §2 (issue 18): a reload that changes how a check is probed keeps its status until the
  // new settings decide, with the usual thresholds.
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  CheckState state("db", policy(2, 1), t0);
  state.observe(result(P, t0), clock.wall_now());
  ASSERT_EQ(state.health(), Health::kOk);
  state.adopt_policy(policy(3, 1));
  EXPECT_EQ(state.health(), Health::kOk) << "a new policy is no verdict";
  EXPECT_EQ(state.since(), t0);
  EXPECT_FALSE(state.observe(result(F, t0 + 1s), clock.wall_now()));
  EXPECT_FALSE(state.observe(result(F, t0 + 2s), clock.wall_now())) << "2 failures: the old threshold, not the new";
  auto t = state.observe(result(F, t0 + 3s), clock.wall_now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, Health::kOk);
  EXPECT_EQ(t->to, Health::kFail);
  // A failure run under way counts on under a lower threshold.
  CheckState other("web", policy(5, 1), t0);
  other.observe(result(P, t0), clock.wall_now());
  other.observe(result(F, t0 + 1s), clock.wall_now());
  other.observe(result(F, t0 + 2s), clock.wall_now());
  other.adopt_policy(policy(3, 1));
  EXPECT_TRUE(other.observe(result(F, t0 + 3s), clock.wall_now()));
}

TEST(CheckState, ThresholdBelowOneIsTreatedAsOne) {
  FakeClock clock;
  CheckState state("x", policy(0, 0), clock.now());
  EXPECT_TRUE(state.observe(result(F, clock.now()), clock.wall_now()));
  EXPECT_EQ(state.health(), Health::kFail);
}

}  // namespace
}  // namespace hale
