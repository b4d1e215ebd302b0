// Router, services part (SPEC §3, §4): /api/v1/services, /health/services/NAME, "services" in
// /health, the mutating POST /api/v1/services/NAME/ACTION and services in /readyz, from a
// hand-built Snapshot and ServicesSnapshot (no sockets, no processes).
#include <algorithm>
#include <csignal>
#include <memory>
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

constexpr const char* kBackoffReason = "crashed (exit code 3); restarting in 545ms";

// Services in the context: none until a test sets them (no supervisor), and a start | stop |
// restart that records what it was asked and answers action_result_.
class RouterServicesTest : public testing::RouterFixture {
 protected:
  void SetUp() override { set_checks({check("db", Health::kOk, true, {"ready", "live"}), check("runner", Health::kOk)}); }

  // A service up and well; tests change what they need.
  std::shared_ptr<ServiceView> svc(std::string name, ServiceState state = ServiceState::kRunning) {
    auto v = std::make_shared<ServiceView>();
    v->name = std::move(name);
    v->state = state;
    v->since = clock_.wall_now() - 60s;
    v->budget_left = 5;
    if (state == ServiceState::kBackoff) {
      v->reason = kBackoffReason;
      v->next_restart_at = clock_.wall_now() + 1s;
    }
    return v;
  }
  std::shared_ptr<ServiceView> with_readiness(std::string name, ServiceState state, bool critical) {
    auto v = svc(std::move(name), state);
    v->readiness = v->name + "-ready";
    v->critical = critical;
    return v;
  }

  void add_to_context(RouterContext& ctx) override {
    if (!with_action_) return;
    ctx.service_action = [this](std::string_view name, std::string_view action) {
      actions_.emplace_back(std::string(name) + " " + std::string(action));
      return action_result_;
    };
  }

  bool with_action_ = true;
  ServiceActionResult action_result_;
  std::vector<std::string> actions_;  // "NAME ACTION", in order
};

// --- GET /api/v1/services, /api/v1/services/NAME --------------------------------------------

class RouterServicesApiTest : public RouterServicesTest {
 protected:
  void SetUp() override {
    RouterServicesTest::SetUp();
    auto api = svc("api", ServiceState::kReady);
    api->reason = "ready (READY=1)";
    api->pid = 4242;
    api->restarts = 3;
    api->restarts_by_reason = {{"crash", 2}, {"operator", 1}};
    ExitInfo killed;
    killed.signal = SIGKILL;
    killed.at = clock_.wall_now() - 90s;
    api->last_exit = killed;
    api->budget_left = 2;
    api->since = clock_.wall_now() - 60s;
    api->started_at = clock_.wall_now() - 61s;
    api->liveness = "api-live";
    api->readiness = "api-ready";
    api->critical = true;
    api->status_text = "serving 12 clients";

    auto job = svc("job", ServiceState::kStopped);
    job->wanted = false;
    ExitInfo failed;
    failed.code = 1;
    failed.at = clock_.wall_now() - 3600s;
    job->last_exit = failed;
    job->started_at = clock_.wall_now() - 3700s;
    job->since = clock_.wall_now() - 3600s;

    auto worker = svc("worker", ServiceState::kBackoff);
    worker->restarts = 1;
    worker->restarts_by_reason = {{"crash", 1}};
    worker->budget_left = 4;

    set_services({worker, api, job});
  }
};

TEST_F(RouterServicesApiTest, ListHasEveryServiceSortedByName) {
  auto r = get("/api/v1/services");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = json::parse(r.body);
  ASSERT_TRUE(j["services"].is_array());
  ASSERT_EQ(j["services"].size(), 3u);
  EXPECT_EQ(j["services"][0]["name"], "api");
  EXPECT_EQ(j["services"][1]["name"], "job");
  EXPECT_EQ(j["services"][2]["name"], "worker");
}

