// Router, heartbeats part (SPEC §3, §5): /ping/NAME[/...], POST /api/v1/heartbeats/NAME/ACTION,
// GET /api/v1/heartbeats[/NAME], "heartbeats" in /health (and its IETF form), /health/NAME, and
// heartbeats in /readyz, /livez and /groupz/NAME, from a hand-built Snapshot and
// HeartbeatsSnapshot and a recording ctx.ping (no sockets, no monitor).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hale/heartbeat/ping_request.h"
#include "hale/server/router.h"
#include "support/router_fixture.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kLateReason = "no ping since the run expected at 2025-12-31T23:50:00Z";
constexpr const char* kDownReason = "no ping within 30m of the run expected at 2025-12-31T23:00:00Z";
constexpr const char* kPingToken = "tok-S3CRET-77";  // a heartbeat's ping token
constexpr const char* kAdminToken = "adm-s3cret";

json not_found(std::string message) { return json{{"error", {{"code", "not_found"}, {"message", message}}}}; }

// What the router handed to ctx.ping, copied (PingCall holds views).
struct SeenPing {
  std::string name;
  PingKind kind = PingKind::kSuccess;
  int exit_code = 0;
  bool exit_code_over_255 = false;
  std::string body;
  std::uint64_t body_bytes = 0;
  std::optional<std::string> token;
};

// Heartbeats in the context: none until a test sets them (none configured); /ping/NAME... and
// pause | resume record what the router handed over and answer ping_answer_ / action_result_.
class RouterHeartbeatsTest : public testing::RouterFixture {
 protected:
  void SetUp() override { set_checks({check("db", Health::kOk, true, {"ready", "live"}), check("runner", Health::kOk)}); }

  // A heartbeat in `state` as the monitor would publish it; tests change what they need.
  std::shared_ptr<HeartbeatView> hb(std::string name, HeartbeatStatus state, bool critical = true,
                                    std::vector<std::string> groups = {}) {
    auto v = std::make_shared<HeartbeatView>();
    v->name = std::move(name);
    v->state = state;
    v->critical = critical;
    v->groups = std::move(groups);
    v->schedule = "0 3 * * * (UTC)";
    v->grace = 30min;
    v->since = clock_.wall_now() - 600s;  // 2025-12-31T23:50:00Z
    switch (state) {
      case HeartbeatStatus::kNew: v->reason = "no ping yet"; break;
      case HeartbeatStatus::kUp: v->reason = "last run succeeded"; break;
      case HeartbeatStatus::kRunning: v->reason = "started"; break;
      case HeartbeatStatus::kLate: v->reason = kLateReason; break;
      case HeartbeatStatus::kDown: v->reason = kDownReason; break;
      case HeartbeatStatus::kPaused: v->reason = "paused by an operator"; break;
    }
    return v;
  }

  void add_to_context(RouterContext& ctx) override {
    if (with_ping_) {
      ctx.ping = [this](const PingCall& call) {
        SeenPing seen;
        seen.name = std::string(call.name);
        seen.kind = call.kind;
        seen.exit_code = call.exit_code;
        seen.exit_code_over_255 = call.exit_code_over_255;
        seen.body = std::string(call.body);
        seen.body_bytes = call.body_bytes;
        if (call.token) seen.token = std::string(*call.token);
        pings_.push_back(std::move(seen));
        return ping_answer_;
      };
    }
    if (with_action_) {
      ctx.heartbeat_action = [this](std::string_view name, std::string_view action) {
        actions_.emplace_back(std::string(name) + " " + std::string(action));
        return action_result_;
      };
    }
  }

  bool with_ping_ = true;
  PingAnswer ping_answer_{200, "OK\n"};
  std::vector<SeenPing> pings_;
  bool with_action_ = true;
  HeartbeatActionResult action_result_;
  std::vector<std::string> actions_;  // "NAME ACTION", in order
};

// --- /ping/NAME[/start|/fail|/log|/CODE] ----------------------------------------------------

TEST_F(RouterHeartbeatsTest, PingTakesGetHeadAndPost) {
  for (const char* method : {"GET", "HEAD", "POST"}) {
    auto r = request(method, "/ping/backup");
    EXPECT_EQ(r.status, 200) << method;
    EXPECT_EQ(r.body, "OK\n") << method;
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8") << method;
  }
  ASSERT_EQ(pings_.size(), 3u);
  for (const SeenPing& p : pings_) {
    EXPECT_EQ(p.name, "backup");
    EXPECT_EQ(p.kind, PingKind::kSuccess);
  }
}

TEST_F(RouterHeartbeatsTest, PingOtherMethodsAre405WithAllow) {
  for (const char* method : {"PUT", "DELETE", "PATCH", "OPTIONS"}) {
    auto r = request(method, "/ping/backup/start");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(header(r, "Allow"), "GET, HEAD, POST") << method;
  }
  EXPECT_TRUE(pings_.empty());
}

TEST_F(RouterHeartbeatsTest, PingEverySuffixReachesPingWithItsKindAndCode) {
  struct Case {
    const char* target;
    PingKind kind;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {"/ping/backup", PingKind::kSuccess, 0},       {"/ping/backup/", PingKind::kSuccess, 0},
      {"/ping/backup/start", PingKind::kStart, 0},   {"/ping/backup/fail", PingKind::kFail, 0},
      {"/ping/backup/log", PingKind::kLog, 0},       {"/ping/backup/0", PingKind::kExitCode, 0},
      {"/ping/backup/42", PingKind::kExitCode, 42},  {"/ping/backup/255", PingKind::kExitCode, 255},
      {"/ping/db.dump-1/start?token=x", PingKind::kStart, 0},
  };
  for (const Case& c : cases) {
    pings_.clear();
    auto r = request("POST", c.target);
    EXPECT_EQ(r.status, 200) << c.target;
    ASSERT_EQ(pings_.size(), 1u) << c.target;
    EXPECT_EQ(pings_[0].name, std::string(c.target).find("db.dump-1") != std::string::npos ? "db.dump-1" : "backup")
        << c.target;
    EXPECT_EQ(pings_[0].kind, c.kind) << c.target;
    EXPECT_EQ(pings_[0].exit_code, c.exit_code) << c.target;
  }
}

