// `hale why NAME [--at TIME]`: the story of one incident of a check, service or heartbeat
// (SPEC §10), from the running daemon's /api/v1/incidents: when it started, was detected, was
// alerted and recovered, with the time each took, then every event in order (failing results,
// transitions, restarts, alerts and each delivery attempt, silences, drills).
// Exit 0 when an incident was found, 1 when none (or no daemon answers), 2 for bad usage, an
// unknown name or a bad config.
#include <cstdio>
#include <string>

#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/service_info.h"
#include "hale/cli/text_table.h"
#include "hale/cli/time_text.h"

namespace hale::cli {

namespace {

using nlohmann::json;

std::optional<WallTime> time_of(const json& j, const char* key) { return parse_iso8601_instant(json_string(j, key)); }

// "4m38s" (or "0.35s" under a minute) for a number of seconds in `j[key]`, "-" when null.
std::string span_of(const json& j, const char* key) {
  if (!j.is_object()) return "-";
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return "-";
  const double s = it->get<double>();
  if (s < 60) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fs", s);
    return buf;
  }
  return short_span(std::chrono::seconds(static_cast<long long>(s)));
}

std::string clock_of(std::optional<WallTime> t) { return t ? format_iso8601_ms(*t) : std::string("-"); }

// GET `path` as JSON; prints what went wrong and sets `exit_code` when it is not a 200.
std::optional<json> fetch(const DaemonClient& client, const std::string& path, int& exit_code) {
  const HttpAnswer a = client.get(path);
  if (a.status == 0) {
    exit_code = client.report_unreachable(a);
    return std::nullopt;
  }
  if (a.status != 200) {
    const std::string msg = api_error_message(a.body);
    std::fprintf(stderr, "hale: the daemon at %s answered %d to GET %s%s%s\n", client.address().c_str(), a.status,
                 path.c_str(), msg.empty() ? "" : ": ", msg.c_str());
    exit_code = a.status == 404 || a.status == 400 ? 2 : 1;
    return std::nullopt;
  }
  auto doc = client.parse_body(a);
  if (!doc) exit_code = 1;
  return doc;
}

void print_story(const json& incident, bool colour) {
  const std::string status = json_string(incident, "status");
  std::printf("%s %s: incident %lld, %s (worst: %s)%s\n", json_string(incident, "kind").c_str(),
              json_string(incident, "name").c_str(), incident.value("id", 0LL), status.c_str(),
              json_string(incident, "worst").c_str(),
              json_string(incident, "drill").empty() ? "" : (", drill " + json_string(incident, "drill")).c_str());
  std::printf("  cause      %s\n", json_string(incident, "cause").c_str());
  std::printf("  started    %s\n", clock_of(time_of(incident, "started_at")).c_str());
  std::printf("  detected   %-24s time to detect  %s\n", clock_of(time_of(incident, "detected_at")).c_str(),
              span_of(incident, "time_to_detect_seconds").c_str());
  std::printf("  alerted    %-24s time to alert   %s\n", clock_of(time_of(incident, "alerted_at")).c_str(),
              span_of(incident, "time_to_alert_seconds").c_str());
  std::printf("  recovered  %-24s time to recover %s\n\n", clock_of(time_of(incident, "resolved_at")).c_str(),
              span_of(incident, "time_to_recover_seconds").c_str());
  const json timeline = incident.value("timeline", json::array());
  if (timeline.empty()) {
    std::printf("no events kept for it\n");
    return;
  }
  const auto start = time_of(incident, "started_at");
  TextTable t({"AT", "AFTER", "EVENT", "WHAT"});
  for (const json& e : timeline) {
    const auto at = time_of(e, "at");
    std::string after = "-";
    if (at && start) {
      const double s = std::chrono::duration<double>(*at - *start).count();
      char buf[32];
      std::snprintf(buf, sizeof buf, "+%.3fs", s);
      after = s < 60 ? std::string(buf) : "+" + short_span(*at - *start);
    }
    const std::string type = json_string(e, "type");
    Colour c = Colour::kNone;
    if (type == "result") c = Colour::kRed;
    if (type == "alert" || type == "delivery") c = Colour::kYellow;
    if (type == "drill" || type == "silence") c = Colour::kDim;
    t.add({json_string(e, "at"), after, {type, c}, json_string(e, "text")});
  }
  std::fputs(t.render(colour).c_str(), stdout);
}

}  // namespace

int cmd_why(const WhyArgs& args) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(args.config, exit_code);
  if (!client) return exit_code;
  std::string path = "/api/v1/incidents?limit=1&name=" + url_escape(args.name);
  if (!args.kind.empty()) path += "&kind=" + url_escape(args.kind);
  if (!args.at.empty()) path += "&at=" + url_escape(args.at);
  auto list = fetch(*client, path, exit_code);
  if (!list) return exit_code;
  const json incidents = list->value("incidents", json::array());
  if (incidents.empty()) {
    std::printf("no incident of %s%s%s kept\n", args.name.c_str(), args.at.empty() ? "" : " at ", args.at.c_str());
    return 1;
  }
  const long long id = incidents.front().value("id", 0LL);
  auto one = fetch(*client, "/api/v1/incidents/" + std::to_string(id), exit_code);
  if (!one) return exit_code;
  const json incident = one->value("incident", json::object());
  if (args.json) {
    std::printf("%s\n", incident.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return 0;
  }
  print_story(incident, use_colour());
  return 0;
}

}  // namespace hale::cli
