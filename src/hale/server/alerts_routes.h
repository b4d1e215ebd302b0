// The alerting part of the API (SPEC §6): GET /api/v1/alerts, GET|POST /api/v1/silences,
// GET|DELETE /api/v1/silences/ID. Mutating calls need the admin token.
#pragma once

#include <optional>

#include "hale/server/http_types.h"
#include "hale/server/query.h"

namespace hale {

struct RouterContext;

// The answer when `t.path` is one of these routes; nullopt otherwise.
std::optional<HttpResponse> route_alerts(const HttpRequest& req, const ParsedTarget& t, const RouterContext& ctx);

}  // namespace hale
