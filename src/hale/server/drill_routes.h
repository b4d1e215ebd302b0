// /api/v1/drills (SPEC §7): GET the drills with their last runs, GET one, POST
// /api/v1/drills/NAME/run (admin token) to start one, and POST /api/v1/drills (admin token) with
// a drill as JSON to start one the config does not have (drill_request.h). The drills themselves run in the daemon
// (DrillRunner); the router only asks through RouterContext's drill calls.
#pragma once

#include <string>

#include "hale/server/route_table.h"

namespace hale {

// What the daemon answers a drill call with: an HTTP status and a JSON body.
struct DrillAnswer {
  int http_status = 200;
  std::string body;
};

// GET /api/v1/drills (the drills and their last runs); POST /api/v1/drills (admin token): a
// drill as JSON, run now.
HttpResponse drills(const RouteCall& c);
// GET /api/v1/drills/NAME
HttpResponse drill_one(const RouteCall& c);
// POST /api/v1/drills/NAME/run (admin token)
HttpResponse drill_run(const RouteCall& c);

}  // namespace hale