TEST_F(RouterHeartbeatsTest, AnExitCodeOver255GoesToThePingAsBad) {
  // The monitor answers it (404 for an unknown name first, then 400), as healthchecks.io does.
  ping_answer_ = {400, "invalid url format\n"};
  auto r = get("/ping/backup/256");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "invalid url format\n");
  ASSERT_EQ(pings_.size(), 1u);
  EXPECT_EQ(pings_[0].name, "backup");
  EXPECT_TRUE(pings_[0].exit_code_over_255);
  get("/ping/backup/0003");
  ASSERT_EQ(pings_.size(), 2u);
  EXPECT_EQ(pings_[1].exit_code, 3);
  EXPECT_FALSE(pings_[1].exit_code_over_255);
}

TEST_F(RouterHeartbeatsTest, BadPingUrlsAre404WithoutCallingPing) {
  for (const char* target : {"/ping/x/abc", "/ping/x/-1", "/ping/x/1e2", "/ping/", "/ping//start",
                             "/ping/x/start/more", "/ping/x/fail/0", "/ping/x/log/extra"}) {
    for (const char* method : {"GET", "POST"}) {
      auto r = request(method, target);
      EXPECT_EQ(r.status, 404) << method << " " << target;
      EXPECT_EQ(r.body, "not a ping URL: use /ping/NAME, /ping/NAME/start, /fail, /log or /EXIT_CODE\n")
          << method << " " << target;
    }
  }
  EXPECT_TRUE(pings_.empty());
  // "/ping" itself is no ping route at all.
  EXPECT_EQ(get("/ping").status, 404);
  EXPECT_TRUE(pings_.empty());
}

TEST_F(RouterHeartbeatsTest, PingPassesTheBodyAndItsLengthOnTheWire) {
  request("POST", "/ping/backup/0", "", "dumped 12 tables\nDONE\n");
  ASSERT_EQ(pings_.size(), 1u);
  EXPECT_EQ(pings_[0].body, "dumped 12 tables\nDONE\n");
  EXPECT_EQ(pings_[0].body_bytes, 22u) << "body_bytes unset: the body's own length";

  // The server kept only the tail of a long body: the tail and the wire length go through.
  const std::string tail(kMaxPingBody, 't');
  request("POST", "/ping/backup/1", "", tail, 5'000'000);
  ASSERT_EQ(pings_.size(), 2u);
  EXPECT_EQ(pings_[1].body, tail);
  EXPECT_EQ(pings_[1].body_bytes, 5'000'000u);
  EXPECT_EQ(pings_[1].exit_code, 1);

  // No body.
  request("GET", "/ping/backup");
  ASSERT_EQ(pings_.size(), 3u);
  EXPECT_EQ(pings_[2].body, "");
  EXPECT_EQ(pings_[2].body_bytes, 0u);
}

TEST_F(RouterHeartbeatsTest, PingTokenFromTheQueryWinsOverTheBearerHeader) {
  request("GET", "/ping/backup?token=from-query", "Bearer from-header");
  ASSERT_EQ(pings_.size(), 1u);
  EXPECT_EQ(pings_[0].token, std::optional<std::string>("from-query"));

  request("POST", "/ping/backup/start", "Bearer from-header");
  ASSERT_EQ(pings_.size(), 2u);
  EXPECT_EQ(pings_[1].token, std::optional<std::string>("from-header"));

  request("POST", "/ping/backup/fail");
  ASSERT_EQ(pings_.size(), 3u);
  EXPECT_EQ(pings_[2].token, std::nullopt);

  // Not a bearer header: no token.
  request("GET", "/ping/backup", "Basic dXNlcjpwYXNz");
  ASSERT_EQ(pings_.size(), 4u);
  EXPECT_EQ(pings_[3].token, std::nullopt);

  // Percent-decoded, other parameters ignored, the first ?token= taken.
  request("GET", "/ping/backup/0?x=1&token=a%2Bb%2Fc&token=second");
  ASSERT_EQ(pings_.size(), 5u);
  EXPECT_EQ(pings_[4].token, std::optional<std::string>("a+b/c"));
  EXPECT_EQ(pings_[4].kind, PingKind::kExitCode);
}

TEST_F(RouterHeartbeatsTest, PingAnswerIsTheResponse) {
  ping_answer_ = {401, "missing or wrong token: send it as ?token= or Authorization: Bearer\n"};
  auto r = request("POST", "/ping/backup", "", "out");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "missing or wrong token: send it as ?token= or Authorization: Bearer\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");

  ping_answer_ = {404, "no heartbeat named \"ghost\"\n"};
  r = request("GET", "/ping/ghost/start");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "no heartbeat named \"ghost\"\n");
  EXPECT_EQ(pings_.size(), 2u);
}

TEST_F(RouterHeartbeatsTest, PingWithoutAMonitorIs404NamingTheHeartbeat) {
  with_ping_ = false;
  auto r = request("POST", "/ping/backup/start?token=x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "no heartbeat named \"backup\"\n");
  // A bad URL is still called one.
  EXPECT_EQ(request("GET", "/ping/backup/nope").body.rfind("not a ping URL", 0), 0u);
}