TEST_F(RouterServicesApiTest, EveryEntryHasTheSpecFields) {
  // SPEC §4: at least name, state, wanted, pid, restarts, last_exit, next_restart_at, budget_left.
  auto j = json::parse(get("/api/v1/services").body);
  for (const auto& e : j["services"]) {
    for (const char* key : {"name", "state", "reason", "wanted", "pid", "restarts", "restarts_by_reason",
                            "last_exit", "next_restart_at", "budget_left", "since", "started_at",
                            "liveness", "readiness", "status_text"}) {
      EXPECT_TRUE(e.contains(key)) << e["name"] << " lacks " << key;
    }
  }
}

TEST_F(RouterServicesApiTest, ARunningServiceInFull) {
  auto j = json::parse(get("/api/v1/services").body)["services"][0];
  EXPECT_EQ(j["name"], "api");
  EXPECT_EQ(j["state"], "ready");
  EXPECT_EQ(j["reason"], "ready (READY=1)");
  EXPECT_EQ(j["wanted"], "start");
  EXPECT_EQ(j["pid"], 4242);
  EXPECT_TRUE(j["pid"].is_number_integer());
  EXPECT_EQ(j["restarts"], 3);
  EXPECT_EQ(j["restarts_by_reason"], json::parse(R"({"crash":2,"operator":1})"));
  EXPECT_EQ(j["last_exit"], json::parse(R"({"code":null,"signal":"SIGKILL","at":"2025-12-31T23:58:30Z"})"));
  EXPECT_TRUE(j["next_restart_at"].is_null());
  EXPECT_EQ(j["budget_left"], 2);
  EXPECT_EQ(j["since"], "2025-12-31T23:59:00Z");
  EXPECT_EQ(j["started_at"], "2025-12-31T23:58:59Z");
  EXPECT_EQ(j["liveness"], "api-live");
  EXPECT_EQ(j["readiness"], "api-ready");
  EXPECT_EQ(j["status_text"], "serving 12 clients");
}

TEST_F(RouterServicesApiTest, AStoppedServiceHasNullsAndWantedStop) {
  auto j = json::parse(get("/api/v1/services").body)["services"][1];
  EXPECT_EQ(j["name"], "job");
  EXPECT_EQ(j["state"], "stopped");
  EXPECT_EQ(j["wanted"], "stop");
  EXPECT_TRUE(j["pid"].is_null());
  EXPECT_EQ(j["restarts"], 0);
  EXPECT_EQ(j["restarts_by_reason"], json::object());
  EXPECT_EQ(j["last_exit"], json::parse(R"({"code":1,"signal":null,"at":"2025-12-31T23:00:00Z"})"));
  EXPECT_EQ(j["started_at"], "2025-12-31T22:58:20Z");
  EXPECT_TRUE(j["liveness"].is_null());
  EXPECT_TRUE(j["readiness"].is_null());
  EXPECT_TRUE(j["status_text"].is_null());
}

TEST_F(RouterServicesApiTest, ANeverStartedServiceHasNoLastExitNorStartedAt) {
  auto j = json::parse(get("/api/v1/services").body)["services"][2];
  EXPECT_EQ(j["name"], "worker");
  EXPECT_EQ(j["state"], "backoff");
  EXPECT_EQ(j["reason"], kBackoffReason);
  EXPECT_TRUE(j["last_exit"].is_null());
  EXPECT_TRUE(j["started_at"].is_null());
  EXPECT_EQ(j["next_restart_at"], "2026-01-01T00:00:01Z");
  EXPECT_EQ(j["budget_left"], 4);
}

TEST_F(RouterServicesApiTest, OneServiceByName) {
  auto r = get("/api/v1/services/api");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = json::parse(r.body);
  EXPECT_EQ(j, json::parse(get("/api/v1/services").body)["services"][0]);
  // Healthy or not, the API answers 200: only /health/services/NAME maps health to a status.
  auto w = get("/api/v1/services/worker");
  EXPECT_EQ(w.status, 200);
  EXPECT_EQ(json::parse(w.body)["state"], "backoff");
}

