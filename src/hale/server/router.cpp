// Router: every endpoint of SPEC §3 as a function of the request and the current Snapshot.
#include "hale/server/router.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hale/aggregate.h"
#include "hale/text/secret_compare.h"
#include "hale/heartbeat/ping_request.h"
#include "hale/server/alerts_routes.h"
#include "hale/server/answers.h"
#include "hale/server/guard_route.h"
#include "hale/server/health_json.h"
#include "hale/server/heartbeat_json.h"
#include "hale/server/history_routes.h"
#include "hale/server/kube_exclusions.h"
#include "hale/server/metrics.h"
#include "hale/server/query.h"
#include "hale/server/route_table.h"
#include "hale/server/status_page.h"
#include "hale/server/web_routes.h"

namespace hale {

namespace {

HttpResponse text(int status, std::string body) { return text_answer(status, std::move(body)); }
HttpResponse json(int status, std::string body, const char* type = kJsonType) {
  return json_answer(status, std::move(body), type);
}

int status_code_for(Health h) { return h == Health::kFail ? 503 : 200; }

// One check asked about by name (/readyz/NAME, /livez/NAME, /health/NAME): its own status
// decides, critical or not (critical only weighs in aggregation). Before its first result it
// is not ready, but it is live and its /health/NAME answers 200 with status "unknown".
Health own_health(const CheckView& c, Question q) {
  if (c.status == Health::kUnknown) return q == Question::kReady ? Health::kFail : Health::kOk;
  return c.status;
}

std::string line_for(const CheckView& c, Question q) {
  const bool failing = counts_as_failing(c, q) ||
                       (c.status == Health::kFail);  // a non-critical fail is still shown as [-]
  std::string detail;
  switch (c.status) {
    case Health::kOk: detail = "ok"; break;
    case Health::kDegraded: detail = "degraded: " + (c.error.empty() ? c.message : c.error); break;
    case Health::kFail: detail = "failed: " + c.error; break;
    case Health::kUnknown: detail = c.joining ? "unknown: added by a reload, no result yet" : "unknown: no result yet"; break;
  }
  return fmt::format("[{}]{} {}\n", failing ? '-' : '+', c.name, detail);
}

// The `[±]services/NAME` lines of /readyz?verbose, for services with a readiness check.
void service_ready_lines(const ServicesSnapshot& services, KubeExclusions& excluded, std::string& body) {
  for (const auto& s : services.services) {
    if (!s->in_readyz()) continue;
    const std::string name = "services/" + s->name;
    if (excluded.take(name)) {
      body += KubeExclusions::excluded_line(name);
      continue;
    }
    // Shown as [-] when not ready, critical or not (as a non-critical failing check is);
    // only `critical` decides whether it fails the answer.
    if (s->ready_health() == Health::kOk) {
      body += fmt::format("[+]{} ready\n", name);
    } else {
      body += fmt::format("[-]{} not ready: {}: {}\n", name, to_string(s->state), s->reason);
    }
  }
}

// The `[±]heartbeats/NAME` lines of ?verbose, for heartbeats in `group`.
void heartbeat_lines(const HeartbeatsSnapshot& heartbeats, std::string_view group, KubeExclusions& excluded,
                     std::string& body) {
  for (const auto& h : heartbeats.heartbeats) {
    if (!h->in_group(group)) continue;
    const std::string name = "heartbeats/" + h->name;
    if (excluded.take(name)) {
      body += KubeExclusions::excluded_line(name);
      continue;
    }
    // As for checks: [-] when failed (critical or not), [+] when passing or only degraded (late).
    switch (h->health()) {
      case Health::kFail: body += fmt::format("[-]{} {}: {}\n", name, to_string(h->state), h->reason); break;
      case Health::kDegraded: body += fmt::format("[+]{} {}: {}\n", name, to_string(h->state), h->reason); break;
      default: body += fmt::format("[+]{} {}\n", name, to_string(h->state)); break;
    }
  }
}

// The event loop's own line of /livez: a check named "eventloop".
constexpr std::string_view kEventLoop = "eventloop";

bool loop_lagging(const Snapshot& snap) { return snap.loop_lag > kMaxLoopLag; }

// kube-apiserver style answer for /livez, /readyz, /groupz/NAME and their per-check forms:
// "ok" when healthy, the per-check listing when verbose or failing. `listed`: every check of the
// question, the excluded ones too (listed as such, in their place, as kube-apiserver does);
// `extra_lines` come after them (services, heartbeats), then the warning for excludes that
// matched nothing.
HttpResponse kube_answer(std::string_view what, const std::vector<const CheckView*>& listed, Question q,
                         Health overall, bool verbose, const Snapshot& snap, KubeExclusions& excluded,
                         const std::string& extra_lines = {}) {
  const int status = status_code_for(overall);
  if (!verbose && status == 200) return text(200, "ok");
  std::string body;
  if (q == Question::kLive) {
    if (excluded.take(kEventLoop)) {
      body += KubeExclusions::excluded_line(kEventLoop);
    } else if (!loop_lagging(snap)) {
      body += "[+]eventloop ok\n";
    } else {
      body += fmt::format("[-]eventloop failed: lagging {} ms\n",
                          std::chrono::duration_cast<std::chrono::milliseconds>(snap.loop_lag).count());
    }
  }
  for (const CheckView* c : listed) {
    body += excluded.take(c->name) ? KubeExclusions::excluded_line(c->name) : line_for(*c, q);
  }
  body += extra_lines;
  body += excluded.warning();
  body += fmt::format("{} check {}\n", what, status == 200 ? "passed" : "failed");
  return text(status, std::move(body));
}

// The services' part of /readyz: those with a readiness check, minus `excluded`.
Health services_ready(const ServicesSnapshot& services, const std::vector<std::string>& excluded) {
  if (excluded.empty()) return services.ready;
  ServicesSnapshot kept;
  for (const auto& s : services.services) {
    if (std::find(excluded.begin(), excluded.end(), "services/" + s->name) == excluded.end()) {
      kept.services.push_back(s);
    }
  }
  finalize(kept);
  return kept.ready;
}

// `services` (for the ready group only): services with a readiness check take part like checks.
// `heartbeats`: those in `group` take part like checks.
HttpResponse probe_endpoint(std::string_view what, std::string_view group, Question q,
                            std::string_view name, const ParsedTarget& t, const Snapshot& snap,
                            const ServicesSnapshot* services = nullptr,
                            const HeartbeatsSnapshot* heartbeats = nullptr) {
  const bool verbose = t.has("verbose");
  if (!name.empty()) {
    const CheckView* c = snap.find(name);
    if (!c) return text(404, fmt::format("no check named \"{}\"\n", name));
    std::vector<const CheckView*> one{c};
    KubeExclusions none({});
    return kube_answer(fmt::format("{}/{}", what, name), one, q, own_health(*c, q), verbose, snap, none);
  }
  const std::vector<std::string> excluded = t.all("exclude");
  const bool precomputed = excluded.empty() && (group == "ready" || group == "live");
  const bool loop_counts =
      q == Question::kLive && std::find(excluded.begin(), excluded.end(), kEventLoop) == excluded.end();
  Health overall = group == "ready" ? snap.ready : snap.live;
  if (loop_counts && loop_lagging(snap)) overall = Health::kFail;
  if (services) overall = worse(overall, services->ready);
  if (heartbeats) {
    overall = worse(overall, precomputed ? (group == "ready" ? heartbeats->ready : heartbeats->live)
                                         : heartbeats_health(*heartbeats, group, excluded));
  }
  // The hot path: a plain /readyz or /livez that passes reads precomputed fields and never
  // walks the checks.
  if (precomputed && !verbose && overall != Health::kFail) return text(200, "ok");
  if (!precomputed) {
    overall = aggregate(select(snap, group, excluded), q);
    if (loop_counts && loop_lagging(snap)) overall = Health::kFail;
    if (services) overall = worse(overall, services_ready(*services, excluded));
    if (heartbeats) overall = worse(overall, heartbeats_health(*heartbeats, group, excluded));
  }
  KubeExclusions exclusions(excluded);
  std::string extra;
  if (services) service_ready_lines(*services, exclusions, extra);
  if (heartbeats) heartbeat_lines(*heartbeats, group, exclusions, extra);
  return kube_answer(what, select(snap, group, {}), q, overall, verbose, snap, exclusions, extra);
}

bool is_custom_group(const Snapshot& snap, std::string_view g) {
  for (const auto& c : snap.custom_groups) {
    if (c == g) return true;
  }
  return false;
}

std::optional<HttpResponse> refuse_unauthorized(const HttpRequest& req, const RouterContext& ctx) {
  return refuse_unauthorized(req, ctx.admin_token);
}

// The answer to an operator call that was carried out: {"name", "action", "state"}.
HttpResponse action_done(std::string_view name, std::string_view action, std::string_view state) {
  nlohmann::json j;
  j["name"] = name;
  j["action"] = action;
  j["state"] = state;
  return json(200, j.dump());
}

// POST /api/v1/services/NAME/ACTION.
HttpResponse handle_service_action(const HttpRequest& req, const RouterContext& ctx, std::string_view name,
                                   std::string_view action) {
  if (name.empty()) return json_error(404, "not_found", "use POST /api/v1/services/NAME/start|stop|restart");
  if (action != "start" && action != "stop" && action != "restart") {
    return json_error(404, "not_found", fmt::format("no action \"{}\" (start, stop, restart)", action));
  }
  if (auto refused = refuse_unauthorized(req, ctx)) return *refused;
  if (!ctx.service_action) return json_error(503, "supervisor_unavailable", "no supervisor is running");
  ServiceActionResult r = ctx.service_action(name, action);
  if (r.http_status != 200) return json_error(r.http_status, r.error_code, r.message);
  return action_done(name, action, to_string(r.state));
}

HttpResponse handle_reload(const HttpRequest& req, const RouterContext& ctx) {
  if (auto refused = refuse_unauthorized(req, ctx)) return *refused;
  if (!ctx.reload) return json_error(503, "reload_unavailable", "reload is not available");
  ReloadOutcome o = ctx.reload();
  nlohmann::json j;
  j["reloaded"] = o.ok;
  if (o.ok) {
    j["checks"] = o.checks;
    return json(200, j.dump());
  }
  j["errors"] = o.errors;
  return json(422, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// /ping/NAME[/start|/fail|/log|/CODE] (SPEC §5), GET, HEAD or POST; the token may come as
// ?token= (cron lines are easier with it) or as a bearer header.
HttpResponse handle_ping(const HttpRequest& req, const RouterContext& ctx, const ParsedTarget& t) {
  const std::optional<PingRequest> parsed = parse_ping_path(t.path);
  if (!parsed) return text(404, "not a ping URL: use /ping/NAME, /ping/NAME/start, /fail, /log or /EXIT_CODE\n");
  if (!ctx.ping) return text(404, fmt::format("no heartbeat named \"{}\"\n", parsed->name));
  PingCall call;
  call.name = parsed->name;
  call.kind = parsed->kind;
  call.exit_code = parsed->exit_code;
  call.exit_code_over_255 = parsed->exit_code_over_255;
  call.body = req.body;
  call.body_bytes = std::max<std::uint64_t>(req.body_bytes, req.body.size());
  const std::vector<std::string> tokens = t.all("token");
  if (!tokens.empty()) {
    call.token = tokens.front();
  } else {
    call.token = bearer_token(req.authorization);
  }
  PingAnswer a = ctx.ping(call);
  return text(a.status, std::move(a.body));
}

// POST /api/v1/heartbeats/NAME/pause|resume.
HttpResponse handle_heartbeat_action(const HttpRequest& req, const RouterContext& ctx, std::string_view name,
                                     std::string_view action) {
  if (name.empty()) return json_error(404, "not_found", "use POST /api/v1/heartbeats/NAME/pause|resume");
  if (action != "pause" && action != "resume") {
    return json_error(404, "not_found", fmt::format("no action \"{}\" (pause, resume)", action));
  }
  if (auto refused = refuse_unauthorized(req, ctx)) return *refused;
  if (!ctx.heartbeat_action) return json_error(404, "not_found", fmt::format("no heartbeat named \"{}\"", name));
  HeartbeatActionResult r = ctx.heartbeat_action(name, action);
  if (r.http_status != 200) return json_error(r.http_status, r.error_code, r.message);
  return action_done(name, action, to_string(r.state));
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  // RFC 7235: the scheme is case-insensitive, then one or more spaces, then the credentials.
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  if (rest.empty()) return std::nullopt;
  return rest;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  const auto given = bearer_token(authorization);
  return given && secret_equals(*given, token);
}

BodyRule body_rule_for(std::string_view method, std::string_view target, std::size_t configured) {
  if (method != "POST") return {};
  // The decoded path, as route() sees it: /p%69ng/NAME is a ping there too.
  const std::string path = parse_target(target).path;
  if (starts_with(path, "/api/")) return {configured, 0};
  if (starts_with(path, "/ping/")) return {0, kMaxPingBody};
  return {};
}

namespace {

// ---- the handlers of the route table ---------------------------------------------------------

HttpResponse livez(const RouteCall& c) {
  const std::string_view what = c.target.path == "/healthz" ? "healthz" : "livez";
  return probe_endpoint(what, "live", Question::kLive, "", c.target, c.ctx.snapshot, nullptr, c.ctx.heartbeats);
}

HttpResponse readyz(const RouteCall& c) {
  return probe_endpoint("readyz", "ready", Question::kReady, "", c.target, c.ctx.snapshot, c.ctx.services,
                        c.ctx.heartbeats);
}

HttpResponse livez_one(const RouteCall& c) {
  return probe_endpoint("livez", "", Question::kLive, c.name, c.target, c.ctx.snapshot);
}

HttpResponse readyz_one(const RouteCall& c) {
  return probe_endpoint("readyz", "", Question::kReady, c.name, c.target, c.ctx.snapshot);
}

HttpResponse guard(const RouteCall& c) { return guard_answer(c.name, c.ctx); }

HttpResponse groupz(const RouteCall& c) {
  const std::string_view group = c.name;
  const Snapshot& snap = c.ctx.snapshot;
  if (!is_custom_group(snap, group) && group != "live" && group != "ready") {
    return text(404, fmt::format("no group named \"{}\"\n", group));
  }
  const Question q = group == "live" ? Question::kLive : Question::kReady;
  return probe_endpoint(group, group, q, "", c.target, snap, group == "ready" ? c.ctx.services : nullptr,
                        c.ctx.heartbeats);
}

HealthDocContext health_doc(const RouterContext& ctx) {
  HealthDocContext doc{ctx.service, ctx.version, ctx.now};
  if (ctx.state_store) doc.state_store = *ctx.state_store;
  return doc;
}

HttpResponse health(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  HealthDocContext doc = health_doc(ctx);
  if (ctx.alert_metrics && ctx.alerts) {
    const AlertsView a = ctx.alerts(false);
    doc.alerting = AlertingHealth{a.durable, a.outbox_error, a.memory_only};
  }
  const int status = status_code_for(overall_health(ctx.snapshot, ctx.services, ctx.heartbeats));
  if (c.req.accept.find("application/health+json") != std::string::npos) {
    return json(status, health_ietf_json(ctx.snapshot, doc, ctx.services, ctx.heartbeats), "application/health+json");
  }
  return json(status, health_json(ctx.snapshot, doc, ctx.services, ctx.heartbeats));
}

const ServiceView* find_service(const RouterContext& ctx, std::string_view name) {
  return ctx.services ? ctx.services->find(std::string(name)) : nullptr;
}

HttpResponse no_service(std::string_view name) {
  return json_error(404, "not_found", fmt::format("no service named \"{}\"", name));
}

// /health/services/NAME: the service's JSON, 503 when it is not healthy.
HttpResponse service_health(const RouteCall& c) {
  const ServiceView* s = find_service(c.ctx, c.name);
  if (!s) return no_service(c.name);
  return json(status_code_for(s->overall_health()), service_json(*s));
}

// /health/NAME: a check or a heartbeat, answering on its own, critical or not.
HttpResponse subject_health(const RouteCall& c) {
  const std::string name(c.name);
  if (const CheckView* check = c.ctx.snapshot.find(name)) {
    return json(status_code_for(own_health(*check, Question::kHealth)), check_detail_json(*check));
  }
  if (const HeartbeatView* h = c.ctx.heartbeats ? c.ctx.heartbeats->find(name) : nullptr) {
    return json(status_code_for(h->health()), heartbeat_detail_json(*h));
  }
  return json_error(404, "not_found", fmt::format("no check or heartbeat named \"{}\"", name));
}

HttpResponse metrics(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  std::optional<AlertsView> alerts;
  if (ctx.alert_metrics && ctx.alerts) alerts = ctx.alerts(false);
  const std::optional<ProcessStats> process = ctx.process_stats ? ctx.process_stats() : std::nullopt;
  std::string page = render_metrics(ctx.snapshot, process, ctx.version, ctx.services, ctx.heartbeats,
                                    alerts ? &*alerts : nullptr, ctx.metrics_detail);
  if (ctx.history) append_history_metrics(*ctx.history, page);
  HttpResponse r = text(200, std::move(page));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

// SPEC §10: the dashboard (web_routes.cpp), its assets compiled into the binary.
HttpResponse index(const RouteCall& c) { return dashboard_index(c); }

HttpResponse ping(const RouteCall& c) { return handle_ping(c.req, c.ctx, c.target); }

HttpResponse checks_list(const RouteCall& c) { return json(200, checks_list_json(c.ctx.snapshot)); }

HttpResponse check_detail(const RouteCall& c) {
  const CheckView* check = c.ctx.snapshot.find(std::string(c.name));
  if (!check) return json_error(404, "not_found", fmt::format("no check named \"{}\"", c.name));
  return json(200, check_detail_json(*check));
}

HttpResponse services_list(const RouteCall& c) {
  return json(200, c.ctx.services ? services_list_json(*c.ctx.services) : std::string(R"({"services":[]})"));
}

HttpResponse service_detail(const RouteCall& c) {
  const ServiceView* s = find_service(c.ctx, c.name);
  if (!s) return no_service(c.name);
  return json(200, service_json(*s));
}

// POST /api/v1/services/NAME: not an endpoint; the 404 says which is.
HttpResponse service_action_hint(const RouteCall&) {
  return json_error(404, "not_found", "use POST /api/v1/services/NAME/start|stop|restart");
}

HttpResponse service_action(const RouteCall& c) { return handle_service_action(c.req, c.ctx, c.name, c.action); }

HttpResponse heartbeats_list(const RouteCall& c) {
  return json(200, c.ctx.heartbeats ? heartbeats_list_json(*c.ctx.heartbeats) : std::string(R"({"heartbeats":[]})"));
}

HttpResponse heartbeat_detail(const RouteCall& c) {
  const HeartbeatView* h = c.ctx.heartbeats ? c.ctx.heartbeats->find(std::string(c.name)) : nullptr;
  if (!h) return json_error(404, "not_found", fmt::format("no heartbeat named \"{}\"", c.name));
  return json(200, heartbeat_detail_json(*h));
}

HttpResponse heartbeat_action(const RouteCall& c) { return handle_heartbeat_action(c.req, c.ctx, c.name, c.action); }

// SPEC §7: the server turns the connection into the stream (HttpResponse::event_stream).
HttpResponse events(const RouteCall&) {
  HttpResponse stream;
  stream.content_type = "text/event-stream";
  stream.event_stream = true;
  return stream;
}

HttpResponse reload(const RouteCall& c) { return handle_reload(c.req, c.ctx); }

constexpr std::string_view kRead = "GET, HEAD";

// The probe endpoints come first: they are the hot path, and the table is walked in order.
constexpr Route kRoutes[] = {
    {"/readyz", kRead, readyz, true},
    {"/livez", kRead, livez, true},
    {"/healthz", kRead, livez, true},
    {"/readyz/{name}", kRead, readyz_one, true},
    {"/livez/{name}", kRead, livez_one, true},
    {"/guard/{name}", kRead, guard, true},
    {"/groupz/{name}", kRead, groupz},
    {"/health", kRead, health},
    {"/health/services/{name}", kRead, service_health},
    {"/health/{name}", kRead, subject_health},
    {"/metrics", kRead, metrics},
    {"/", kRead, index},
    {"/assets/{name}", kRead, dashboard_asset},
    {"/ping/{path...}", "GET, HEAD, POST", ping},
    {"/api/v1/checks", kRead, checks_list},
    {"/api/v1/checks/{name}", kRead, check_detail},
    {"/api/v1/services", kRead, services_list},
    {"/api/v1/services/{name}", kRead, service_detail},
    {"/api/v1/services/{name}", "POST", service_action_hint},
    {"/api/v1/services/{name}/{action}", "POST", service_action},
    {"/api/v1/heartbeats", kRead, heartbeats_list},
    {"/api/v1/heartbeats/{name}", kRead, heartbeat_detail},
    {"/api/v1/heartbeats/{name}/{action}", "POST", heartbeat_action},
    {"/api/v1/alerts", kRead, alerts_list},
    {"/api/v1/silences", "GET, HEAD, POST", silences},
    {"/api/v1/silences/{id}", "GET, HEAD, DELETE", silence_one},
    {"/api/v1/drills", "GET, HEAD, POST", drills},
    {"/api/v1/drills/{name}", kRead, drill_one},
    {"/api/v1/drills/{name}/run", "POST", drill_run},
    {"/api/v1/events", "GET", events},
    {"/api/v1/reload", "POST", reload},
    {"/api/v1/history/{name}", kRead, history_points},
    {"/api/v1/uptime/{name}", kRead, history_uptime},
    {"/api/v1/overview", kRead, history_overview},
    {"/api/v1/incidents", kRead, incidents_list},
    {"/api/v1/incidents/{id}", kRead, incident_one},
    {"/api/v1/announcements", "GET, HEAD, POST", announcements_list},
    {"/api/v1/announcements/{id}", "DELETE", announcement_one},
    {"/status", kRead, status_page},
    {"/status.json", kRead, status_json},
    {"/badge/{path...}", kRead, badge},
};

// The routes the status page's own listener answers (public_listen).
bool is_public_route(const Route* r) {
  return r && (r->handle == status_page || r->handle == status_json || r->handle == badge);
}

}  // namespace

std::span<const Route> routes() { return kRoutes; }

HttpResponse route(const HttpRequest& req, const RouterContext& ctx) {
  const ParsedTarget t = parse_target(req.target);
  const RouteLookup found = find_route(req.method, t.path);
  const Route* r = found.route ? found.route : found.fits_path;
  if (ctx.public_only) {
    // The public listener: the status page and badges for anyone, nothing else (not even
    // whether another path exists).
    if (!is_public_route(r)) return text(404, "not found\n");
    if (!found.route) return method_not_allowed(r->methods);
    return r->handle(RouteCall{req, ctx, t, found.name, found.action});
  }
  if (ctx.hosts && !(r && r->any_host) && !ctx.hosts->allows(req.host)) {
    // RFC 9110 421: not for this server. A page whose name a DNS rebinding pointed at 127.0.0.1.
    return text(421, "misdirected request: hale listens on loopback and answers only loopback names and the names "
                     "in server.allowed_hosts\n");
  }
  if (!r) {
    if (starts_with(t.path, "/api/")) return json_error(404, "not_found", fmt::format("no endpoint {}", t.path));
    return text(404, "not found\n");
  }
  if (!found.route) return method_not_allowed(r->methods);
  return r->handle(RouteCall{req, ctx, t, found.name, found.action});
}

}  // namespace hale
