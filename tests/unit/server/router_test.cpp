// Router: every endpoint's status code and body from a hand-built Snapshot (no sockets).
#include "hale/server/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/router_fixture.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

// The endpoints of SPEC §3 on three checks (db also live, openai degraded and not critical),
// with a reload that records its calls and hale's process figures as the daemon passes them.
class RouterTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    set_checks({check("db", Health::kOk, true, {"ready", "live"}), check("openai", Health::kDegraded, false),
                check("runner", Health::kOk)});
  }
  void add_to_context(RouterContext& ctx) override {
    // route() reads no /proc of its own: the figures come from the context.
    ctx.process_stats = [] {
      ProcessStats s;
      s.resident_bytes = 4096 * 1000;
      s.threads = 3;
      return std::optional<ProcessStats>(s);
    };
    ctx.reload = [this] {
      ++reloads_;
      return ReloadOutcome{reload_ok_, reload_ok_ ? std::vector<std::string>{}
                                                  : std::vector<std::string>{"f:1:2: bad"},
                           3};
    };
  }
  bool reload_ok_ = true;
  int reloads_ = 0;
};

TEST_F(RouterTest, ReadyzOkWhileDegraded) {
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST_F(RouterTest, ReadyzFailsOnCriticalFailWithListing) {
  set_checks({check("db", Health::kFail), check("web", Health::kOk)});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "[-]db failed: timeout after 1s\n[+]web ok\nreadyz check failed\n");
}

TEST_F(RouterTest, ReadyzVerboseListsEveryCheck) {
  auto r = get("/readyz?verbose");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "[+]db ok\n[+]openai degraded: timeout after 1s\n[+]runner ok\nreadyz check passed\n");
}

TEST_F(RouterTest, ExcludeLeavesACheckOut) {
  set_checks({check("db", Health::kFail), check("web", Health::kOk)});
  EXPECT_EQ(get("/readyz?exclude=db").status, 200);
  auto r = get("/readyz?exclude=db&verbose=1");
  EXPECT_EQ(r.body, "[+]db excluded: ok\n[+]web ok\nreadyz check passed\n");
  EXPECT_EQ(get("/readyz?exclude=web").status, 503);
  // ?exclude is repeatable (kube-apiserver): leave both out.
  set_checks({check("db", Health::kFail), check("cache", Health::kFail), check("web", Health::kOk)});
  EXPECT_EQ(get("/readyz?exclude=db").status, 503);
  EXPECT_EQ(get("/readyz?exclude=db&exclude=cache").status, 200);
  EXPECT_EQ(get("/readyz?exclude=db&exclude=cache&verbose").body,
            "[+]cache excluded: ok\n[+]db excluded: ok\n[+]web ok\nreadyz check passed\n");  // check order
}

TEST_F(RouterTest, AnExcludeThatMatchesNothingGetsKubeApiserversWarningLine) {
  // SPEC §3, byte for byte as kube-apiserver's healthz.go: the unmatched names sorted, each
  // once, Go-quoted, on one line after the checks.
  set_checks({check("db", Health::kOk), check("web", Health::kOk)});
  auto r = get("/readyz?exclude=zeta&exclude=db&exclude=alpha&exclude=zeta&verbose");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "[+]db excluded: ok\n[+]web ok\n"
            "warn: some health checks cannot be excluded: no matches for \"alpha\",\"zeta\"\n"
            "readyz check passed\n");
  EXPECT_EQ(get("/readyz?exclude=nope").body, "ok") << "not verbose and passing: just ok, as kube-apiserver";
  // A failing answer always lists, the warning too.
  set_checks({check("db", Health::kFail)});
  EXPECT_EQ(get("/readyz?exclude=nope").body,
            "[-]db failed: timeout after 1s\nwarn: some health checks cannot be excluded: no matches for \"nope\"\nreadyz check failed\n");
}

TEST_F(RouterTest, LivezMayExcludeTheEventLoopLikeAnyCheck) {
  set_checks({check("db", Health::kOk, true, {"live"})});
  EXPECT_EQ(get("/livez?exclude=eventloop&verbose").body, "[+]eventloop excluded: ok\n[+]db ok\nlivez check passed\n");
}

TEST_F(RouterTest, CriticalUnknownIsNotReadyButLive) {
  set_checks({check("db", Health::kUnknown, true, {"ready", "live"})});
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/livez").status, 200);
  EXPECT_EQ(get("/readyz?verbose").body, "[-]db unknown: no result yet\nreadyz check failed\n");
}

TEST_F(RouterTest, LivezOnlyLooksAtLiveGroup) {
  set_checks({check("db", Health::kOk, true, {"live"}), check("dep", Health::kFail, true, {"ready"})});
  EXPECT_EQ(get("/livez").status, 200);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/livez?verbose").body, "[+]eventloop ok\n[+]db ok\nlivez check passed\n");
}

TEST_F(RouterTest, LivezFailsWhenTheLoopLags) {
  snap_.loop_lag = 6s;
  auto r = get("/livez");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("[-]eventloop failed: lagging 6000 ms"), std::string::npos);
}

