// hale::Guard and hale::Endpoints (see hale/guard.h, hale/endpoints.h): the daemon's own router
// and guard answer, on a Monitor's snapshot.
#include "hale/endpoints.h"

#include "hale/server/guard_route.h"
#include "hale/server/router.h"
#include "hale/version.h"

namespace hale {

namespace {

EmbeddedResponse embedded(HttpResponse r) {
  EmbeddedResponse out;
  out.status = r.status;
  out.content_type = std::string(r.content_type);
  out.body = std::move(r.body);
  out.headers = std::move(r.headers);
  out.headers.emplace_back("Cache-Control", "no-store");  // as the daemon's server adds it
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

Guard::Guard(const Monitor& monitor, std::string dependency) : monitor_(monitor), dependency_(std::move(dependency)) {}

bool Guard::usable() const {
  auto d = monitor_.dependency(dependency_);
  return d && (d->health == Health::kOk || d->health == Health::kDegraded);
}

EmbeddedResponse Guard::answer() const {
  auto snap = monitor_.snapshot();
  RouterContext ctx{*snap};
  ctx.now = system_clock().wall_now();
  return embedded(guard_answer(dependency_, ctx));
}

std::string Guard::error_json() const {
  EmbeddedResponse r = answer();
  if (r.status == 503) return r.body;
  // Usable now: the body it would have.
  auto d = monitor_.dependency(dependency_);
  const std::string code = d ? d->guard_code : default_guard_code(dependency_);
  return R"({"error":{"code":")" + code + R"(","message":")" + dependency_ + R"( not ready"}})";
}

Endpoints::Endpoints(const Monitor& monitor, std::string service) : monitor_(monitor), service_(std::move(service)) {}

std::optional<EmbeddedResponse> Endpoints::handle(std::string_view method, std::string_view target,
                                                  std::string_view accept) const {
  const std::string_view path = target.substr(0, target.find('?'));
  const bool ours = path == "/livez" || path == "/readyz" || path == "/healthz" || path == "/health" ||
                    starts_with(path, "/livez/") || starts_with(path, "/readyz/") || starts_with(path, "/health/") ||
                    starts_with(path, "/guard/");
  if (!ours) return std::nullopt;
  auto snap = monitor_.snapshot();
  RouterContext ctx{*snap};
  ctx.service = service_;
  ctx.version = version();
  ctx.now = system_clock().wall_now();
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.accept = accept;
  req.host = "localhost";
  return embedded(route(req, ctx));
}

}  // namespace hale
