// GET /guard/NAME (SPEC §7): whether a dependency is usable, for a service that asks on every
// request. 204 while it is, 503 with {"error": {"code", "message"}} and Retry-After while it is
// not, 404 for a name that is nothing. Read from the snapshots like /readyz: no probe runs.
#pragma once

#include <string_view>

#include "hale/server/http_types.h"

namespace hale {

struct RouterContext;

// The answer for `name` (the path after /guard/). A check is looked up first, then a heartbeat,
// then a service (the order of /health/NAME).
HttpResponse guard_answer(std::string_view name, const RouterContext& ctx);

}  // namespace hale