TEST_F(RouterHeartbeatsTest, PingNeedsNoAdminToken) {
  admin_token_ = kAdminToken;
  auto r = request("POST", "/ping/backup/0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(pings_.size(), 1u);
}

TEST_F(RouterHeartbeatsTest, ThePingTokenNeverShowsInAResponse) {
  const std::string token = kPingToken;
  const std::string q = "?token=" + token;
  const std::string bearer = "Bearer " + token;
  auto no_token = [&](const HttpResponse& r, const std::string& what) {
    EXPECT_EQ(r.body.find("S3CRET"), std::string::npos) << what << ": " << r.body;
    for (const auto& [k, v] : r.headers) EXPECT_EQ(v.find("S3CRET"), std::string::npos) << what << ": " << k;
  };
  for (const PingAnswer& answer :
       {PingAnswer{200, "OK\n"},
        PingAnswer{401, "missing or wrong token: send it as ?token= or Authorization: Bearer\n"},
        PingAnswer{404, "no heartbeat named \"backup\"\n"}}) {
    ping_answer_ = answer;
    for (const std::string target : {"/ping/backup", "/ping/backup/start", "/ping/backup/3", "/ping/backup/log"}) {
      no_token(request("GET", target + q), "GET " + target + q);
      no_token(request("HEAD", target + q), "HEAD " + target + q);
      no_token(request("POST", target, bearer, "output"), "POST " + target + " (bearer)");
      no_token(request("POST", target + q, bearer), "POST " + target + q + " (both)");
    }
  }
  no_token(request("PUT", "/ping/backup" + q, bearer), "PUT");
  no_token(request("GET", "/ping/backup/bogus" + q, bearer), "bad suffix");
  no_token(request("GET", "/ping/" + q, bearer), "no name");
  with_ping_ = false;
  no_token(request("GET", "/ping/backup" + q, bearer), "no monitor");
  // The token did reach ping (so the assertions above were about a token the router held).
  ASSERT_FALSE(pings_.empty());
  for (const SeenPing& p : pings_) EXPECT_EQ(p.token, std::optional<std::string>(token));
}

TEST_F(RouterHeartbeatsTest, ReasonsAndOutputsAreRenderedAsGiven) {
  // Redaction happens when the monitor builds the view: the router shows the view's text as is
  // (JSON-escaped), and a job's output that is not UTF-8 (binary, or an excerpt cut inside a
  // character) is shown with replacement characters instead of failing the answer.
  const std::string reason = "exit code 2: \"curl -H 'Authorization: ***'\" failed <see log> & retry";
  const std::string output = std::string("line 1\n\tquoted \"x\" \\ back\nc\xc3") + "\xff" + "end";
  auto down = hb("backup", HeartbeatStatus::kDown, true, {"ready"});
  down->reason = reason;
  HeartbeatRun run;
  run.ended = clock_.wall_now() - 60s;
  run.exit_code = 2;
  run.verdict = reason;
  run.output_excerpt = output;
  down->runs = {run};
  set_heartbeats({down});

  for (const char* target : {"/api/v1/heartbeats/backup", "/health/backup"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, std::string(target).starts_with("/health") ? 503 : 200) << target;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["reason"], reason) << target;
    EXPECT_EQ(j["error"], reason) << target;
    EXPECT_EQ(j["runs"][0]["verdict"], reason) << target;
    EXPECT_EQ(j["runs"][0]["output"], "line 1\n\tquoted \"x\" \\ back\nc\xef\xbf\xbd\xef\xbf\xbd" "end") << target;
  }
  auto h = get("/health");
  EXPECT_EQ(h.status, 503);
  auto j = json::parse(h.body);
  EXPECT_EQ(j["heartbeats"]["backup"]["error"], reason);
  EXPECT_EQ(j["heartbeats"]["backup"]["last_run"]["output"],
            "line 1\n\tquoted \"x\" \\ back\nc\xef\xbf\xbd\xef\xbf\xbd" "end");
  auto ietf = json::parse(get("/health", "application/health+json").body);
  EXPECT_EQ(ietf["checks"]["backup:heartbeat"][0]["output"], reason);
  EXPECT_EQ(get("/readyz?verbose").body,
            "[+]db ok\n[+]runner ok\n[-]heartbeats/backup down: " + reason + "\nreadyz check failed\n");
  // No member anywhere is called anything like a token.
  for (const std::string& body : {get("/api/v1/heartbeats").body, h.body}) {
    EXPECT_EQ(body.find("token"), std::string::npos) << body;
  }
}

// --- POST /api/v1/heartbeats/NAME/pause|resume -----------------------------------------------

