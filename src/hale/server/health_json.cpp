// JSON rendering of health documents.
#include "hale/server/health_json.h"

#include <nlohmann/json.hpp>

#include "hale/aggregate.h"
#include "hale/config.h"
#include "hale/server/heartbeat_json.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;

std::int64_t millis(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string dump(const ojson& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Writes a JSON object member by member into `out`, each value dumped on its own. For the
// documents with one member per check: an ordered_json object finds each new key by a linear
// search (10,000 checks: 50 million comparisons, 190 ms) and holds the whole tree at once; this
// holds one check's entry at a time. Keys must be unique (names are).
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void add(std::string_view key, const ojson& value) {
    open(key);
    out_ += dump(value);
  }
  // A member whose value is an object written by the caller's own ObjectWriter.
  void open(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += dump(ojson(key));
    out_ += ':';
  }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

// The per-check entry of /health: the spec's short form, with the failure details only while
// the check is not ok.
ojson check_summary(const CheckView& c) {
  ojson j;
  j["status"] = to_string(c.status);
  j["critical"] = c.critical;
  if (c.latency) j["latency_ms"] = millis(*c.latency);
  if (c.status != Health::kOk) {
    if (!c.error.empty()) j["error"] = c.error;
    j["since"] = format_iso8601(c.since);
    j["consecutive_failures"] = c.consecutive_failures;
    if (c.last_success) j["last_success"] = format_iso8601(*c.last_success);
    if (c.last_failure) j["last_failure"] = format_iso8601(*c.last_failure);
    if (c.next_check) j["next_check"] = format_iso8601(*c.next_check);
  }
  return j;
}

std::string_view ietf_status(Health h) {
  switch (h) {
    case Health::kOk: return "pass";
    case Health::kDegraded: return "warn";
    case Health::kFail: return "fail";
    case Health::kUnknown: return "warn";
  }
  return "warn";
}

ojson text_or_null(const std::string& s) { return s.empty() ? ojson() : ojson(s); }

ojson check_detail(const CheckView& c) {
  ojson j;
  j["name"] = c.name;
  j["type"] = c.type;
  j["target"] = c.target;
  j["status"] = to_string(c.status);
  j["critical"] = c.critical;
  j["groups"] = c.groups;
  if (c.latency) j["latency_ms"] = millis(*c.latency);
  j["message"] = c.message;
  if (!c.error.empty()) {
    j["error"] = c.error;
    j["error_code"] = to_string(c.error_kind);
    // Whose fault (error_kind.h): "prober" when hale could not ask at all (kubelet's "probe
    // errored"), "hale" for hale's own judgments; absent for the target's own failures.
    if (c.error_kind != ErrorKind::kNone && fault_of(c.error_kind) != Fault::kTarget) {
      j["fault"] = to_string(fault_of(c.error_kind));
    }
  }
  j["since"] = format_iso8601(c.since);
  j["consecutive_failures"] = c.consecutive_failures;
  j["last_success"] = c.last_success ? ojson(format_iso8601(*c.last_success)) : ojson();
  j["last_failure"] = c.last_failure ? ojson(format_iso8601(*c.last_failure)) : ojson();
  j["last_probe"] = c.last_probe ? ojson(format_iso8601(*c.last_probe)) : ojson();
  j["next_check"] = c.next_check ? ojson(format_iso8601(*c.next_check)) : ojson();
  j["in_start_period"] = c.in_start_period;
  j["probing_stopped"] = c.probing_stopped;
  if (!c.depends_on.empty() || !c.blocking.empty()) {
    // SPEC §7 depends_on: its parents, the one that blocks it now, the children it blocks now.
    j["depends_on"] = c.depends_on;
    j["blocked_by"] = text_or_null(c.blocked_by);
    j["blocking"] = c.blocking;
  }
  if (!c.drill.empty()) j["drill"] = c.drill;  // SPEC §7: its results are forced by this drill
  if (c.latency_budget) {
    // SPEC §7: the budget and what it judges; the quantiles are null until the window holds
    // enough results to judge.
    ojson budget;
    budget["p50_ms"] = c.latency_budget->p50 ? ojson(millis(*c.latency_budget->p50)) : ojson();
    budget["p95_ms"] = c.latency_budget->p95 ? ojson(millis(*c.latency_budget->p95)) : ojson();
    budget["window"] = format_duration(c.latency_budget->window);
    j["latency_budget"] = std::move(budget);
    const auto& q = c.latency_quantiles;
    j["latency_p50_ms"] = q ? ojson(millis(q->p50)) : ojson();
    j["latency_p95_ms"] = q ? ojson(millis(q->p95)) : ojson();
    j["latency_window_results"] = q ? q->results : 0;
  }
  ojson recent = ojson::array();
  const std::size_t results = c.recent ? c.recent->size() : 0;
  for (std::size_t i = 0; i < results; ++i) {
    const ProbeResult& r = (*c.recent)[i];
    ojson e;
    if (i < c.recent_wall.size()) e["at"] = format_iso8601(c.recent_wall[i]);
    e["verdict"] = to_string(r.verdict);
    e["reason"] = r.reason;
    e["latency_ms"] = millis(r.latency);
    recent.push_back(std::move(e));
  }
  j["recent"] = std::move(recent);
  return j;
}

ojson iso_or_null(const std::optional<WallTime>& t) { return t ? ojson(format_iso8601(*t)) : ojson(); }

ojson service_entry(const ServiceView& s) {
  ojson j;
  j["name"] = s.name;
  j["state"] = to_string(s.state);
  j["reason"] = s.reason;
  j["wanted"] = s.wanted ? "start" : "stop";
  j["pid"] = s.pid ? ojson(*s.pid) : ojson();
  j["restarts"] = s.restarts;
  j["restarts_by_reason"] = s.restarts_by_reason;
  if (s.last_exit) {
    ojson e;
    e["code"] = s.last_exit->code ? ojson(*s.last_exit->code) : ojson();
    e["signal"] = s.last_exit->signal ? ojson(signal_name(*s.last_exit->signal)) : ojson();
    e["at"] = format_iso8601(s.last_exit->at);
    j["last_exit"] = std::move(e);
  } else {
    j["last_exit"] = nullptr;
  }
  j["next_restart_at"] = iso_or_null(s.next_restart_at);
  j["budget_left"] = s.budget_left;
  j["since"] = format_iso8601(s.since);
  j["started_at"] = iso_or_null(s.started_at);
  j["liveness"] = text_or_null(s.liveness);
  j["readiness"] = text_or_null(s.readiness);
  j["status_text"] = text_or_null(s.status_text);
  if (!s.require.empty()) {
    j["require"] = s.require;
    j["on_require_fail"] = to_string(s.on_require_fail);
    j["held"] = text_or_null(s.held);
  }
  return j;
}

int rank(Health h) { return h == Health::kFail ? 2 : h == Health::kDegraded ? 1 : 0; }

}  // namespace

Health worse(Health a, Health b) {
  if (rank(b) > rank(a)) return b;
  return rank(a) == 0 ? Health::kOk : a;
}

std::string service_json(const ServiceView& s) { return dump(service_entry(s)); }

std::string services_list_json(const ServicesSnapshot& services) {
  ojson arr = ojson::array();
  for (const auto& s : services.services) arr.push_back(service_entry(*s));
  ojson j;
  // How the services' descendants are held (SPEC §4): "cgroup" or "subreaper".
  j["containment"] = services.containment.empty() ? ojson() : ojson(services.containment);
  j["services"] = std::move(arr);
  return dump(j);
}

Health overall_health(const Snapshot& snap, const ServicesSnapshot* services, const HeartbeatsSnapshot* heartbeats) {
  Health h = snap.overall;
  if (services) h = worse(h, services->overall);
  if (heartbeats) h = worse(h, heartbeats->overall);
  return h;
}

std::string health_json(const Snapshot& snap, const HealthDocContext& ctx, const ServicesSnapshot* services,
                        const HeartbeatsSnapshot* heartbeats) {
  Health status = overall_health(snap, services, heartbeats);
  // A store that is read-only, lost or recreated costs the operator something: degraded.
  if (ctx.state_store && ctx.state_store->status != "ok") status = worse(status, Health::kDegraded);
  std::string out;
  out.reserve(256 + snap.checks.size() * 64);
  ObjectWriter doc(out);
  doc.add("status", to_string(status));
  doc.add("service", ctx.service);
  doc.add("version", ctx.version);
  doc.add("uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(ctx.now - snap.started_at).count());
  doc.add("timestamp", format_iso8601(ctx.now));
  doc.open("checks");
  ObjectWriter checks(out);
  for (const auto& c : snap.checks) checks.add(c->name, check_summary(*c));
  checks.close();
  if (services) {
    doc.open("services");
    ObjectWriter svc(out);
    for (const auto& s : services->services) svc.add(s->name, service_entry(*s));
    svc.close();
  }
  if (heartbeats) {
    doc.open("heartbeats");
    ObjectWriter hb(out);
    for (const auto& h : heartbeats->heartbeats) hb.add(h->name, heartbeat_entry(*h));
    hb.close();
  }
  if (ctx.state_store) {
    ojson st;
    st["status"] = ctx.state_store->status;
    st["message"] = ctx.state_store->message.empty() ? ojson() : ojson(ctx.state_store->message);
    doc.add("state_store", st);
  }
  if (ctx.alerting) {
    // Whether what alerting has in hand survives a crash: an outbox write failing (a full disk)
    // leaves deliveries in memory only.
    ojson a;
    a["durable"] = ctx.alerting->durable;
    a["outbox_error"] = ctx.alerting->outbox_error.empty() ? ojson() : ojson(ctx.alerting->outbox_error);
    a["memory_only"] = ctx.alerting->memory_only;
    doc.add("alerting", a);
  }
  doc.close();
  return out;
}

std::string health_ietf_json(const Snapshot& snap, const HealthDocContext& ctx, const ServicesSnapshot* services,
                             const HeartbeatsSnapshot* heartbeats) {
  std::string out;
  out.reserve(256 + snap.checks.size() * 200);
  ObjectWriter doc(out);
  doc.add("status", ietf_status(overall_health(snap, services, heartbeats)));
  doc.add("version", "1");
  doc.add("releaseId", ctx.version);
  doc.add("serviceId", ctx.service);
  doc.add("description", "health of " + std::string(ctx.service) + " as seen by hale");
  doc.open("checks");
  ObjectWriter checks(out);
  for (const auto& c : snap.checks) {
    ojson e;
    e["componentId"] = c->name;
    e["componentType"] = c->type;
    if (c->latency) {
      e["observedValue"] = millis(*c->latency);
      e["observedUnit"] = "ms";
    }
    e["status"] = ietf_status(c->status);
    e["time"] = format_iso8601(c->last_probe.value_or(c->since));
    if (c->status == Health::kUnknown) {
      e["output"] = "no result yet";
    } else if (!c->error.empty() && c->status != Health::kOk) {
      e["output"] = c->error;
    }
    checks.add(c->name + ":responseTime", ojson::array({std::move(e)}));
  }
  if (services) {
    for (const auto& sv : services->services) {
      ojson e;
      e["componentId"] = sv->name;
      e["componentType"] = "service";
      e["observedValue"] = to_string(sv->state);
      e["status"] = ietf_status(sv->overall_health());
      e["time"] = format_iso8601(sv->since);
      if (!sv->reason.empty()) e["output"] = sv->reason;
      checks.add(sv->name + ":state", ojson::array({std::move(e)}));
    }
  }
  if (heartbeats) {
    for (const auto& h : heartbeats->heartbeats) {
      ojson e;
      e["componentId"] = h->name;
      e["componentType"] = "heartbeat";
      e["observedValue"] = to_string(h->state);
      // paused and new count as ok in aggregation; they show as pass here for the same reason.
      e["status"] = ietf_status(h->health() == Health::kUnknown ? Health::kOk : h->health());
      e["time"] = format_iso8601(h->last_ping.value_or(h->since));
      if (h->health() == Health::kDegraded || h->health() == Health::kFail) e["output"] = h->reason;
      checks.add(h->name + ":heartbeat", ojson::array({std::move(e)}));
    }
  }
  checks.close();
  doc.close();
  return out;
}

std::string check_detail_json(const CheckView& c) { return dump(check_detail(c)); }

std::string checks_list_json(const Snapshot& snap) {
  ojson arr = ojson::array();
  for (const auto& c : snap.checks) arr.push_back(check_detail(*c));
  ojson j;
  j["checks"] = std::move(arr);
  return dump(j);
}

}  // namespace hale
