// The dashboard's routes (see web_routes.h).
#include "hale/server/web_routes.h"

#include <fmt/format.h>

#include "hale/server/answers.h"
#include "hale/server/web_assets.h"

namespace hale {

namespace {

// Only hale's own origin: the page's script, style sheet, API calls and event stream. uPlot sets
// element styles from its script (allowed by 'unsafe-inline' for styles only); data: is for the
// empty favicon. No frame may embed the page (its buttons stop services).
constexpr const char* kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

HttpResponse serve(const WebAsset& a) {
  HttpResponse r;
  r.content_type = a.content_type;
  r.body.assign(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
  r.headers.emplace_back("ETag", std::string(a.etag));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

HttpResponse dashboard_index(const RouteCall&) {
  const WebAsset* page = find_web_asset("index.html");
  if (!page) return text_answer(404, "this hale was built without its dashboard\n");
  HttpResponse r = serve(*page);
  r.headers.emplace_back("Content-Security-Policy", kPolicy);
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

HttpResponse dashboard_asset(const RouteCall& call) {
  // The page is served at / only; /assets/ holds what it loads.
  const WebAsset* a = call.name == "index.html" ? nullptr : find_web_asset(call.name);
  if (!a) return text_answer(404, fmt::format("no asset named \"{}\"\n", call.name));
  return serve(*a);
}

}  // namespace hale