TEST_F(RouterServicesApiTest, UnknownServiceIs404Json) {
  auto r = get("/api/v1/services/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "not_found");
  EXPECT_EQ(j["error"]["message"], "no service named \"nope\"");
  EXPECT_EQ(get("/api/v1/services/ap").status, 404);
  EXPECT_EQ(get("/api/v1/services/").status, 404);
}

TEST_F(RouterServicesTest, NoSupervisorMeansNoServices) {
  auto r = get("/api/v1/services");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"services":[]})"));
  EXPECT_EQ(get("/api/v1/services/api").status, 404);
  EXPECT_EQ(get("/health/services/api").status, 404);
}

TEST_F(RouterServicesTest, EmptySupervisorListsNothing) {
  set_services({});
  auto r = get("/api/v1/services");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"containment":null,"services":[]})"));
}

TEST_F(RouterServicesTest, ListSaysHowDescendantsAreHeld) {
  set_services({});
  services_.containment = "subreaper";
  auto r = get("/api/v1/services");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["containment"], "subreaper");
}

// --- GET /health/services/NAME -------------------------------------------------------------

TEST_F(RouterServicesTest, HealthOfOneServiceFollowsItsOverallHealth) {
  auto failed = svc("failed", ServiceState::kFailed);
  auto crashed_job = svc("crashed", ServiceState::kExited);
  crashed_job->last_exit = ExitInfo{1, std::nullopt, {}};
  auto killed_job = svc("killed", ServiceState::kExited);
  killed_job->last_exit = ExitInfo{std::nullopt, SIGKILL, {}};
  auto done_job = svc("done", ServiceState::kExited);
  done_job->last_exit = ExitInfo{0, std::nullopt, {}};
  auto stopping_wanted = svc("restarting", ServiceState::kStopping);
  auto stopping_unwanted = svc("halting", ServiceState::kStopping);
  stopping_unwanted->wanted = false;
  set_services({svc("up"), svc("ready", ServiceState::kReady), svc("starting", ServiceState::kStarting),
                svc("backoff", ServiceState::kBackoff), svc("sick", ServiceState::kUnhealthy),
                svc("stopped", ServiceState::kStopped), failed, crashed_job, killed_job, done_job,
                stopping_wanted, stopping_unwanted});
  for (const auto& [name, status] : std::vector<std::pair<std::string, int>>{
           {"up", 200}, {"ready", 200}, {"starting", 200}, {"backoff", 200}, {"sick", 200},
           {"stopped", 200}, {"failed", 503}, {"crashed", 503}, {"killed", 503}, {"done", 200},
           {"restarting", 200}, {"halting", 200}}) {
    auto r = get("/health/services/" + name);
    EXPECT_EQ(r.status, status) << name;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(json::parse(r.body)["name"], name);
  }
}

TEST_F(RouterServicesTest, HealthOfOneServiceBodyIsTheServiceEntry) {
  set_services({svc("api", ServiceState::kFailed)});
  auto r = get("/health/services/api");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body), json::parse(get("/api/v1/services/api").body));
  auto missing = get("/health/services/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["error"]["code"], "not_found");
  EXPECT_EQ(json::parse(missing.body)["error"]["message"], "no service named \"nope\"");
}

// --- GET /health -----------------------------------------------------------------------------

TEST_F(RouterServicesTest, HealthHasServicesKeyedByName) {
  auto api = with_readiness("api", ServiceState::kReady, true);
  api->pid = 7;
  set_services({svc("worker"), api});
  auto r = get("/health");
  EXPECT_EQ(r.status, 200);
  auto j = json::parse(r.body);
  EXPECT_EQ(j["status"], "ok");
  ASSERT_TRUE(j["services"].is_object());
  EXPECT_EQ(j["services"].size(), 2u);
  EXPECT_EQ(j["services"]["api"], json::parse(get("/api/v1/services/api").body));
  EXPECT_EQ(j["services"]["api"]["pid"], 7);
  EXPECT_EQ(j["services"]["worker"]["state"], "running");
  EXPECT_EQ(j["checks"].size(), 2u) << "checks are still there";
}

