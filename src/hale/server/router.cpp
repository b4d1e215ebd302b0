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
#include "hale/server/kube_exclusions.h"
#include "hale/server/metrics.h"
#include "hale/server/query.h"

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

// "NAME/start", "NAME/stop", "NAME/restart" (service names have no '/').
bool is_action_path(std::string_view rest) {
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  const std::string_view action = rest.substr(slash + 1);
  return action == "start" || action == "stop" || action == "restart";
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
HttpResponse handle_service_action(const HttpRequest& req, const RouterContext& ctx, std::string_view rest) {
  const auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return json_error(404, "not_found", "use /api/v1/services/NAME/start|stop|restart");
  const std::string_view name = rest.substr(0, slash);
  const std::string_view action = rest.substr(slash + 1);
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
HttpResponse handle_heartbeat_action(const HttpRequest& req, const RouterContext& ctx, std::string_view rest) {
  const auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0) {
    return json_error(404, "not_found", "use POST /api/v1/heartbeats/NAME/pause|resume");
  }
  const std::string_view name = rest.substr(0, slash);
  const std::string_view action = rest.substr(slash + 1);
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
// The probe endpoints and the guards answer any Host: an orchestrator's or load balancer's probe
// may name hale by an address it was never told about (a kubelet sends the pod IP), and refusing
// it would turn "healthy" into "unhealthy" (a guarded route into 503s). What they show a
// rebinding page is what every probe sees anyway.
bool answers_any_host(std::string_view path) {
  return path == "/livez" || path == "/healthz" || path == "/readyz" || starts_with(path, "/livez/") ||
         starts_with(path, "/readyz/") || starts_with(path, "/guard/");
}
}  // namespace

HttpResponse route(const HttpRequest& req, const RouterContext& ctx) {
  if (ctx.hosts && !ctx.hosts->allows(req.host) && !answers_any_host(parse_target(req.target).path)) {
    // RFC 9110 421: not for this server. A page whose name a DNS rebinding pointed at 127.0.0.1.
    return text(421, "misdirected request: hale listens on loopback and answers only loopback names and the names "
                     "in server.allowed_hosts\n");
  }
  const ParsedTarget t = parse_target(req.target);
  const std::string& path = t.path;
  const Snapshot& snap = ctx.snapshot;
  const bool read = req.method == "GET" || req.method == "HEAD";

  if (starts_with(path, "/ping/")) {
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") return method_not_allowed("GET, HEAD, POST");
    return handle_ping(req, ctx, t);
  }
  constexpr std::string_view kHeartbeats = "/api/v1/heartbeats/";
  if (starts_with(path, kHeartbeats) && std::string_view(path).substr(kHeartbeats.size()).find('/') != std::string_view::npos) {
    if (req.method != "POST") return method_not_allowed("POST");
    return handle_heartbeat_action(req, ctx, std::string_view(path).substr(kHeartbeats.size()));
  }
  if (auto answer = route_alerts(req, t, ctx)) return std::move(*answer);
  if (auto answer = route_drills(req, t, ctx)) return std::move(*answer);
  if (path == "/api/v1/reload") {
    if (req.method != "POST") return method_not_allowed("POST");
    return handle_reload(req, ctx);
  }
  constexpr std::string_view kServices = "/api/v1/services/";
  if (starts_with(path, kServices) && is_action_path(std::string_view(path).substr(kServices.size()))) {
    if (req.method != "POST") return method_not_allowed("POST");
    return handle_service_action(req, ctx, std::string_view(path).substr(kServices.size()));
  }
  if (req.method == "POST" && starts_with(path, kServices)) {
    const std::string_view rest = std::string_view(path).substr(kServices.size());
    const auto slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0) {
      return json_error(404, "not_found", fmt::format("no action \"{}\" (start, stop, restart)", rest.substr(slash + 1)));
    }
    return json_error(404, "not_found", "use POST /api/v1/services/NAME/start|stop|restart");
  }
  if (path == "/api/v1/events") {
    // SPEC §7: the server turns the connection into the stream (HttpResponse::event_stream).
    if (req.method != "GET") return method_not_allowed("GET");
    HttpResponse stream;
    stream.content_type = "text/event-stream";
    stream.event_stream = true;
    return stream;
  }
  if (!read) return method_not_allowed("GET, HEAD");

  if (starts_with(path, "/guard/")) return guard_answer(std::string_view(path).substr(7), ctx);
  if (path == "/readyz") {
    return probe_endpoint("readyz", "ready", Question::kReady, "", t, snap, ctx.services, ctx.heartbeats);
  }
  if (path == "/livez" || path == "/healthz") {
    return probe_endpoint(path.substr(1), "live", Question::kLive, "", t, snap, nullptr, ctx.heartbeats);
  }
  if (starts_with(path, "/readyz/")) {
    return probe_endpoint("readyz", "", Question::kReady, path.substr(8), t, snap);
  }
  if (starts_with(path, "/livez/")) {
    return probe_endpoint("livez", "", Question::kLive, path.substr(7), t, snap);
  }
  if (starts_with(path, "/groupz/")) {
    const std::string group = path.substr(8);
    if (!is_custom_group(snap, group) && group != "live" && group != "ready") {
      return text(404, fmt::format("no group named \"{}\"\n", group));
    }
    const Question q = group == "live" ? Question::kLive : Question::kReady;
    return probe_endpoint(group, group, q, "", t, snap, group == "ready" ? ctx.services : nullptr, ctx.heartbeats);
  }
  HealthDocContext doc{ctx.service, ctx.version, ctx.now};
  if (ctx.state_store) doc.state_store = *ctx.state_store;
  if (path == "/health") {
    if (ctx.alert_metrics && ctx.alerts) {
      const AlertsView a = ctx.alerts(false);
      doc.alerting = AlertingHealth{a.durable, a.outbox_error, a.memory_only};
    }
    const int status = status_code_for(overall_health(snap, ctx.services, ctx.heartbeats));
    if (req.accept.find("application/health+json") != std::string::npos) {
      return json(status, health_ietf_json(snap, doc, ctx.services, ctx.heartbeats), "application/health+json");
    }
    return json(status, health_json(snap, doc, ctx.services, ctx.heartbeats));
  }
  if (starts_with(path, "/health/services/") || starts_with(path, kServices)) {
    const std::string name = path.substr(path[1] == 'h' ? 17 : kServices.size());
    const ServiceView* s = ctx.services ? ctx.services->find(name) : nullptr;
    if (!s) return json_error(404, "not_found", fmt::format("no service named \"{}\"", name));
    const int status = path[1] == 'h' ? status_code_for(s->overall_health()) : 200;
    return json(status, service_json(*s));
  }
  if (path == "/api/v1/services") {
    return json(200, ctx.services ? services_list_json(*ctx.services) : std::string(R"({"services":[]})"));
  }
  if (path == "/api/v1/heartbeats") {
    return json(200, ctx.heartbeats ? heartbeats_list_json(*ctx.heartbeats) : std::string(R"({"heartbeats":[]})"));
  }
  if (starts_with(path, kHeartbeats)) {
    const std::string name = path.substr(kHeartbeats.size());
    const HeartbeatView* h = ctx.heartbeats ? ctx.heartbeats->find(name) : nullptr;
    if (!h) return json_error(404, "not_found", fmt::format("no heartbeat named \"{}\"", name));
    return json(200, heartbeat_detail_json(*h));
  }
  if (starts_with(path, "/health/")) {
    const std::string name = path.substr(8);
    if (const CheckView* c = snap.find(name)) {
      return json(status_code_for(own_health(*c, Question::kHealth)), check_detail_json(*c));
    }
    // A heartbeat answers on its own, critical or not, as a check does.
    if (const HeartbeatView* h = ctx.heartbeats ? ctx.heartbeats->find(name) : nullptr) {
      return json(status_code_for(h->health()), heartbeat_detail_json(*h));
    }
    return json_error(404, "not_found", fmt::format("no check or heartbeat named \"{}\"", name));
  }
  if (path == "/metrics") {
    std::optional<AlertsView> alerts;
    if (ctx.alert_metrics && ctx.alerts) alerts = ctx.alerts(false);
    HttpResponse r = text(200, render_metrics(snap, read_process_stats(), ctx.version, ctx.services, ctx.heartbeats,
                                              alerts ? &*alerts : nullptr));
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  }
  if (path == "/api/v1/checks") return json(200, checks_list_json(snap));
  if (starts_with(path, "/api/v1/checks/")) {
    const std::string name = path.substr(15);
    const CheckView* c = snap.find(name);
    if (!c) return json_error(404, "not_found", fmt::format("no check named \"{}\"", name));
    return json(200, check_detail_json(*c));
  }
  if (path == "/") {
    return text(200, fmt::format(
        "hale {} watching {} checks\n\n"
        "/livez /readyz /health /metrics /guard/NAME /api/v1/checks /api/v1/services /api/v1/heartbeats\n"
        "/api/v1/alerts /api/v1/silences /api/v1/drills /api/v1/events\n"
        "add ?verbose to /livez and /readyz for the per-check listing\n",
        ctx.version, snap.checks.size()));
  }
  return text(404, "not found\n");
}

}  // namespace hale