TEST_F(RouterTest, PerCheckEndpoints) {
  set_checks({check("db", Health::kFail), check("web", Health::kOk)});
  EXPECT_EQ(get("/readyz/db").status, 503);
  EXPECT_EQ(get("/readyz/web").status, 200);
  EXPECT_EQ(get("/livez/db").status, 503);
  EXPECT_EQ(get("/readyz/nope").status, 404);
  EXPECT_EQ(get("/readyz/web?verbose").body, "[+]web ok\nreadyz/web check passed\n");
}

TEST_F(RouterTest, PerCheckEndpointsJudgeTheCheckItselfCriticalOrNot) {
  set_checks({check("cache", Health::kFail, false), check("new", Health::kUnknown, false)});
  EXPECT_EQ(get("/readyz").status, 200);  // aggregation: a non-critical fail only degrades
  EXPECT_EQ(get("/readyz/cache").status, 503);
  EXPECT_EQ(get("/livez/cache").status, 503);
  EXPECT_EQ(get("/health/cache").status, 503);
  EXPECT_EQ(get("/readyz/new").status, 503);
  EXPECT_EQ(get("/livez/new").status, 200);
  EXPECT_EQ(get("/health/new").status, 200);
}

TEST_F(RouterTest, HealthJsonFollowsSpecShape) {
  auto r = get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["service"], "hale");
  EXPECT_EQ(j["version"], "test");
  EXPECT_EQ(j["uptime_seconds"], 1234);
  EXPECT_EQ(j["timestamp"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(j["checks"]["db"], nlohmann::json::parse(R"({"status":"ok","critical":true,"latency_ms":4})"));
  auto o = j["checks"]["openai"];
  EXPECT_EQ(o["status"], "degraded");
  EXPECT_EQ(o["critical"], false);
  EXPECT_EQ(o["error"], "timeout after 1s");
  EXPECT_EQ(o["consecutive_failures"], 4);
  EXPECT_TRUE(o.contains("since"));
}

TEST_F(RouterTest, HealthIs503WhenFailing) {
  set_checks({check("db", Health::kFail)});
  EXPECT_EQ(get("/health").status, 503);
  EXPECT_EQ(nlohmann::json::parse(get("/health").body)["status"], "fail");
}

TEST_F(RouterTest, HealthIetfFormOnAccept) {
  auto r = get("/health", "application/health+json");
  EXPECT_EQ(r.content_type, "application/health+json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], "warn");
  EXPECT_EQ(j["checks"]["db:responseTime"][0]["status"], "pass");
  EXPECT_EQ(j["checks"]["db:responseTime"][0]["observedValue"], 4);
  EXPECT_EQ(j["checks"]["openai:responseTime"][0]["output"], "timeout after 1s");
}

TEST_F(RouterTest, HealthNameSnapshotAnd404) {
  auto r = get("/health/db");
  EXPECT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["name"], "db");
  EXPECT_EQ(j["target"], "127.0.0.1:5432");
  EXPECT_EQ(get("/health/nope").status, 404);
  EXPECT_EQ(nlohmann::json::parse(get("/health/nope").body)["error"]["code"], "not_found");
}

TEST_F(RouterTest, ApiChecksListsAll) {
  auto j = nlohmann::json::parse(get("/api/v1/checks").body);
  ASSERT_EQ(j["checks"].size(), 3u);
  EXPECT_EQ(j["checks"][0]["name"], "db");
}

TEST_F(RouterTest, ReloadNeedsTheToken) {
  testing::TestRequest req;
  req.method = "POST";
  req.target = "/api/v1/reload";
  EXPECT_EQ(send(req).status, 403);  // no token configured: disabled
  admin_token_ = "s3cret-token";
  EXPECT_EQ(send(req).status, 401);
  req.authorization = "Bearer wrong";
  EXPECT_EQ(send(req).status, 401);
  EXPECT_EQ(reloads_, 0);
  req.authorization = "Bearer s3cret-token";
  auto r = send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(reloads_, 1);
  EXPECT_EQ(nlohmann::json::parse(r.body)["checks"], 3);
  reload_ok_ = false;
  r = send(req);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(nlohmann::json::parse(r.body)["errors"][0], "f:1:2: bad");
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos);
}

TEST_F(RouterTest, WrongMethodIs405) {
  testing::TestRequest req;
  req.method = "POST";
  req.target = "/readyz";
  auto r = send(req);
  EXPECT_EQ(r.status, 405);
  req.method = "GET";
  req.target = "/api/v1/reload";
  EXPECT_EQ(send(req).status, 405);
}

TEST_F(RouterTest, UnknownPathIs404) { EXPECT_EQ(get("/nope").status, 404); }

TEST_F(RouterTest, MetricsExposeChecks) {
  auto r = get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("hale_check_status{check=\"db\",status=\"ok\"} 1"), std::string::npos);
  EXPECT_NE(r.body.find("hale_check_up{check=\"openai\",critical=\"false\"} 1"), std::string::npos);
  EXPECT_NE(r.body.find("process_resident_memory_bytes 4096000\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("process_threads 3\n"), std::string::npos) << r.body;
}

TEST(BearerMatches, ConstantTimeCompareSemantics) {
  EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abcd", "abc"));
  EXPECT_TRUE(bearer_matches("bearer abc", "abc")) << "RFC 7235: the scheme is case-insensitive (issue 17)";
  EXPECT_FALSE(bearer_matches("Bearer ", ""));
  EXPECT_FALSE(bearer_matches("abc", "abc"));
}

}  // namespace
}  // namespace hale
