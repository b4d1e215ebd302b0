// /api/v1/drills (SPEC §7): GET the drills with their last runs, GET one, POST
// /api/v1/drills/NAME/run (admin token) to start one, and POST /api/v1/drills (admin token) with
// a drill as JSON to start one the config does not have (drill_request.h). The drills themselves run in the daemon
// (DrillRunner); the router only asks through RouterContext's drill calls.
#pragma once

#include <optional>

#include "hale/server/http_types.h"
#include "hale/server/query.h"

namespace hale {

struct RouterContext;

// What the daemon answers a drill call with: an HTTP status and a JSON body.
struct DrillAnswer {
  int http_status = 200;
  std::string body;
};

// The answer when `t.path` is one of these routes; nullopt otherwise.
std::optional<HttpResponse> route_drills(const HttpRequest& req, const ParsedTarget& t, const RouterContext& ctx);

}  // namespace hale
