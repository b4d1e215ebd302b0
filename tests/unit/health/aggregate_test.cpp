// Aggregation (SPEC §3) as a table: statuses and critical flags in, group answer out.
#include "hale/aggregate.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

struct C {
  Health status;
  bool critical;
};

struct Case {
  const char* name;
  std::vector<C> checks;
  Health live, ready;
  Health health() const {  // /health: like readiness, but `unknown` is not a failure
    for (const C& c : checks) {
      if (c.status == Health::kUnknown && c.critical) return live;
    }
    return ready;
  }
};

constexpr auto U = Health::kUnknown;
constexpr auto OK = Health::kOk;
constexpr auto DG = Health::kDegraded;
constexpr auto FL = Health::kFail;

const std::vector<Case> kCases = {
    {"EmptyIsOk", {}, OK, OK},
    {"AllOk", {{OK, true}, {OK, false}}, OK, OK},
    {"CriticalFailFails", {{OK, true}, {FL, true}}, FL, FL},
    {"NonCriticalFailDegrades", {{OK, true}, {FL, false}}, DG, DG},
    {"DegradedDegrades", {{DG, true}, {OK, true}}, DG, DG},
    {"CriticalUnknownNotReadyButLive", {{U, true}, {OK, true}}, OK, FL},
    {"NonCriticalUnknownIsFine", {{U, false}, {OK, true}}, OK, OK},
    {"FailWinsOverDegraded", {{DG, true}, {FL, true}, {FL, false}}, FL, FL},
};

class AggregateTable : public ::testing::TestWithParam<Case> {};

TEST_P(AggregateTable, FollowsSpec) {
  std::vector<CheckView> views;
  for (const C& c : GetParam().checks) {
    CheckView v;
    v.status = c.status;
    v.critical = c.critical;
    views.push_back(v);
  }
  std::vector<const CheckView*> ptrs;
  for (auto& v : views) ptrs.push_back(&v);
  EXPECT_EQ(aggregate(ptrs, Question::kLive), GetParam().live);
  EXPECT_EQ(aggregate(ptrs, Question::kReady), GetParam().ready);
  EXPECT_EQ(aggregate(ptrs, Question::kHealth), GetParam().health());
}

INSTANTIATE_TEST_SUITE_P(Spec, AggregateTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

std::shared_ptr<const CheckView> view(std::string name, Health h, std::vector<std::string> groups) {
  auto v = std::make_shared<CheckView>();
  v->name = std::move(name);
  v->status = h;
  v->groups = std::move(groups);
  return v;
}

TEST(Aggregate, SelectByGroupAndExclude) {
  Snapshot s;
  s.checks = {view("a", FL, {"live"}), view("b", OK, {"ready"}), view("c", FL, {"ready", "live"})};
  EXPECT_EQ(select(s, "ready", {}).size(), 2u);
  EXPECT_EQ(select(s, "live", {}).size(), 2u);
  EXPECT_EQ(select(s, "", {}).size(), 3u);
  auto ready = select(s, "ready", {"c"});
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0]->name, "b");
  EXPECT_EQ(aggregate(select(s, "ready", {}), Question::kReady), FL);
  EXPECT_EQ(aggregate(select(s, "ready", {"c"}), Question::kReady), OK);
}

TEST(Aggregate, ACheckAReloadAddedHoldsNothingUntilItsFirstResult) {
  // SPEC §2 (issue 18): listed as unknown, but a critical `joining` check keeps /readyz (and
  // every group) as it was; at start-up (not joining) it holds /readyz at 503.
  Snapshot s;
  auto added = std::make_shared<CheckView>(*view("new", U, {"ready", "live", "edge"}));
  added->joining = true;
  s.checks = {view("db", OK, {"ready", "edge"}), added};
  s.custom_groups = {"edge"};
  finalize(s);
  EXPECT_EQ(s.ready, OK);
  EXPECT_EQ(s.live, OK);
  EXPECT_EQ(aggregate(select(s, "edge", {}), Question::kReady), OK);
  EXPECT_FALSE(counts_as_failing(*added, Question::kReady));
  added->joining = false;  // as at start-up
  EXPECT_TRUE(counts_as_failing(*added, Question::kReady));
  // Joining is about `unknown` only: a joining check that failed fails.
  added->joining = true;
  added->status = FL;
  EXPECT_TRUE(counts_as_failing(*added, Question::kReady));
}

TEST(Aggregate, FinalizePrecomputesGroupAnswers) {
  Snapshot s;
  s.checks = {view("a", OK, {"live"}), view("b", U, {"ready"}), view("c", DG, {"ready"})};
  finalize(s);
  EXPECT_EQ(s.live, OK);
  EXPECT_EQ(s.ready, FL);  // b is a critical unknown
  EXPECT_EQ(s.overall, DG);  // /health: unknown is not a failure, c degrades
  EXPECT_NE(s.find("b"), nullptr);
  EXPECT_EQ(s.find("zz"), nullptr);
}

}  // namespace
}  // namespace hale