TEST_F(RouterHeartbeatsTest, ActionsAreDisabledWithoutAnAdminToken) {
  auto r = request("POST", "/api/v1/heartbeats/backup/pause", "Bearer anything");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "api_disabled");
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterHeartbeatsTest, ActionsNeedTheBearerToken) {
  admin_token_ = kAdminToken;
  for (const char* auth : {"", "Bearer wrong", "Bearer adm-s3cretX", "Basic adm-s3cret", "adm-s3cret",
                           "Bearer tok-S3CRET-77"}) {
    auto r = request("POST", "/api/v1/heartbeats/backup/resume", auth);
    EXPECT_EQ(r.status, 401) << auth;
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer") << auth;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "unauthorized") << auth;
    EXPECT_EQ(r.body.find("s3cret"), std::string::npos);
  }
  // The ping token is not an admin token, not even as ?token=.
  EXPECT_EQ(request("POST", "/api/v1/heartbeats/backup/pause?token=adm-s3cret").status, 401);
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterHeartbeatsTest, ActionAnswersNameActionAndTheNewState) {
  admin_token_ = kAdminToken;
  action_result_.state = HeartbeatStatus::kPaused;
  auto r = request("POST", "/api/v1/heartbeats/backup/pause", "Bearer adm-s3cret");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body), json::parse(R"J({"name":"backup","action":"pause","state":"paused"})J"));

  action_result_.state = HeartbeatStatus::kUp;
  r = request("POST", "/api/v1/heartbeats/db.dump-1/resume?x=y", "Bearer adm-s3cret");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"J({"name":"db.dump-1","action":"resume","state":"up"})J"));

  EXPECT_EQ(actions_, (std::vector<std::string>{"backup pause", "db.dump-1 resume"}));
}

TEST_F(RouterHeartbeatsTest, UnknownActionIs404) {
  admin_token_ = kAdminToken;
  for (const char* action : {"stop", "PAUSE", "restart", ""}) {
    auto r = request("POST", std::string("/api/v1/heartbeats/backup/") + action, "Bearer adm-s3cret");
    EXPECT_EQ(r.status, 404) << action;
    EXPECT_EQ(r.content_type, "application/json");
    auto j = json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "not_found") << action;
    EXPECT_EQ(j["error"]["message"], std::string("no action \"") + action + "\" (pause, resume)");
  }
  auto r = request("POST", "/api/v1/heartbeats//pause", "Bearer adm-s3cret");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"]["message"], "use POST /api/v1/heartbeats/NAME/pause|resume");
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterHeartbeatsTest, OtherMethodsOnAnActionUrlAre405) {
  admin_token_ = kAdminToken;
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
    auto r = request(method, "/api/v1/heartbeats/backup/pause", "Bearer adm-s3cret");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(header(r, "Allow"), "POST") << method;
  }
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterHeartbeatsTest, MonitorErrorsPassThroughAsJson) {
  admin_token_ = kAdminToken;
  action_result_ = HeartbeatActionResult{404, "not_found", "no heartbeat named \"ghost\"", HeartbeatStatus::kNew};
  auto r = request("POST", "/api/v1/heartbeats/ghost/pause", "Bearer adm-s3cret");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body), not_found("no heartbeat named \"ghost\""));
  EXPECT_EQ(actions_, (std::vector<std::string>{"ghost pause"}));
}

TEST_F(RouterHeartbeatsTest, ActionWithoutAMonitorIs404NamingTheHeartbeat) {
  admin_token_ = kAdminToken;
  with_action_ = false;
  auto r = request("POST", "/api/v1/heartbeats/backup/pause", "Bearer adm-s3cret");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body), not_found("no heartbeat named \"backup\""));
  // Auth still comes first.
  EXPECT_EQ(request("POST", "/api/v1/heartbeats/backup/pause", "Bearer wrong").status, 401);
}

// --- GET /api/v1/heartbeats[/NAME] -----------------------------------------------------------

class RouterHeartbeatsApiTest : public RouterHeartbeatsTest {
 protected:
  void SetUp() override {
    RouterHeartbeatsTest::SetUp();
    const WallTime now = clock_.wall_now();
    auto backup = hb("backup", HeartbeatStatus::kUp, true, {"ready", "nightly"});
    backup->since = now - 3600s;
    backup->last_ping = now - 3600s;
    backup->next_expected = now + 3h;
    backup->last_success = now - 3600s;
    HeartbeatRun ok;  // newest: with a /start, exit code 0
    ok.started = now - 3600s - 95250ms;
    ok.ended = now - 3600s;
    ok.exit_code = 0;
    ok.verdict = "success";
    ok.output_excerpt = "dumped 12 tables\n";
    HeartbeatRun failed;  // /fail without a /start
    failed.ended = now - 86400s;
    failed.verdict = "failed (/fail)";
    failed.output_excerpt = "ERROR: disk full\n";
    HeartbeatRun code;  // oldest: exit code 3 after a /start
    code.started = now - 2 * 86400s - 10s;
    code.ended = now - 2 * 86400s;
    code.exit_code = 3;
    code.verdict = "exit code 3";
    backup->runs = {ok, failed, code};

    auto sync = hb("sync", HeartbeatStatus::kDown, false);
    sync->schedule = "every 1h";
    sync->grace = 5min;
    sync->consecutive_failures = 2;
    sync->running_since = now - 7200s;

    set_heartbeats({sync, backup});
  }
};

TEST_F(RouterHeartbeatsApiTest, ListHasEveryHeartbeatSortedByName) {
  auto r = get("/api/v1/heartbeats");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = json::parse(r.body);
  ASSERT_TRUE(j["heartbeats"].is_array());
  ASSERT_EQ(j["heartbeats"].size(), 2u);
  EXPECT_EQ(j["heartbeats"][0], json::parse(get("/api/v1/heartbeats/backup").body));
  EXPECT_EQ(j["heartbeats"][1], json::parse(get("/api/v1/heartbeats/sync").body));
}