TEST_F(RouterServicesTest, HealthHasNoServicesKeyWithoutSupervisor) {
  auto j = json::parse(get("/health").body);
  EXPECT_FALSE(j.contains("services"));
  EXPECT_TRUE(j.contains("checks"));
}

TEST_F(RouterServicesTest, HealthStatusIsTheWorseOfChecksAndServices) {
  // checks ok, services degraded (backoff) -> degraded, 200
  set_services({svc("worker", ServiceState::kBackoff)});
  auto r = get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "degraded");

  // checks ok, a critical service failed -> fail, 503
  set_services({with_readiness("api", ServiceState::kFailed, true)});
  r = get("/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "fail");

  // checks degraded, services ok -> degraded
  set_checks({check("db", Health::kOk), check("openai", Health::kDegraded, false)});
  set_services({with_readiness("api", ServiceState::kReady, true)});
  r = get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "degraded");

  // checks fail, services ok -> fail
  set_checks({check("db", Health::kFail)});
  r = get("/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "fail");

  // checks degraded, services fail -> fail
  set_checks({check("openai", Health::kDegraded, false)});
  set_services({with_readiness("api", ServiceState::kFailed, true)});
  r = get("/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "fail");
}

TEST_F(RouterServicesTest, HealthNonCriticalFailedServiceOnlyDegrades) {
  // A service's `critical` comes from its readiness check; without one it is not critical, so
  // per SPEC §3's aggregation its failure degrades /health rather than failing it.
  set_services({svc("worker", ServiceState::kFailed)});
  auto r = get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "degraded");
  // ... while its own /health/services/NAME says fail.
  EXPECT_EQ(get("/health/services/worker").status, 503);
}

TEST_F(RouterServicesTest, HealthStartingServicesCountAsOk) {
  set_services({with_readiness("api", ServiceState::kStarting, true), svc("worker", ServiceState::kStarting)});
  auto r = get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
}

TEST_F(RouterServicesTest, HealthIetfBodyStatusAgreesWithHttpStatus) {
  // BUG (reported): with `Accept: application/health+json` the HTTP status counts the services
  // (503 for a failed critical service) but the IETF body is built from the checks alone and
  // says "pass". SPEC §3 promises the IETF draft format, and the draft requires 4xx/5xx for
  // "fail" and 2xx/3xx for "pass"/"warn": the two must agree.
  set_services({with_readiness("api", ServiceState::kFailed, true)});
  auto r = get("/health", "application/health+json");
  EXPECT_EQ(r.content_type, "application/health+json");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "fail");
}

// --- POST /api/v1/services/NAME/ACTION -----------------------------------------------------

