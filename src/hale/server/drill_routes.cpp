// /api/v1/drills (see drill_routes.h).
#include "hale/server/drill_routes.h"

#include <fmt/format.h>

#include "hale/server/answers.h"
#include "hale/server/router.h"

namespace hale {

HttpResponse drills(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  if (c.req.method == "POST") {
    // A drill that is not in the config (hale matrix --verify).
    if (auto refused = refuse_unauthorized(c.req, ctx.admin_token)) return *refused;
    if (!ctx.run_drill_request) return json_error(503, "unavailable", "drills are not available");
    DrillAnswer a = ctx.run_drill_request(c.req.body);
    return json_answer(a.http_status, std::move(a.body));
  }
  if (!ctx.drills) return json_answer(200, R"({"drills":[]})");
  DrillAnswer a = ctx.drills("");
  return json_answer(a.http_status, std::move(a.body));
}

HttpResponse drill_one(const RouteCall& c) {
  if (!c.ctx.drills) return json_error(404, "not_found", fmt::format("no drill named \"{}\"", c.name));
  DrillAnswer a = c.ctx.drills(c.name);
  return json_answer(a.http_status, std::move(a.body));
}

HttpResponse drill_run(const RouteCall& c) {
  if (auto refused = refuse_unauthorized(c.req, c.ctx.admin_token)) return *refused;
  if (!c.ctx.run_drill) return json_error(404, "not_found", fmt::format("no drill named \"{}\"", c.name));
  DrillAnswer a = c.ctx.run_drill(c.name);
  return json_answer(a.http_status, std::move(a.body));
}

}  // namespace hale