TEST_F(RouterHeartbeatsApiTest, DetailInFullWithRunsNewestFirst) {
  auto r = get("/api/v1/heartbeats/backup");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const json want = json::parse(R"J({
    "name": "backup",
    "status": "ok",
    "critical": true,
    "state": "up",
    "since": "2025-12-31T23:00:00Z",
    "consecutive_failures": 0,
    "last_success": "2025-12-31T23:00:00Z",
    "schedule": "0 3 * * * (UTC)",
    "last_ping": "2025-12-31T23:00:00Z",
    "next_expected": "2026-01-01T03:00:00Z",
    "last_run": {"started": "2025-12-31T22:58:24Z", "ended": "2025-12-31T23:00:00Z", "duration_ms": 95250,
                 "exit_code": 0, "verdict": "success", "output": "dumped 12 tables\n"},
    "reason": "last run succeeded",
    "groups": ["ready", "nightly"],
    "grace_seconds": 1800,
    "runs": [
      {"started": "2025-12-31T22:58:24Z", "ended": "2025-12-31T23:00:00Z", "duration_ms": 95250,
       "exit_code": 0, "verdict": "success", "output": "dumped 12 tables\n"},
      {"started": null, "ended": "2025-12-31T00:00:00Z", "duration_ms": null,
       "exit_code": null, "verdict": "failed (/fail)", "output": "ERROR: disk full\n"},
      {"started": "2025-12-29T23:59:50Z", "ended": "2025-12-30T00:00:00Z", "duration_ms": 10000,
       "exit_code": 3, "verdict": "exit code 3", "output": ""}
    ]
  })J");
  const json got = json::parse(r.body);
  EXPECT_EQ(got, want) << got.dump(2);
  // exit_code is a number, not a string.
  EXPECT_TRUE(got["runs"][0]["exit_code"].is_number_integer());
  EXPECT_TRUE(got["runs"][0]["duration_ms"].is_number_integer());
}

TEST_F(RouterHeartbeatsApiTest, DetailOfADownHeartbeatWithoutRuns) {
  auto j = json::parse(get("/api/v1/heartbeats/sync").body);
  const json want = json::parse(R"J({
    "name": "sync",
    "status": "fail",
    "critical": false,
    "state": "down",
    "error": "no ping within 30m of the run expected at 2025-12-31T23:00:00Z",
    "since": "2025-12-31T23:50:00Z",
    "consecutive_failures": 2,
    "last_success": null,
    "schedule": "every 1h",
    "last_ping": null,
    "next_expected": null,
    "running_since": "2025-12-31T22:00:00Z",
    "last_run": null,
    "reason": "no ping within 30m of the run expected at 2025-12-31T23:00:00Z",
    "groups": [],
    "grace_seconds": 300,
    "runs": []
  })J");
  EXPECT_EQ(j, want) << j.dump(2);
}

TEST_F(RouterHeartbeatsApiTest, UnknownHeartbeatIs404Json) {
  for (const char* target : {"/api/v1/heartbeats/nope", "/api/v1/heartbeats/back", "/api/v1/heartbeats/"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found") << target;
  }
  EXPECT_EQ(json::parse(get("/api/v1/heartbeats/nope").body)["error"]["message"], "no heartbeat named \"nope\"");
}

TEST_F(RouterHeartbeatsTest, NoHeartbeatsMeansAnEmptyList) {
  auto r = get("/api/v1/heartbeats");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"J({"heartbeats":[]})J");
  EXPECT_EQ(get("/api/v1/heartbeats/backup").status, 404);
  // Configured but empty: the same list.
  set_heartbeats({});
  EXPECT_EQ(json::parse(get("/api/v1/heartbeats").body), json::parse(R"J({"heartbeats":[]})J"));
}

TEST_F(RouterHeartbeatsTest, TheListTakesNoPost) {
  auto r = request("POST", "/api/v1/heartbeats");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(request("POST", "/api/v1/heartbeats/backup").status, 405);
}

// --- GET /health -----------------------------------------------------------------------------

TEST_F(RouterHeartbeatsTest, HealthHasNoHeartbeatsMemberWithoutHeartbeats) {
  auto j = json::parse(get("/health").body);
  EXPECT_FALSE(j.contains("heartbeats"));
  EXPECT_TRUE(j.contains("checks"));
  auto ietf = json::parse(get("/health", "application/health+json").body);
  for (const auto& [key, value] : ietf["checks"].items()) {
    EXPECT_EQ(key.find(":heartbeat"), std::string::npos) << key;
  }
  set_heartbeats({});
  j = json::parse(get("/health").body);
  ASSERT_TRUE(j.contains("heartbeats"));
  EXPECT_EQ(j["heartbeats"], json::object());
}