TEST_F(RouterServicesTest, ActionsAreDisabledWithoutAnAdminToken) {
  set_services({svc("api")});
  auto r = post("/api/v1/services/api/restart", "Bearer anything");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "api_disabled");
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterServicesTest, ActionsNeedTheBearerToken) {
  admin_token_ = "s3cret-token";
  set_services({svc("api")});
  for (const char* auth : {"", "Bearer wrong", "Bearer s3cret-tokenX", "Basic s3cret-token",
                           "s3cret-token", "Basic czNjcmV0LXRva2Vu"}) {
    auto r = post("/api/v1/services/api/stop", auth);
    EXPECT_EQ(r.status, 401) << auth;
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer") << auth;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "unauthorized");
    EXPECT_EQ(r.body.find("s3cret"), std::string::npos) << "the token never shows";
  }
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterServicesTest, UnknownActionIs404BeforeAuth) {
  // What the router does: the action is validated before the token, so an unknown action is a
  // 404 whatever the Authorization header (it mutates nothing, and the three actions are public).
  admin_token_ = "s3cret-token";
  for (const char* auth : {"", "Bearer wrong", "Bearer s3cret-token"}) {
    auto r = post("/api/v1/services/api/pause", auth);
    EXPECT_EQ(r.status, 404) << auth;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "not_found");
    EXPECT_EQ(j["error"]["message"], "no action \"pause\" (start, stop, restart)");
  }
  admin_token_.reset();
  EXPECT_EQ(post("/api/v1/services/api/pause").status, 404);
  // Action names are exact.
  admin_token_ = "s3cret-token";
  EXPECT_EQ(post("/api/v1/services/api/START", "Bearer s3cret-token").status, 404);
  EXPECT_EQ(post("/api/v1/services/api/", "Bearer s3cret-token").status, 404);
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterServicesTest, MalformedActionPathsAre404) {
  admin_token_ = "s3cret-token";
  for (const char* target : {"/api/v1/services/api", "/api/v1/services//start", "/api/v1/services/"}) {
    auto r = post(target, "Bearer s3cret-token");
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found") << target;
  }
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterServicesTest, ActionPassesNameAndActionAndAnswersTheNewState) {
  admin_token_ = "s3cret-token";
  set_services({svc("api")});
  action_result_.state = ServiceState::kStopping;
  auto r = post("/api/v1/services/api/stop", "Bearer s3cret-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"name":"api","action":"stop","state":"stopping"})"));

  action_result_.state = ServiceState::kStarting;
  r = post("/api/v1/services/my-worker.2/start", "Bearer s3cret-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"name":"my-worker.2","action":"start","state":"starting"})"));

  action_result_.state = ServiceState::kStopping;
  r = post("/api/v1/services/api/restart", "Bearer s3cret-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["action"], "restart");

  EXPECT_EQ(actions_, (std::vector<std::string>{"api stop", "my-worker.2 start", "api restart"}));
}

TEST_F(RouterServicesTest, ActionIgnoresTheQueryString) {
  admin_token_ = "s3cret-token";
  action_result_.state = ServiceState::kStarting;
  auto r = post("/api/v1/services/api/start?wait=1", "Bearer s3cret-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(actions_, (std::vector<std::string>{"api start"}));
}

TEST_F(RouterServicesTest, ActionErrorsAreMappedToJsonErrors) {
  admin_token_ = "s3cret-token";
  struct Case {
    int status;
    const char* code;
    const char* message;
  };
  for (const Case& c : {Case{404, "not_found", "no service named \"ghost\""},
                        Case{409, "conflict", "\"api\" is stopped by an operator"},
                        Case{500, "state_not_saved", "could not record the intent"}}) {
    action_result_ = ServiceActionResult{c.status, c.code, c.message, ServiceState::kRunning};
    auto r = post("/api/v1/services/ghost/start", "Bearer s3cret-token");
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.content_type, "application/json");
    auto j = json::parse(r.body);
    EXPECT_EQ(j, (json{{"error", {{"code", c.code}, {"message", c.message}}}})) << r.body;
  }
  EXPECT_EQ(actions_.size(), 3u);
}

TEST_F(RouterServicesTest, ActionWithoutSupervisorIs503) {
  admin_token_ = "s3cret-token";
  with_action_ = false;
  auto r = post("/api/v1/services/api/restart", "Bearer s3cret-token");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "supervisor_unavailable");
  // Auth still comes first: no token, no hint about the supervisor.
  EXPECT_EQ(post("/api/v1/services/api/restart", "Bearer wrong").status, 401);
}

