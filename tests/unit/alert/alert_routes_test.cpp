// Rule matching (SPEC §6): globs and kinds, and first-rule-wins routing per notifier.
#include "hale/alert/alert_routes.h"
#include "hale/alert/subject_match.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

using namespace std::chrono_literals;

AlertRuleSpec rule(std::vector<std::string> match, std::vector<std::string> notify,
                   std::vector<SubjectKind> kinds = {}) {
  AlertRuleSpec r;
  r.match = std::move(match);
  r.notify = std::move(notify);
  r.kinds = std::move(kinds);
  return r;
}

TEST(SubjectMatch, GlobsFollowFnmatch) {
  struct Case {
    const char* pattern;
    const char* name;
    bool match;
  } cases[] = {
      {"*", "db", true},          {"db", "db", true},          {"db", "db2", false},
      {"web-*", "web-status", true}, {"web-*", "web", false},   {"?b", "db", true},
      {"[dw]*", "web", true},     {"[!d]*", "db", false},      {"*.internal", "api.internal", true},
      {"*", "a/b", true},  // no FNM_PATHNAME: '*' crosses '/'
  };
  for (const Case& c : cases) EXPECT_EQ(glob_matches(c.pattern, c.name), c.match) << c.pattern << " " << c.name;
}

TEST(SubjectMatch, KindRestrictsAndEmptyMeansEvery) {
  const SubjectId db{SubjectKind::kCheck, "db"};
  const SubjectId backup{SubjectKind::kHeartbeat, "backup"};
  EXPECT_TRUE(subject_matches({"*"}, {}, db));
  EXPECT_TRUE(subject_matches({"*"}, {}, backup));
  EXPECT_TRUE(subject_matches({"*"}, {SubjectKind::kHeartbeat}, backup));
  EXPECT_FALSE(subject_matches({"*"}, {SubjectKind::kHeartbeat}, db));
  EXPECT_FALSE(subject_matches({"web", "cache"}, {}, db));
}

TEST(AlertRoutes, FirstMatchingRuleWinsPerNotifier) {
  AlertRuleSpec pager = rule({"db"}, {"pager", "ops"});
  pager.after = 0s;
  pager.repeat = 30min;
  AlertRuleSpec catch_all = rule({"*"}, {"ops", "email"});
  catch_all.after = 5min;
  const auto routes = routes_for({SubjectKind::kCheck, "db"}, {pager, catch_all});
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].notifier, "pager");
  EXPECT_EQ(routes[1].notifier, "ops");
  EXPECT_EQ(routes[1].policy.repeat, 30min) << "ops is claimed by the first rule";
  EXPECT_EQ(routes[1].rule_index, 0u);
  EXPECT_EQ(routes[2].notifier, "email");
  EXPECT_EQ(routes[2].policy.after, 5min);
  EXPECT_EQ(routes[2].rule_index, 1u);

  const auto web = routes_for({SubjectKind::kCheck, "web"}, {pager, catch_all});
  ASSERT_EQ(web.size(), 2u);
  EXPECT_EQ(web[0].notifier, "ops");
  EXPECT_EQ(web[0].policy.after, 5min);
}

TEST(AlertRoutes, NoMatchingRuleNoRoute) {
  EXPECT_TRUE(routes_for({SubjectKind::kService, "web"}, {rule({"*"}, {"ops"}, {SubjectKind::kCheck})}).empty());
  EXPECT_TRUE(routes_for({SubjectKind::kCheck, "db"}, {}).empty());
}

}  // namespace
}  // namespace hale