TEST_F(RouterHeartbeatsTest, HealthEntriesHaveTheSpecFields) {
  const WallTime now = clock_.wall_now();
  auto up = hb("backup", HeartbeatStatus::kUp);
  up->last_ping = now - 60s;
  up->last_success = now - 60s;
  up->next_expected = now + 3600s;
  HeartbeatRun run;
  run.started = now - 90s;
  run.ended = now - 60s;
  run.exit_code = 0;
  run.verdict = "success";
  run.output_excerpt = "ok\n";
  up->runs = {run};
  auto late = hb("sync", HeartbeatStatus::kLate, true);
  late->last_ping = now - 7200s;
  late->next_expected = now - 600s;
  auto running = hb("report", HeartbeatStatus::kRunning);
  running->running_since = now - 30s;
  set_heartbeats({up, late, running, hb("fresh", HeartbeatStatus::kNew), hb("held", HeartbeatStatus::kPaused)});

  auto j = json::parse(get("/health").body);
  ASSERT_TRUE(j["heartbeats"].is_object());
  EXPECT_EQ(j["heartbeats"].size(), 5u);
  EXPECT_EQ(j["heartbeats"]["backup"], json::parse(R"J({
    "status": "ok", "critical": true, "state": "up", "since": "2025-12-31T23:50:00Z",
    "consecutive_failures": 0, "last_success": "2025-12-31T23:59:00Z", "schedule": "0 3 * * * (UTC)",
    "last_ping": "2025-12-31T23:59:00Z", "next_expected": "2026-01-01T01:00:00Z",
    "last_run": {"started": "2025-12-31T23:58:30Z", "ended": "2025-12-31T23:59:00Z", "duration_ms": 30000,
                 "exit_code": 0, "verdict": "success", "output": "ok\n"}})J"))
      << j["heartbeats"]["backup"].dump();
  EXPECT_EQ(j["heartbeats"]["sync"], json::parse(R"J({
    "status": "degraded", "critical": true, "state": "late",
    "error": "no ping since the run expected at 2025-12-31T23:50:00Z", "since": "2025-12-31T23:50:00Z",
    "consecutive_failures": 0, "last_success": null, "schedule": "0 3 * * * (UTC)",
    "last_ping": "2025-12-31T22:00:00Z", "next_expected": "2025-12-31T23:50:00Z", "last_run": null})J"))
      << j["heartbeats"]["sync"].dump();
  EXPECT_EQ(j["heartbeats"]["report"]["state"], "running");
  EXPECT_EQ(j["heartbeats"]["report"]["status"], "ok");
  EXPECT_EQ(j["heartbeats"]["report"]["running_since"], "2025-12-31T23:59:30Z");
  EXPECT_FALSE(j["heartbeats"]["report"].contains("error"));
  EXPECT_FALSE(j["heartbeats"]["backup"].contains("running_since"));
  // new and paused: no error, whatever their reason says.
  for (const char* name : {"fresh", "held"}) {
    EXPECT_FALSE(j["heartbeats"][name].contains("error")) << name;
    EXPECT_EQ(j["heartbeats"][name]["status"], "unknown") << name;
  }
  EXPECT_EQ(j["heartbeats"]["fresh"]["state"], "new");
  EXPECT_EQ(j["heartbeats"]["held"]["state"], "paused");
  EXPECT_EQ(j["status"], "degraded") << "the late critical one degrades /health";
}

TEST_F(RouterHeartbeatsTest, HealthStatusWithHeartbeats) {
  struct Case {
    const char* what;
    std::shared_ptr<HeartbeatView> view;
    int http;
    const char* status;
    const char* ietf;
  };
  const std::vector<Case> cases = {
      {"critical down", hb("j", HeartbeatStatus::kDown, true), 503, "fail", "fail"},
      {"non-critical down", hb("j", HeartbeatStatus::kDown, false), 200, "degraded", "warn"},
      {"critical late", hb("j", HeartbeatStatus::kLate, true), 200, "degraded", "warn"},
      {"non-critical late", hb("j", HeartbeatStatus::kLate, false), 200, "degraded", "warn"},
      {"critical new", hb("j", HeartbeatStatus::kNew, true), 200, "ok", "pass"},
      {"critical paused", hb("j", HeartbeatStatus::kPaused, true), 200, "ok", "pass"},
      {"critical running", hb("j", HeartbeatStatus::kRunning, true), 200, "ok", "pass"},
      {"critical up", hb("j", HeartbeatStatus::kUp, true), 200, "ok", "pass"},
  };
  for (const Case& c : cases) {
    set_heartbeats({c.view});
    auto r = get("/health");
    EXPECT_EQ(r.status, c.http) << c.what;
    EXPECT_EQ(json::parse(r.body)["status"], c.status) << c.what;
    auto i = get("/health", "application/health+json");
    EXPECT_EQ(i.status, c.http) << c.what;
    EXPECT_EQ(i.content_type, "application/health+json");
    EXPECT_EQ(json::parse(i.body)["status"], c.ietf) << c.what;
  }
  // A heartbeat in no group still counts in /health (the whole).
  set_heartbeats({hb("j", HeartbeatStatus::kDown, true, {})});
  EXPECT_EQ(get("/health").status, 503);
}

TEST_F(RouterHeartbeatsTest, HealthIsTheWorseOfChecksAndHeartbeats) {
  set_checks({check("db", Health::kFail)});
  set_heartbeats({hb("j", HeartbeatStatus::kUp)});
  auto r = get("/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "fail");

  set_checks({check("db", Health::kOk), check("openai", Health::kDegraded, false)});
  set_heartbeats({hb("j", HeartbeatStatus::kNew)});
  r = get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "degraded");

  set_heartbeats({hb("j", HeartbeatStatus::kDown)});
  r = get("/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "fail");
}

TEST_F(RouterHeartbeatsTest, HealthIetfHasAHeartbeatComponent) {
  auto down = hb("backup", HeartbeatStatus::kDown);
  down->last_ping = clock_.wall_now() - 7200s;
  auto fresh = hb("fresh", HeartbeatStatus::kNew, false);
  auto up = hb("sync", HeartbeatStatus::kUp);
  up->last_ping = clock_.wall_now() - 5s;
  set_heartbeats({down, fresh, up});
  auto r = get("/health", "application/health+json");
  EXPECT_EQ(r.status, 503);
  auto j = json::parse(r.body);
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["checks"]["backup:heartbeat"], json::parse(R"J([{
    "componentId": "backup", "componentType": "heartbeat", "observedValue": "down", "status": "fail",
    "time": "2025-12-31T22:00:00Z",
    "output": "no ping within 30m of the run expected at 2025-12-31T23:00:00Z"}])J"))
      << j["checks"]["backup:heartbeat"].dump();
  // Never pinged: the time is when its state began; new counts as pass.
  EXPECT_EQ(j["checks"]["fresh:heartbeat"], json::parse(R"J([{
    "componentId": "fresh", "componentType": "heartbeat", "observedValue": "new", "status": "pass",
    "time": "2025-12-31T23:50:00Z"}])J"))
      << j["checks"]["fresh:heartbeat"].dump();
  EXPECT_EQ(j["checks"]["sync:heartbeat"][0]["status"], "pass");
  EXPECT_EQ(j["checks"]["sync:heartbeat"][0]["time"], "2025-12-31T23:59:55Z");
  EXPECT_FALSE(j["checks"]["sync:heartbeat"][0].contains("output"));
  EXPECT_TRUE(j["checks"].contains("db:responseTime")) << "checks are still there";
}

