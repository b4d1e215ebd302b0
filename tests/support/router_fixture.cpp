// RouterFixture: one context per request from the fixture's state (see router_fixture.h).
#include "support/router_fixture.h"

#include "hale/aggregate.h"
#include "support/fake_views.h"

namespace hale::testing {

using namespace std::chrono_literals;

RouterFixture::RouterFixture() { snap_.started_at = clock_.wall_now() - 1234s; }

HttpResponse RouterFixture::send(const TestRequest& request) {
  HttpRequest req;
  req.method = request.method;
  req.target = request.target;
  req.authorization = request.authorization;
  req.host = request.host;
  req.accept = request.accept;
  req.body = request.body;
  req.body_bytes = request.body_bytes;
  RouterContext ctx{snap_};
  ctx.version = "test";
  ctx.now = clock_.wall_now();
  if (admin_token_) ctx.admin_token = *admin_token_;
  ctx.services = with_services_ ? &services_ : nullptr;
  ctx.heartbeats = with_heartbeats_ ? &heartbeats_ : nullptr;
  add_to_context(ctx);
  return route(req, ctx);
}

HttpResponse RouterFixture::get(std::string target, std::string accept) {
  return send({.target = std::move(target), .accept = std::move(accept)});
}

HttpResponse RouterFixture::post(std::string target, std::string authorization, std::string body) {
  return request("POST", std::move(target), std::move(authorization), std::move(body));
}

HttpResponse RouterFixture::request(std::string method, std::string target, std::string authorization,
                                    std::string body, std::uint64_t body_bytes) {
  return send({.method = std::move(method),
               .target = std::move(target),
               .authorization = std::move(authorization),
               .body = std::move(body),
               .body_bytes = body_bytes});
}

std::shared_ptr<CheckView> RouterFixture::check(std::string name, Health h, bool critical,
                                                std::vector<std::string> groups) {
  return fake_check_view(std::move(name), h, critical, std::move(groups));
}

void RouterFixture::set_checks(std::vector<std::shared_ptr<const CheckView>> checks) {
  sort_by_name(checks);
  snap_.checks = std::move(checks);
  finalize(snap_);
}

void RouterFixture::set_services(std::vector<std::shared_ptr<const ServiceView>> services) {
  sort_by_name(services);
  services_.services = std::move(services);
  finalize(services_);
  with_services_ = true;
}

void RouterFixture::set_heartbeats(std::vector<std::shared_ptr<const HeartbeatView>> heartbeats) {
  sort_by_name(heartbeats);  // find() is a binary search, as in the real snapshots
  heartbeats_.heartbeats = std::move(heartbeats);
  finalize(heartbeats_);
  with_heartbeats_ = true;
}

std::string RouterFixture::header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

nlohmann::json RouterFixture::json_body(const HttpResponse& r) {
  EXPECT_EQ(r.content_type, "application/json") << r.body;
  return nlohmann::json::parse(r.body);
}

}  // namespace hale::testing
