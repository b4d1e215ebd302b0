// RouterFixture: the fixture of every test of the router's endpoints (tests/unit/server). route()
// is pure (a request and a RouterContext in, a response out), so a test builds what the context
// points at (the checks' Snapshot, the supervisor's and the heartbeat monitor's snapshots) and
// sends requests through send(), the one way in. A file whose endpoints need more of the context
// (callbacks that record what the router asked for, the alerting view) derives its own fixture
// and adds it in add_to_context().
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hale/clock.h"
#include "hale/heartbeat_view.h"
#include "hale/server/router.h"
#include "hale/service_view.h"
#include "hale/snapshot.h"

namespace hale::testing {

// A request as a test writes it. It owns its strings: HttpRequest only views them.
struct TestRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string authorization;  // the whole header value: "Bearer TOKEN"
  std::string host;           // "": no Host header
  std::string accept;
  std::string body;
  std::uint64_t body_bytes = 0;  // bytes on the wire, as HttpRequest: 0 is the body's own length
};

class RouterFixture : public ::testing::Test {
 protected:
  // hale has been up 1234 s at the clock's now (2026-01-01T00:00:00Z); no checks yet.
  RouterFixture();

  // The one way a request reaches the router: a context built afresh from the fixture's state.
  HttpResponse send(const TestRequest& request);
  HttpResponse get(std::string target, std::string accept = "");
  HttpResponse post(std::string target, std::string authorization = "", std::string body = "");
  HttpResponse request(std::string method, std::string target, std::string authorization = "",
                       std::string body = "", std::uint64_t body_bytes = 0);

  // What a derived fixture adds to the context of every request (its callbacks, its views).
  virtual void add_to_context(RouterContext& ctx) {}

  // A tcp check in `h` (see fake_check_view).
  static std::shared_ptr<CheckView> check(std::string name, Health h, bool critical = true,
                                          std::vector<std::string> groups = {"ready"});
  // The snapshot's checks, sorted by name and aggregated, as the engine publishes them.
  void set_checks(std::vector<std::shared_ptr<const CheckView>> checks);
  // The supervisor's services, sorted and finalized as it publishes them; from then on in the
  // context (before: null, no supervisor).
  void set_services(std::vector<std::shared_ptr<const ServiceView>> services);
  // The heartbeat monitor's heartbeats, likewise (before: null, no heartbeat configured).
  void set_heartbeats(std::vector<std::shared_ptr<const HeartbeatView>> heartbeats);

  // The value of the response's header `name`; "<absent>" when it has none.
  static std::string header(const HttpResponse& r, std::string_view name);
  // The response's body as JSON; expects Content-Type application/json.
  static nlohmann::json json_body(const HttpResponse& r);

  template <typename View>
  static void sort_by_name(std::vector<std::shared_ptr<const View>>& views) {
    std::sort(views.begin(), views.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  }

  FakeClock clock_;  // wall time 2026-01-01T00:00:00Z
  Snapshot snap_;
  ServicesSnapshot services_;
  bool with_services_ = false;
  HeartbeatsSnapshot heartbeats_;
  bool with_heartbeats_ = false;
  std::optional<std::string> admin_token_;  // unset: mutating calls are refused (403)
};

}  // namespace hale::testing
