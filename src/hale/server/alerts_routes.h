// The alerting part of the API (SPEC §6): GET /api/v1/alerts, GET|POST /api/v1/silences,
// GET|DELETE /api/v1/silences/ID. Mutating calls need the admin token.
#pragma once

#include "hale/server/route_table.h"

namespace hale {

// GET /api/v1/alerts[?state=&limit=]
HttpResponse alerts_list(const RouteCall& c);
// GET /api/v1/silences, POST /api/v1/silences (admin token)
HttpResponse silences(const RouteCall& c);
// GET /api/v1/silences/ID, DELETE /api/v1/silences/ID (admin token)
HttpResponse silence_one(const RouteCall& c);

}  // namespace hale
