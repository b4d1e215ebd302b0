// The route table (server/route_table.h): pattern matching, and that every row is reachable.
#include "hale/server/route_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hale {
namespace {

struct Match {
  bool fits;
  std::string name, action;
};

Match match(std::string_view pattern, std::string_view path) {
  std::string_view name = "unset", action = "unset";
  const bool fits = match_route(pattern, path, name, action);
  return {fits, std::string(name), std::string(action)};
}

TEST(MatchRoute, LiteralPathsMatchExactly) {
  EXPECT_TRUE(match("/readyz", "/readyz").fits);
  EXPECT_FALSE(match("/readyz", "/readyz/").fits);
  EXPECT_FALSE(match("/readyz", "/readyzz").fits);
  EXPECT_FALSE(match("/readyz", "/ready").fits);
  EXPECT_FALSE(match("/api/v1/checks", "/api/v1").fits);
  EXPECT_TRUE(match("/", "/").fits);
  EXPECT_FALSE(match("/", "/x").fits);
}

TEST(MatchRoute, ParametersAreOneSegmentEach) {
  auto m = match("/readyz/{name}", "/readyz/db");
  EXPECT_TRUE(m.fits);
  EXPECT_EQ(m.name, "db");
  EXPECT_EQ(m.action, "");
  m = match("/api/v1/services/{name}/{action}", "/api/v1/services/my-worker.2/start");
  EXPECT_TRUE(m.fits);
  EXPECT_EQ(m.name, "my-worker.2");
  EXPECT_EQ(m.action, "start");
  EXPECT_FALSE(match("/readyz/{name}", "/readyz/a/b").fits);
  EXPECT_FALSE(match("/readyz/{name}", "/readyz").fits);
  EXPECT_FALSE(match("/api/v1/services/{name}/{action}", "/api/v1/services/web").fits);
}

TEST(MatchRoute, AnEmptyParameterFitsSoTheHandlerCanSayWhatIsMissing) {
  auto m = match("/api/v1/heartbeats/{name}/{action}", "/api/v1/heartbeats//pause");
  EXPECT_TRUE(m.fits);
  EXPECT_EQ(m.name, "");
  EXPECT_EQ(m.action, "pause");
  m = match("/api/v1/heartbeats/{name}/{action}", "/api/v1/heartbeats/backup/");
  EXPECT_TRUE(m.fits);
  EXPECT_EQ(m.action, "");
}

TEST(MatchRoute, ARestParameterTakesTheRestOfThePath) {
  auto m = match("/ping/{path...}", "/ping/backup/start");
  EXPECT_TRUE(m.fits);
  EXPECT_EQ(m.name, "backup/start");
  m = match("/ping/{path...}", "/ping/");
  EXPECT_TRUE(m.fits);
  EXPECT_EQ(m.name, "");
  EXPECT_FALSE(match("/ping/{path...}", "/ping").fits);
  EXPECT_FALSE(match("/ping/{path...}", "/pingx/a").fits);
}

TEST(RouteAllows, MethodsAreExactWords) {
  Route r{"/x", "GET, HEAD, POST", nullptr};
  EXPECT_TRUE(r.allows("GET"));
  EXPECT_TRUE(r.allows("HEAD"));
  EXPECT_TRUE(r.allows("POST"));
  EXPECT_FALSE(r.allows("GE"));
  EXPECT_FALSE(r.allows("DELETE"));
  EXPECT_FALSE(r.allows("get"));
  EXPECT_FALSE(r.allows(""));
}

// A path made from a pattern, every parameter filled in.
std::string example_path(std::string_view pattern) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      out += "x";
      i = close + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

TEST(Routes, EveryRowIsReachedByItsOwnPathAndMethods) {
  ASSERT_GE(routes().size(), 25u);
  for (const Route& r : routes()) {
    const std::string path = example_path(r.pattern);
    std::string_view methods = r.methods;
    while (!methods.empty()) {
      const std::size_t comma = methods.find(',');
      const std::string_view method = methods.substr(0, comma);
      const RouteLookup found = find_route(method, path);
      EXPECT_EQ(found.route, &r) << method << " " << path << " reaches another row than " << r.pattern;
      methods = comma == std::string_view::npos ? std::string_view{} : methods.substr(comma + 2);
    }
    ASSERT_NE(r.handle, nullptr) << r.pattern;
  }
}

TEST(Routes, AMethodNoRowAllowsFindsThePathsFirstRow) {
  const RouteLookup found = find_route("DELETE", "/readyz");
  EXPECT_EQ(found.route, nullptr);
  ASSERT_NE(found.fits_path, nullptr);
  EXPECT_EQ(found.fits_path->pattern, "/readyz");
  const RouteLookup none = find_route("GET", "/nope");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_EQ(none.fits_path, nullptr);
}

TEST(Routes, OnlyTheProbeEndpointsAndGuardsAnswerAnyHost) {
  std::set<std::string> any;
  for (const Route& r : routes()) {
    if (r.any_host) any.insert(std::string(r.pattern));
  }
  EXPECT_EQ(any, (std::set<std::string>{"/livez", "/healthz", "/readyz", "/livez/{name}", "/readyz/{name}",
                                        "/guard/{name}"}));
}

TEST(Routes, EveryMutatingRouteIsUnderTheApiOrAPing) {
  for (const Route& r : routes()) {
    const bool mutates = r.allows("POST") || r.allows("DELETE");
    if (!mutates) continue;
    EXPECT_TRUE(r.pattern.starts_with("/api/v1/") || r.pattern.starts_with("/ping/")) << r.pattern;
  }
}

}  // namespace
}  // namespace hale
