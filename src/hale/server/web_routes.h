// The dashboard's routes (SPEC §10, docs/dashboard.md): GET / (the page) and GET /assets/NAME (its
// script and style sheet, under content-hashed names), served from the assets compiled into the
// binary (web_assets.h). Rows of the route table in router.cpp.
#pragma once

#include "hale/server/http_types.h"
#include "hale/server/route_table.h"

namespace hale {

// The page: index.html, with a Content-Security-Policy that allows only hale's own origin (no
// CDN, no inline script).
HttpResponse dashboard_index(const RouteCall& call);

// /assets/NAME: the asset with its type and ETag; 404 for a name the binary does not hold.
HttpResponse dashboard_asset(const RouteCall& call);

}  // namespace hale
