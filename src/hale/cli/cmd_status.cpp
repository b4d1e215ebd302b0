// `hale status`: the running daemon's GET /health as a table of checks, one of services and one
// of heartbeats.
// Exit 0 when the overall status is ok or degraded, 1 when fail (or no daemon answers).
#include <cstdio>

#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/service_info.h"
#include "hale/cli/text_table.h"
#include "hale/cli/time_text.h"

namespace hale::cli {

namespace {

using nlohmann::json;

Colour health_colour(const std::string& status) {
  if (status == "ok") return Colour::kGreen;
  if (status == "degraded") return Colour::kYellow;
  if (status == "fail") return Colour::kRed;
  return Colour::kDim;
}

Colour state_colour(const std::string& state) {
  if (state == "ready" || state == "running") return Colour::kGreen;
  if (state == "starting" || state == "stopping" || state == "unhealthy" || state == "backoff") return Colour::kYellow;
  if (state == "failed") return Colour::kRed;
  return Colour::kDim;
}

std::string checks_table(const json& checks, WallTime now, bool colour) {
  if (!checks.is_object() || checks.empty()) return "no checks\n";
  TextTable t({"CHECK", "STATUS", "LATENCY", "SINCE", "DETAIL"});
  for (const auto& [name, c] : checks.items()) {
    const std::string status = json_string(c, "status");
    std::string latency = "-";
    if (auto l = c.find("latency_ms"); c.is_object() && l != c.end() && l->is_number()) {
      latency = std::to_string(l->get<long long>()) + "ms";
    }
    std::string since = "-";
    if (auto at = parse_iso8601_instant(json_string(c, "since"))) since = short_span(now - *at) + " ago";
    std::string detail = json_string(c, "error");
    if (detail.empty()) detail = json_string(c, "reason");
    t.add({name, {status, health_colour(status)}, latency, since, detail});
  }
  return t.render(colour);
}

std::string up_or_next(const ServiceInfo& s, WallTime now) {
  if (s.next_restart_at) {
    return *s.next_restart_at > now ? "restart in " + short_span(*s.next_restart_at - now) : "restart due";
  }
  const bool has_process = s.state == "running" || s.state == "ready" || s.state == "unhealthy" ||
                           s.state == "starting" || s.state == "stopping";
  if (has_process && s.started_at) return "up " + short_span(now - *s.started_at);
  return "-";
}

std::string services_table(const json& services, WallTime now, bool colour) {
  TextTable t({"SERVICE", "STATE", "PID", "RESTARTS", "UP/NEXT", "DETAIL"});
  for (const auto& [name, j] : services.items()) {
    ServiceInfo s = service_from_json(j);
    std::string detail = !s.reason.empty() ? s.reason : s.status_text;
    if (detail.empty() && s.wanted == "stop") detail = "stopped by operator";
    t.add({name, {s.state, state_colour(s.state)}, s.pid ? std::to_string(*s.pid) : "-",
           std::to_string(s.restarts), up_or_next(s, now), detail});
  }
  return t.render(colour);
}

// How the daemon holds its services' descendants (SPEC §4), from GET /api/v1/services; "" when
// it does not say (an older daemon).
std::string containment_line(const DaemonClient& client) {
  const HttpAnswer a = client.get("/api/v1/services");
  if (a.status != 200) return "";
  const json j = json::parse(a.body, nullptr, false);
  const std::string mode = json_string(j, "containment");
  if (mode == "cgroup") return "no orphans: cgroup (each service in a cgroup of its own)\n";
  if (mode == "subreaper") return "no orphans: subreaper (hale adopts and ends what a run leaves behind)\n";
  return "";
}

Colour heartbeat_colour(const std::string& state) {
  if (state == "up" || state == "running") return Colour::kGreen;
  if (state == "late") return Colour::kYellow;
  if (state == "down") return Colour::kRed;
  return Colour::kDim;
}

// "in 42m" / "12m overdue" for the next expected run. The document's times are whole seconds:
// an expected time in the same second as `now` has come (a heartbeat the daemon calls late in
// that second is "0s overdue", not "in 0s").
std::string next_run(const json& h, WallTime now) {
  auto at = parse_iso8601_instant(json_string(h, "next_expected"));
  if (!at) return "-";
  return *at > now ? "in " + short_span(*at - now) : short_span(now - *at) + " overdue";
}

std::string heartbeats_table(const json& heartbeats, WallTime now, bool colour) {
  TextTable t({"HEARTBEAT", "STATE", "LAST PING", "NEXT RUN", "DETAIL"});
  for (const auto& [name, h] : heartbeats.items()) {
    const std::string state = json_string(h, "state");
    std::string last = "never";
    if (auto at = parse_iso8601_instant(json_string(h, "last_ping"))) last = short_span(now - *at) + " ago";
    std::string detail = json_string(h, "error");
    if (detail.empty()) {
      if (auto run = h.find("last_run"); h.is_object() && run != h.end() && run->is_object()) {
        detail = "last run: " + json_string(*run, "verdict");
      }
    }
    t.add({name, {state, heartbeat_colour(state)}, last, next_run(h, now), detail});
  }
  return t.render(colour);
}

}  // namespace

int cmd_status(const std::string& config_path) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(config_path, exit_code);
  if (!client) return exit_code;
  const HttpAnswer a = client->get("/health");
  if (a.status == 0) return client->report_unreachable(a);
  if (a.status != 200 && a.status != 503) {
    std::fprintf(stderr, "hale: the daemon at %s answered %d to GET /health\n", client->address().c_str(), a.status);
    return 1;
  }
  auto doc = client->parse_body(a);
  if (!doc) return 1;
  const std::string status = json_string(*doc, "status");
  WallTime now = parse_iso8601_instant(json_string(*doc, "timestamp")).value_or(std::chrono::system_clock::now());
  const bool colour = use_colour();

  std::string header = "hale at " + client->address() + ": ";
  header += colour ? std::string("\033[1m") + (status == "ok" ? "\033[32m" : status == "fail" ? "\033[31m" : "\033[33m") +
                         status + "\033[0m"
                   : status;
  if (auto up = doc->find("uptime_seconds"); up != doc->end() && up->is_number_integer()) {
    header += " (up " + short_span(std::chrono::seconds(up->get<long long>())) + ")";
  }
  std::string out = header + "\n\n" + checks_table(doc->value("checks", json::object()), now, colour);
  if (auto s = doc->find("services"); s != doc->end() && s->is_object() && !s->empty()) {
    out += "\n" + services_table(*s, now, colour) + containment_line(*client);
  }
  if (auto h = doc->find("heartbeats"); h != doc->end() && h->is_object() && !h->empty()) {
    out += "\n" + heartbeats_table(*h, now, colour);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return status == "ok" || status == "degraded" ? 0 : 1;
}

}  // namespace hale::cli
