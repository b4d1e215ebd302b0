// GET /guard/NAME (SPEC §7): 204 while the check, heartbeat or service is usable, 503 with the
// guard's JSON error and Retry-After otherwise, 404 for a name that is nothing; from hand-built
// snapshots (no sockets).
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hale/config.h"
#include "hale/server/router.h"
#include "support/router_fixture.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Four checks, each with its default guard code: db ok, openai degraded, llama-guard failing
// (its own code, the next probe in 2.3 s) and fresh (no result yet); heartbeats and services
// are added by the tests that need them (both are shown, empty, from the start).
class RouterGuardTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    auto guard = guarded_check("llama-guard", Health::kFail);
    guard->guard_code = "llama_guard_not_ready";
    guard->next_check = clock_.wall_now() + 2300ms;
    set_checks({guarded_check("db", Health::kOk), guarded_check("openai", Health::kDegraded), guard,
                guarded_check("fresh", Health::kUnknown)});
    set_heartbeats({});
    set_services({});
  }

  static std::shared_ptr<CheckView> guarded_check(std::string name, Health h) {
    auto v = check(name, h);
    v->guard_code = default_guard_code(name);
    return v;
  }
  std::shared_ptr<HeartbeatView> add_heartbeat(std::string name, HeartbeatStatus state) {
    auto v = std::make_shared<HeartbeatView>();
    v->name = name;
    v->state = state;
    v->guard_code = default_guard_code(name);
    auto all = heartbeats_.heartbeats;
    all.push_back(v);
    set_heartbeats(std::move(all));
    return v;
  }
  std::shared_ptr<ServiceView> add_service(std::string name, ServiceState state, std::string readiness = "") {
    auto v = std::make_shared<ServiceView>();
    v->name = name;
    v->state = state;
    v->readiness = std::move(readiness);
    v->guard_code = default_guard_code(name);
    auto all = services_.services;
    all.push_back(v);
    set_services(std::move(all));
    return v;
  }
};

TEST_F(RouterGuardTest, AnOkOrDegradedCheckIsUsable204WithoutABody) {
  for (const char* name : {"/guard/db", "/guard/openai"}) {
    const HttpResponse r = get(name);
    EXPECT_EQ(r.status, 204) << name;
    EXPECT_EQ(r.body, "") << name;
    EXPECT_TRUE(r.headers.empty()) << name;
  }
}

TEST_F(RouterGuardTest, AFailingCheckIs503WithItsGuardCodeAndRetryAfterTheNextProbe) {
  const HttpResponse r = get("/guard/llama-guard");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"error":{"code":"llama_guard_not_ready","message":"llama-guard not ready"}})"));
  EXPECT_EQ(header(r, "Retry-After"), "3");  // 2.3 s to the next probe, rounded up
}

TEST_F(RouterGuardTest, ACheckWithoutAResultYetFailsClosed) {
  const HttpResponse r = get("/guard/fresh");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "fresh_not_ready");
  EXPECT_EQ(header(r, "Retry-After"), "5");  // no next probe known: the default
}

TEST_F(RouterGuardTest, AnUnknownNameIs404AndOtherMethods405) {
  EXPECT_EQ(get("/guard/nope").status, 404);
  EXPECT_EQ(get("/guard/").status, 404);
  EXPECT_EQ(request("POST", "/guard/db").status, 405);
  EXPECT_EQ(request("HEAD", "/guard/db").status, 204);
}

TEST_F(RouterGuardTest, HeartbeatsGuardByTheirStateAPausedOneStaysOpen) {
  add_heartbeat("backup", HeartbeatStatus::kDown);
  add_heartbeat("late-job", HeartbeatStatus::kLate);
  add_heartbeat("never-ran", HeartbeatStatus::kNew);
  add_heartbeat("paused-job", HeartbeatStatus::kPaused);
  const HttpResponse down = get("/guard/backup");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(json::parse(down.body)["error"]["code"], "backup_not_ready");
  EXPECT_EQ(header(down, "Retry-After"), "5");
  EXPECT_EQ(get("/guard/late-job").status, 204);
  EXPECT_EQ(get("/guard/never-ran").status, 503);
  EXPECT_EQ(get("/guard/paused-job").status, 204);
}

TEST_F(RouterGuardTest, ServicesAreUsableWhenUpAndNotWaitingForReadiness) {
  add_service("api", ServiceState::kReady, "api-ready");
  add_service("worker", ServiceState::kRunning);
  add_service("web", ServiceState::kRunning, "web-ready");
  auto crashed = add_service("voice.agent", ServiceState::kBackoff);
  crashed->next_restart_at = clock_.wall_now() + 10s;
  add_service("sick", ServiceState::kUnhealthy);
  EXPECT_EQ(get("/guard/api").status, 204);
  EXPECT_EQ(get("/guard/worker").status, 204);
  EXPECT_EQ(get("/guard/web").status, 503);  // up, but its readiness check has not said ready
  EXPECT_EQ(get("/guard/sick").status, 503);
  const HttpResponse r = get("/guard/voice.agent");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "voice_agent_not_ready");
  EXPECT_EQ(header(r, "Retry-After"), "10");
}

TEST_F(RouterGuardTest, ACheckIsFoundBeforeAHeartbeatOrAServiceOfTheSameName) {
  add_heartbeat("db", HeartbeatStatus::kDown);
  add_service("db", ServiceState::kFailed);
  EXPECT_EQ(get("/guard/db").status, 204);
}

TEST(DefaultGuardCode, DashesAndDotsBecomeUnderscores) {
  EXPECT_EQ(default_guard_code("llama-guard"), "llama_guard_not_ready");
  EXPECT_EQ(default_guard_code("docker-runner"), "docker_runner_not_ready");
  EXPECT_EQ(default_guard_code("a.b_c"), "a_b_c_not_ready");
}

}  // namespace
}  // namespace hale
