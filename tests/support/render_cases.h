// Fixed alerts and notifiers for tests of alert rendering and delivery: one Delivery per case the
// golden files of tests/unit/alert/golden/ cover, at fixed times, from host "host-1", service "hale".
#pragma once

#include <string>
#include <vector>

#include "hale/model/alert.h"
#include "hale/alert/render.h"
#include "hale/time/timestamp.h"

namespace hale::testing {

inline WallTime wall(std::string_view iso) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(parse_iso8601(iso).value().time_since_epoch()));
}

inline const RenderContext kContext{"hale", "host-1"};
inline constexpr const char* kDeliveryId = "5f2c0a9e4b7d41c3a8e6f0d2b1c3e4f5";

struct RenderCase {
  std::string name;  // the golden file's suffix
  Delivery delivery;
};

// A critical check failing for 2 minutes: the base every case changes.
inline Delivery firing_critical() {
  Delivery d;
  d.seq = 7;
  d.id = kDeliveryId;
  d.notifier = "ops";
  Alert& a = d.alert;
  a.key = "check/db/fail";
  a.kind = SubjectKind::kCheck;
  a.subject = "db";
  a.status = Health::kFail;
  a.previous = Health::kOk;
  a.state = "fail";
  a.critical = true;
  a.since = wall("2026-04-18T17:58:02Z");
  a.at = wall("2026-04-18T18:00:02Z");
  a.message = "connection refused";
  a.repeat = std::chrono::hours(1);
  d.created_at = a.at;
  return d;
}

inline std::vector<RenderCase> render_cases() {
  std::vector<RenderCase> out;
  out.push_back({"firing_critical", firing_critical()});
  {
    Delivery d = firing_critical();
    d.alert.sequence = 2;
    d.alert.at = wall("2026-04-18T20:00:02Z");
    out.push_back({"reminder", d});
  }
  {
    Delivery d = firing_critical();
    d.alert.status = Health::kOk;
    d.alert.previous = Health::kFail;
    d.alert.state = "ok";
    d.alert.resolved = true;
    d.alert.at = wall("2026-04-18T18:30:12Z");
    d.alert.message = "connected in 3ms";
    out.push_back({"resolution", d});
  }
  {
    Delivery d = firing_critical();
    d.alert.key = "check/db/flapping";
    d.alert.flapping = true;
    d.alert.at = wall("2026-04-18T18:05:00Z");
    d.alert.message = "6 status changes in 10m";
    out.push_back({"flapping", d});
  }
  {
    Delivery d = firing_critical();
    d.alert.key = "check/db/flapping";
    d.alert.status = Health::kOk;
    d.alert.previous = Health::kFail;
    d.alert.state = "ok";
    d.alert.resolved = true;
    d.alert.at = wall("2026-04-18T18:25:00Z");
    d.alert.message = "";
    out.push_back({"stable", d});
  }
  {
    Delivery d = firing_critical();
    d.alert.key = "heartbeat/sauvegarde-café/fail";
    d.alert.kind = SubjectKind::kHeartbeat;
    d.alert.subject = "sauvegarde-café";
    d.alert.state = "down";
    d.alert.critical = false;
    d.alert.message = "späte Ausführung: 期限切れ 🚨";
    out.push_back({"non_ascii", d});
  }
  {
    Delivery d = firing_critical();
    d.alert.key = "service/web/degraded";
    d.alert.kind = SubjectKind::kService;
    d.alert.subject = "web";
    d.alert.status = Health::kDegraded;
    d.alert.state = "degraded";
    // Line ends of every kind, quotes, a tab, a control byte, an invalid UTF-8 byte, and what
    // chat services read as markup or mentions.
    d.alert.message = "line one\r\nline \"two\"\rthree\n\tfour <!channel> & @everyone \x01 \xff end";
    out.push_back({"crlf_quotes", d});
  }
  return out;
}

inline NotifierSpec notifier(NotifierType type) {
  NotifierSpec n;
  n.name = "ops";
  n.type = type;
  switch (type) {
    case NotifierType::kWebhook:
      n.urls = {"https://hooks.example.com/hale"};
      n.headers = {{"X-Env", "prod"}};
      break;
    case NotifierType::kSlack: n.urls = {"https://hooks.slack.com/services/T000/B000/XXXXSLACKSECRET"}; break;
    case NotifierType::kDiscord: n.urls = {"https://discord.com/api/webhooks/123/DISCORDSECRET"}; break;
    case NotifierType::kAlertmanager:
      n.urls = {"http://am1:9093", "https://am2.example:9093/alertmanager/api/v2/alerts"};
      n.token = "am-token-secret";
      break;
    case NotifierType::kNtfy:
      n.urls = {"https://ntfy.example/hale-alerts"};
      n.token = "tk_ntfysecret";
      break;
    case NotifierType::kEmail:
      n.urls = {"smtp://mail.example.com:587"};
      n.from = "hale <hale@example.com>";
      n.to = {"ops@example.com", "On Call <oncall@example.com>"};
      n.username = "hale";
      n.password = "smtp-password-secret";
      break;
    case NotifierType::kExec: n.command = {"/usr/local/bin/page", "--json"}; break;
  }
  return n;
}

// A request as the golden files show it: "POST <url>", the headers, a blank line, the exact body.
inline std::string show(const std::vector<HttpDeliveryRequest>& requests) {
  std::string out;
  for (const auto& r : requests) {
    if (!out.empty()) out += "\n";
    out += "POST " + r.url + "\n";
    for (const auto& [name, value] : r.headers) out += name + ": " + value + "\n";
    out += "\n" + r.body + "\n";
  }
  return out;
}

}  // namespace hale::testing
