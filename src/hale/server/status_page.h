// SPEC §10's public face: /status (an HTML page without script, from the server: it works on
// an air-gapped host and in any browser), /status.json (the same as data), the badges under
// /badge/NAME/... (SVG, and shields.io's endpoint JSON with .json), and the announcements API.
//
// Only subjects [status_page] shows are public: names, status, uptime and incident times, never
// a reason, target or error. A subject that is not shown answers 404 on every badge path, as a
// name that does not exist does (404, not 403: names do not leak). Without [status_page] every
// one of these answers 404.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hale/config.h"
#include "hale/server/http_types.h"
#include "hale/server/route_table.h"

namespace hale {

HttpResponse status_page(const RouteCall& c);
HttpResponse status_json(const RouteCall& c);
HttpResponse badge(const RouteCall& c);
HttpResponse announcements_list(const RouteCall& c);  // GET and POST /api/v1/announcements
HttpResponse announcement_one(const RouteCall& c);    // DELETE /api/v1/announcements/ID

// Whether a subject of that name and groups is on the status page.
bool is_public(const StatusPageConfig& page, std::string_view name, const std::vector<std::string>& groups);

// A shields.io-style badge: `label` on grey, `message` on `color` (a hex colour), with the text
// widths of Verdana 11px that shields.io uses, approximated per character.
std::string badge_svg(std::string_view label, std::string_view message, std::string_view color);

}  // namespace hale