TEST_F(RouterServicesTest, GetOnAnActionUrlDoesNotAct) {
  admin_token_ = "s3cret-token";
  set_services({svc("api")});
  testing::TestRequest req;
  req.target = "/api/v1/services/api/restart";
  req.authorization = "Bearer s3cret-token";
  auto r = send(req);
  // An action URL takes POST only, like /api/v1/reload.
  EXPECT_EQ(r.status, 405);
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].second, "POST");
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterServicesTest, OtherMethodsOnAnActionUrlAre405) {
  admin_token_ = "s3cret-token";
  testing::TestRequest req;
  req.method = "PUT";
  req.target = "/api/v1/services/api/restart";
  req.authorization = "Bearer s3cret-token";
  EXPECT_EQ(send(req).status, 405);
  req.method = "DELETE";
  EXPECT_EQ(send(req).status, 405);
  EXPECT_TRUE(actions_.empty());
}

TEST_F(RouterServicesTest, ActionUrlsTakeTheConfiguredBody) {
  EXPECT_EQ(body_rule_for("POST", "/api/v1/services/api/restart", 4096).max_bytes, 4096u);
  EXPECT_EQ(body_rule_for("GET", "/api/v1/services/api", 4096).max_bytes, 0u);
  // A ping takes a body of any length and keeps its tail.
  EXPECT_EQ(body_rule_for("POST", "/ping/backup/0", 4096).keep_last, kMaxPingBody);
  EXPECT_EQ(body_rule_for("GET", "/ping/backup", 4096).keep_last, 0u);
  // Decided on the decoded path, as routing is.
  EXPECT_EQ(body_rule_for("POST", "/p%69ng/backup/0", 4096).keep_last, kMaxPingBody);
  EXPECT_EQ(body_rule_for("POST", "/%61pi/v1/reload", 4096).max_bytes, 4096u);
}

// --- /readyz, /groupz/ready, /livez with services ------------------------------------------

TEST_F(RouterServicesTest, ReadyzOkWhenTheServiceIsReady) {
  set_services({with_readiness("api", ServiceState::kReady, true)});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(get("/readyz?verbose").body, "[+]db ok\n[+]runner ok\n[+]services/api ready\nreadyz check passed\n");
}

TEST_F(RouterServicesTest, ReadyzFailsWhileACriticalServiceIsInBackoff) {
  set_services({with_readiness("api", ServiceState::kBackoff, true)});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  const std::string want =
      "[+]db ok\n[+]runner ok\n"
      "[-]services/api not ready: backoff: crashed (exit code 3); restarting in 545ms\n"
      "readyz check failed\n";
  EXPECT_EQ(r.body, want) << "a failing /readyz lists even without ?verbose";
  EXPECT_EQ(get("/readyz?verbose").body, want);
  EXPECT_EQ(get("/readyz?verbose=1").status, 503);
}

TEST_F(RouterServicesTest, ReadyzFailsWhileACriticalServiceStarts) {
  auto api = with_readiness("api", ServiceState::kStarting, true);
  api->reason = "waiting for READY=1";
  set_services({api});
  auto r = get("/readyz?verbose");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("[-]services/api not ready: starting: waiting for READY=1\n"), std::string::npos)
      << r.body;
}

TEST_F(RouterServicesTest, ReadyzANonCriticalServiceOnlyShows) {
  set_services({with_readiness("cache", ServiceState::kBackoff, false),
                with_readiness("api", ServiceState::kReady, true)});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  r = get("/readyz?verbose");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "[+]db ok\n[+]runner ok\n[+]services/api ready\n"
            "[-]services/cache not ready: backoff: crashed (exit code 3); restarting in 545ms\n"
            "readyz check passed\n");
}

TEST_F(RouterServicesTest, ReadyzExcludeLeavesAServiceOut) {
  set_services({with_readiness("api", ServiceState::kBackoff, true),
                with_readiness("web", ServiceState::kReady, true)});
  EXPECT_EQ(get("/readyz").status, 503);
  auto r = get("/readyz?exclude=services/api");
  EXPECT_EQ(r.status, 200);
  r = get("/readyz?exclude=services/api&verbose");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "[+]db ok\n[+]runner ok\n[+]services/api excluded: ok\n[+]services/web ready\nreadyz check passed\n");
  // Excluding another service, or a check with the same bare name, does not help.
  EXPECT_EQ(get("/readyz?exclude=services/web").status, 503);
  EXPECT_EQ(get("/readyz?exclude=api").status, 503);
}