// --- GET /health/NAME for a heartbeat -------------------------------------------------------

TEST_F(RouterHeartbeatsTest, HealthOfOneHeartbeatAnswersItsDetail) {
  set_heartbeats({hb("backup", HeartbeatStatus::kDown), hb("quiet", HeartbeatStatus::kDown, false),
                  hb("sync", HeartbeatStatus::kLate), hb("fresh", HeartbeatStatus::kNew),
                  hb("held", HeartbeatStatus::kPaused), hb("report", HeartbeatStatus::kRunning),
                  hb("ok", HeartbeatStatus::kUp)});
  for (const auto& [name, status] : std::vector<std::pair<std::string, int>>{
           {"backup", 503}, {"quiet", 503}, {"sync", 200}, {"fresh", 200}, {"held", 200}, {"report", 200},
           {"ok", 200}}) {
    auto r = get("/health/" + name);
    EXPECT_EQ(r.status, status) << name;
    EXPECT_EQ(r.content_type, "application/json") << name;
    EXPECT_EQ(json::parse(r.body), json::parse(get("/api/v1/heartbeats/" + name).body)) << name;
  }
}

TEST_F(RouterHeartbeatsTest, HealthOfOneNameIs404WhenNeitherCheckNorHeartbeat) {
  set_heartbeats({hb("backup", HeartbeatStatus::kUp)});
  auto r = get("/health/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body), not_found("no check or heartbeat named \"nope\""));
  // A check still answers as a check.
  auto c = get("/health/db");
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(json::parse(c.body)["type"], "tcp");
  // Without heartbeats, a heartbeat's name is unknown.
  with_heartbeats_ = false;
  EXPECT_EQ(get("/health/backup").status, 404);
}

// --- /readyz, /livez, /groupz/NAME ----------------------------------------------------------

TEST_F(RouterHeartbeatsTest, ReadyzFailsOnACriticalDownHeartbeatInReady) {
  set_heartbeats({hb("backup", HeartbeatStatus::kDown, true, {"ready"}),
                  hb("sync", HeartbeatStatus::kUp, true, {"ready"})});
  const std::string want = std::string("[+]db ok\n[+]runner ok\n[-]heartbeats/backup down: ") + kDownReason +
                           "\n[+]heartbeats/sync up\nreadyz check failed\n";
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, want) << "a failing /readyz lists even without ?verbose";
  r = get("/readyz?verbose");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, want);
  auto g = get("/groupz/ready");
  EXPECT_EQ(g.status, 503);
  EXPECT_NE(g.body.find(std::string("[-]heartbeats/backup down: ") + kDownReason + "\n"), std::string::npos) << g.body;
}

TEST_F(RouterHeartbeatsTest, ReadyzExcludeLeavesAHeartbeatOut) {
  set_heartbeats({hb("backup", HeartbeatStatus::kDown, true, {"ready"}),
                  hb("sync", HeartbeatStatus::kUp, true, {"ready"})});
  auto r = get("/readyz?exclude=heartbeats/backup");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  r = get("/readyz?exclude=heartbeats/backup&verbose");
  EXPECT_EQ(r.status, 200);
  // Listed as excluded in its place, as kube-apiserver does.
  EXPECT_EQ(r.body,
            "[+]db ok\n[+]runner ok\n[+]heartbeats/backup excluded: ok\n[+]heartbeats/sync up\nreadyz check passed\n");
  // The bare name or another heartbeat's does not help.
  EXPECT_EQ(get("/readyz?exclude=backup").status, 503);
  EXPECT_EQ(get("/readyz?exclude=heartbeats/sync").status, 503);
  EXPECT_EQ(get("/groupz/ready?exclude=heartbeats/backup").status, 200);
}

TEST_F(RouterHeartbeatsTest, ReadyzANonCriticalDownHeartbeatOnlyShows) {
  set_heartbeats({hb("backup", HeartbeatStatus::kDown, false, {"ready"})});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  r = get("/readyz?verbose");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string("[+]db ok\n[+]runner ok\n[-]heartbeats/backup down: ") + kDownReason +
                        "\nreadyz check passed\n");
}

TEST_F(RouterHeartbeatsTest, ReadyzALateHeartbeatPassesAndShowsWhy) {
  auto late = hb("sync", HeartbeatStatus::kLate, true, {"ready"});
  late->reason = "late: expected at 2025-12-31T23:00:00Z";
  set_heartbeats({late});
  EXPECT_EQ(get("/readyz").status, 200);
  // As a degraded check: [+], with its reason.
  EXPECT_EQ(get("/readyz?verbose").body,
            "[+]db ok\n[+]runner ok\n[+]heartbeats/sync late: late: expected at 2025-12-31T23:00:00Z\n"
            "readyz check passed\n");
}

