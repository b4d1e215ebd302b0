// Router: (request, snapshot) -> response for every endpoint of SPEC §3. Pure apart from the
// reload callback: it reads an already computed Snapshot and never runs a probe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hale/alert/alerts_view.h"
#include "hale/clock.h"
#include "hale/heartbeat/heartbeat_api.h"
#include "hale/heartbeat_view.h"
#include "hale/history/records.h"
#include "hale/server/drill_routes.h"
#include "hale/server/health_json.h"
#include "hale/server/host_allow.h"
#include "hale/server/http_types.h"
#include "hale/server/process_stats.h"
#include "hale/service_view.h"
#include "hale/snapshot.h"
#include "hale/supervise/supervisor.h"

namespace hale::history {
class History;
}

namespace hale {

// What a reload reports back to POST /api/v1/reload.
struct ReloadOutcome {
  bool ok = false;
  std::vector<std::string> errors;  // FILE:LINE:COL: message; no secret in them
  std::size_t checks = 0;
};

struct RouterContext {
  const Snapshot& snapshot;
  // Views into strings owned by the caller for the duration of the call: building a context
  // per request must not allocate.
  std::string_view service = "hale";
  std::string_view version;
  std::optional<std::string_view> admin_token;  // unset: mutating calls are refused with 403
  WallTime now{};
  std::function<ReloadOutcome()> reload;   // empty: reload not available
  // Supervised services (SPEC §4); null: no supervisor, no "services" anywhere.
  const ServicesSnapshot* services = nullptr;
  // start | stop | restart of one service; empty: answered 503.
  std::function<ServiceActionResult(std::string_view name, std::string_view action)> service_action;
  // Heartbeats (SPEC §5); null: none configured, no "heartbeats" anywhere.
  const HeartbeatsSnapshot* heartbeats = nullptr;
  // /ping/NAME...; empty: every ping answers 404 (no heartbeat has that name).
  std::function<PingAnswer(const PingCall&)> ping;
  // pause | resume of one heartbeat; empty: answered 404 (no heartbeat has that name), after
  // the admin token check.
  std::function<HeartbeatActionResult(std::string_view name, std::string_view action)> heartbeat_action;
  // Alerting (SPEC §6): what the API and /metrics show, built on request (`deliveries` false:
  // without the pending and recent deliveries, for /metrics and the silences), and the
  // silences' calls; empty: /api/v1/alerts and /api/v1/silences answer 503.
  std::function<AlertsView(bool deliveries)> alerts;
  std::function<Silence(Silence)> add_silence;
  std::function<bool(std::string_view id)> expire_silence;
  // Whether /metrics shows the hale_alert* families (some notifier is configured).
  bool alert_metrics = false;
  // [metrics] detail: how many series /metrics gives each check.
  MetricsDetail metrics_detail = MetricsDetail::kCompact;
  // Which Host headers are answered (DNS rebinding); null: any.
  const HostAllowList* hosts = nullptr;
  // SPEC §7 drills. `drills("")`: GET /api/v1/drills; `drills(NAME)`: GET /api/v1/drills/NAME;
  // `run_drill(NAME)`: POST /api/v1/drills/NAME/run (after the token check). Empty: no drills.
  std::function<DrillAnswer(std::string_view name)> drills;
  std::function<DrillAnswer(std::string_view name)> run_drill;
  std::function<DrillAnswer(std::string_view body)> run_drill_request;
  // hale's state store as /health shows it; null: nothing needs one.
  const StateStoreHealth* state_store = nullptr;
  // hale's own process figures for /metrics (read_process_stats in the daemon); empty: the
  // process_* families are left out. A function, so that route() itself reads nothing.
  std::optional<ProcessStats> (*process_stats)() = nullptr;
  // SPEC §10 history: its reads run on its own thread (history_routes.h); null or not
  // enabled(): those endpoints answer 503. `history_config`: the retention, for the 400s.
  history::History* history = nullptr;
  const HistoryConfig* history_config = nullptr;
  // SPEC §10 status page and badges; null: they answer 404. The announcements (config and API,
  // all of them) and the API's calls; empty: none, and POST answers 503.
  const StatusPageConfig* status_page = nullptr;
  std::function<std::vector<history::Announcement>()> announcements;
  std::function<history::Announcement(history::Announcement)> add_announcement;
  std::function<bool(std::string_view id)> remove_announcement;
  // The status page's own listener (public_listen): only /status, /status.json and the badges
  // are answered, for any Host; everything else is 404.
  bool public_only = false;
};

HttpResponse route(const HttpRequest& req, const RouterContext& ctx);

// The request body a route accepts: up to the configured maximum for the mutating API
// (POST /api/...); any length for a ping (POST /ping/...), of which the last kMaxPingBody
// bytes are kept; nothing anywhere else. Given to the HttpServer so that a body no route
// wants is refused (413) before it is read.
BodyRule body_rule_for(std::string_view method, std::string_view target, std::size_t configured);

// The credentials of an `Authorization: Bearer <token>` header (the scheme in any case, RFC
// 7235), or nullopt for another scheme or none.
std::optional<std::string_view> bearer_token(std::string_view authorization);
// Constant-time check of an `Authorization: Bearer <token>` header against the admin token.
bool bearer_matches(std::string_view authorization, std::string_view token);

// Event loop lag above which /livez answers 503 (SPEC §3: the loop must be responsive).
inline constexpr Duration kMaxLoopLag = std::chrono::seconds(5);

}  // namespace hale