TEST_F(RouterServicesTest, ReadyzExcludeMixesChecksAndServices) {
  set_checks({check("db", Health::kFail), check("runner", Health::kOk)});
  set_services({with_readiness("api", ServiceState::kFailed, true)});
  EXPECT_EQ(get("/readyz?exclude=db").status, 503);
  EXPECT_EQ(get("/readyz?exclude=services/api").status, 503);
  auto r = get("/readyz?exclude=db&exclude=services/api&verbose");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[+]db excluded: ok\n[+]runner ok\n[+]services/api excluded: ok\nreadyz check passed\n");
}

TEST_F(RouterServicesTest, ReadyzNeverShowsServicesWithoutReadiness) {
  auto failed = svc("worker", ServiceState::kFailed);
  failed->critical = true;  // not from a readiness check: must not weigh in /readyz
  set_services({failed, svc("batch", ServiceState::kBackoff), svc("up")});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  r = get("/readyz?verbose");
  EXPECT_EQ(r.body, "[+]db ok\n[+]runner ok\nreadyz check passed\n");
  EXPECT_EQ(r.body.find("services/"), std::string::npos);
}

TEST_F(RouterServicesTest, ReadyzChecksStillDecideWithServicesPresent) {
  set_checks({check("db", Health::kFail), check("runner", Health::kOk)});
  set_services({with_readiness("api", ServiceState::kReady, true)});
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "[-]db failed: timeout after 1s\n[+]runner ok\n[+]services/api ready\nreadyz check failed\n");
}

TEST_F(RouterServicesTest, GroupzReadyBehavesLikeReadyz) {
  set_services({with_readiness("api", ServiceState::kBackoff, true),
                with_readiness("cache", ServiceState::kBackoff, false)});
  auto r = get("/groupz/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("[-]services/api not ready: backoff: " + std::string(kBackoffReason) + "\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("[-]services/cache not ready: backoff: "), std::string::npos) << r.body;
  EXPECT_EQ(r.body.substr(r.body.size() - std::string("ready check failed\n").size()), "ready check failed\n");
  EXPECT_EQ(get("/groupz/ready?exclude=services/api").status, 200);
  auto v = get("/groupz/ready?exclude=services/api&verbose");
  EXPECT_NE(v.body.find("[+]services/api excluded: ok\n"), std::string::npos) << v.body;
  EXPECT_NE(v.body.find("[-]services/cache not ready"), std::string::npos) << v.body;

  set_services({with_readiness("api", ServiceState::kReady, true)});
  EXPECT_EQ(get("/groupz/ready").status, 200);
  EXPECT_NE(get("/groupz/ready?verbose").body.find("[+]services/api ready\n"), std::string::npos);
}

TEST_F(RouterServicesTest, CustomGroupsAndLivezIgnoreServices) {
  snap_.custom_groups = {"edge"};
  set_checks({check("db", Health::kOk, true, {"ready", "live", "edge"})});
  set_services({with_readiness("api", ServiceState::kFailed, true)});
  EXPECT_EQ(get("/readyz").status, 503);
  for (const char* target : {"/livez", "/healthz", "/groupz/live", "/groupz/edge"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, 200) << target;
    auto v = get(std::string(target) + "?verbose");
    EXPECT_EQ(v.status, 200) << target;
    EXPECT_EQ(v.body.find("services/"), std::string::npos) << target << ": " << v.body;
  }
}

TEST_F(RouterServicesTest, MetricsCarryServicesOnlyWithASupervisor) {
  EXPECT_EQ(get("/metrics").body.find("hale_service_"), std::string::npos);
  set_services({with_readiness("api", ServiceState::kReady, true)});
  auto body = get("/metrics").body;
  EXPECT_NE(body.find("hale_service_state{service=\"api\",state=\"ready\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace hale