TEST_F(RouterHeartbeatsTest, ReadyzNewAndPausedHeartbeatsPass) {
  set_heartbeats({hb("fresh", HeartbeatStatus::kNew, true, {"ready"}),
                  hb("held", HeartbeatStatus::kPaused, true, {"ready"})});
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(get("/readyz?verbose").body,
            "[+]db ok\n[+]runner ok\n[+]heartbeats/fresh new\n[+]heartbeats/held paused\nreadyz check passed\n");
}

TEST_F(RouterHeartbeatsTest, ReadyzLeavesOutHeartbeatsNotInReady) {
  set_heartbeats({hb("backup", HeartbeatStatus::kDown, true, {}),
                  hb("sync", HeartbeatStatus::kDown, true, {"live"})});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  r = get("/readyz?verbose");
  EXPECT_EQ(r.body, "[+]db ok\n[+]runner ok\nreadyz check passed\n");
  EXPECT_EQ(get("/groupz/ready").status, 200);
  // /health sees them all.
  EXPECT_EQ(get("/health").status, 503);
}

TEST_F(RouterHeartbeatsTest, LivezCountsHeartbeatsInLive) {
  set_heartbeats({hb("watchdog", HeartbeatStatus::kDown, true, {"live"}),
                  hb("backup", HeartbeatStatus::kDown, true, {"ready"})});
  for (const std::string what : {"livez", "healthz"}) {
    auto r = get("/" + what);
    EXPECT_EQ(r.status, 503) << what;
    EXPECT_EQ(r.body, "[+]eventloop ok\n[+]db ok\n[-]heartbeats/watchdog down: " + std::string(kDownReason) + "\n" +
                          what + " check failed\n")
        << what;
    EXPECT_EQ(get("/" + what + "?exclude=heartbeats/watchdog").status, 200) << what;
    EXPECT_EQ(get("/" + what + "?exclude=heartbeats/watchdog&verbose").body,
              "[+]eventloop ok\n[+]db ok\n[+]heartbeats/watchdog excluded: ok\n" + what + " check passed\n")
        << what;
  }
  auto g = get("/groupz/live");
  EXPECT_EQ(g.status, 503);
  EXPECT_NE(g.body.find("[-]heartbeats/watchdog down: "), std::string::npos) << g.body;
  EXPECT_EQ(g.body.find("heartbeats/backup"), std::string::npos) << g.body;

  // Only a ready one down: /livez passes and does not list it.
  set_heartbeats({hb("backup", HeartbeatStatus::kDown, true, {"ready"})});
  EXPECT_EQ(get("/livez").status, 200);
  EXPECT_EQ(get("/livez?verbose").body, "[+]eventloop ok\n[+]db ok\nlivez check passed\n");
}

TEST_F(RouterHeartbeatsTest, CustomGroupCountsItsHeartbeats) {
  snap_.custom_groups = {"edge"};
  set_checks({check("db", Health::kOk, true, {"ready", "live", "edge"})});
  set_heartbeats({hb("sync", HeartbeatStatus::kDown, true, {"edge"}),
                  hb("backup", HeartbeatStatus::kLate, true, {"edge"})});
  auto r = get("/groupz/edge");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find(std::string("[-]heartbeats/sync down: ") + kDownReason + "\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.substr(r.body.size() - std::string("edge check failed\n").size()), "edge check failed\n");
  EXPECT_EQ(get("/groupz/edge?exclude=heartbeats/sync").status, 200);
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(get("/livez").status, 200);
}

TEST_F(RouterHeartbeatsTest, PerCheckProbesDoNotLookAtHeartbeats) {
  set_heartbeats({hb("backup", HeartbeatStatus::kDown, true, {"ready", "live"})});
  EXPECT_EQ(get("/readyz/db").status, 200);
  EXPECT_EQ(get("/livez/db").status, 200);
}

// --- body_rule_for, /metrics -----------------------------------------------------------------

TEST(BodyRuleForHeartbeats, PingPostsKeepTheirTailTheApiTakesTheConfiguredMax) {
  for (const char* target : {"/ping/backup", "/ping/backup/0", "/ping/backup/start?token=x", "/ping/backup/log"}) {
    const BodyRule r = body_rule_for("POST", target, 4096);
    EXPECT_EQ(r.keep_last, kMaxPingBody) << target;
    EXPECT_EQ(r.max_bytes, 0u) << target;
  }
  EXPECT_EQ(kMaxPingBody, 100u * 1024u);
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
    const BodyRule r = body_rule_for(method, "/ping/backup", 4096);
    EXPECT_EQ(r.keep_last, 0u) << method;
    EXPECT_EQ(r.max_bytes, 0u) << method;
  }
  for (const char* target : {"/api/v1/heartbeats/backup/pause", "/api/v1/heartbeats/backup/resume"}) {
    const BodyRule r = body_rule_for("POST", target, 4096);
    EXPECT_EQ(r.max_bytes, 4096u) << target;
    EXPECT_EQ(r.keep_last, 0u) << target;
  }
  EXPECT_EQ(body_rule_for("GET", "/api/v1/heartbeats", 4096).max_bytes, 0u);
  EXPECT_EQ(body_rule_for("POST", "/ping", 4096).keep_last, 0u);
  EXPECT_EQ(body_rule_for("POST", "/health", 4096).max_bytes, 0u);
}

TEST_F(RouterHeartbeatsTest, MetricsCarryHeartbeatsOnlyWhenConfigured) {
  auto r = get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("hale_heartbeat_"), std::string::npos);
  set_heartbeats({hb("backup", HeartbeatStatus::kLate)});
  r = get("/metrics");
  EXPECT_NE(r.body.find("hale_heartbeat_state{heartbeat=\"backup\",state=\"late\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace hale
