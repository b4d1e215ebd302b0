// /api/v1/drills (see drill_routes.h).
#include "hale/server/drill_routes.h"

#include <fmt/format.h>

#include "hale/server/answers.h"
#include "hale/server/router.h"

namespace hale {

namespace {

constexpr std::string_view kDrills = "/api/v1/drills";

}  // namespace

std::optional<HttpResponse> route_drills(const HttpRequest& req, const ParsedTarget& t, const RouterContext& ctx) {
  const std::string_view path = t.path;
  if (!path.starts_with(kDrills)) return std::nullopt;
  const bool read = req.method == "GET" || req.method == "HEAD";
  if (path == kDrills) {
    if (req.method == "POST") {
      // A drill that is not in the config (hale matrix --verify).
      if (auto refused = refuse_unauthorized(req, ctx.admin_token)) return *refused;
      if (!ctx.run_drill_request) return json_error(503, "unavailable", "drills are not available");
      DrillAnswer a = ctx.run_drill_request(req.body);
      return json_answer(a.http_status, std::move(a.body));
    }
    if (!read) return method_not_allowed("GET, HEAD, POST");
    if (!ctx.drills) return json_answer(200, R"({"drills":[]})");
    DrillAnswer a = ctx.drills("");
    return json_answer(a.http_status, std::move(a.body));
  }
  if (path.size() <= kDrills.size() + 1 || path[kDrills.size()] != '/') return std::nullopt;
  std::string_view rest = path.substr(kDrills.size() + 1);
  constexpr std::string_view kRun = "/run";
  if (rest.ends_with(kRun)) {
    const std::string_view name = rest.substr(0, rest.size() - kRun.size());
    if (req.method != "POST") return method_not_allowed("POST");
    if (auto refused = refuse_unauthorized(req, ctx.admin_token)) return *refused;
    if (!ctx.run_drill) return json_error(404, "not_found", fmt::format("no drill named \"{}\"", name));
    DrillAnswer a = ctx.run_drill(name);
    return json_answer(a.http_status, std::move(a.body));
  }
  if (rest.find('/') != std::string_view::npos) {
    return json_error(404, "not_found", "use GET /api/v1/drills/NAME or POST /api/v1/drills/NAME/run");
  }
  if (!read) return method_not_allowed("GET, HEAD");
  if (!ctx.drills) return json_error(404, "not_found", fmt::format("no drill named \"{}\"", rest));
  DrillAnswer a = ctx.drills(rest);
  return json_answer(a.http_status, std::move(a.body));
}

}  // namespace hale
