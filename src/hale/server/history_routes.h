// SPEC §10's read endpoints: /api/v1/history/NAME, /api/v1/uptime/NAME, /api/v1/overview,
// /api/v1/incidents[/ID]. Each checks its input on the loop (400 for a bad from/to/window/step,
// 404 for a name no check, service or heartbeat has) and answers later (HttpResponse::deferred)
// from the history's thread, which reads SQLite. 503 when history is off.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hale/server/http_types.h"
#include "hale/server/route_table.h"

namespace hale::history {
class History;
class HistoryDb;
}

namespace hale {

HttpResponse history_points(const RouteCall& c);
HttpResponse history_uptime(const RouteCall& c);
HttpResponse history_overview(const RouteCall& c);
HttpResponse incidents_list(const RouteCall& c);
HttpResponse incident_one(const RouteCall& c);

// An answer computed by `job` on the history's thread (HttpResponse::deferred); an exception in
// it is a 500.
HttpResponse answer_from_history(history::History* h, std::function<HttpResponse(history::HistoryDb&)> job);

// hale_history_writes_total and hale_history_write_errors_total (SPEC §8: at most one write
// transaction a second), appended to a /metrics page when history is on.
void append_history_metrics(const history::History& h, std::string& page);

// A time of the API: RFC 3339, unix seconds (or milliseconds), or "-DURATION" before `now`
// ("-24h"); in unix seconds. nullopt when it is none of these.
std::optional<std::int64_t> parse_api_time(std::string_view text, std::int64_t now);

// The windows of /api/v1/uptime, in seconds: "24h" 86400, "7d", "30d", "90d", "365d";
// nullopt for another.
std::optional<std::int64_t> uptime_window_seconds(std::string_view window);

}  // namespace hale
