// `hale alerts [--state S] [-n N]`: the running daemon's GET /api/v1/alerts as two tables, the
// notifiers with their counters and the latest deliveries with what became of them (SPEC §6).
// Exit 0 whenever the daemon answered (a failed delivery is history, not an error of this
// command: /metrics has hale_alerts_failed_total for alerting on it), 1 when no daemon answers
// or it has no alerts API, 2 for bad usage or a bad config.
#include <cstdio>
#include <string>
#include <vector>

#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/service_info.h"
#include "hale/cli/text_table.h"
#include "hale/cli/time_text.h"

namespace hale::cli {

namespace {

using nlohmann::json;

long long json_int(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

bool json_bool(const json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

Colour state_colour(const std::string& state) {
  if (state == "sent" || state == "accepted") return Colour::kGreen;
  if (state == "pending") return Colour::kYellow;
  if (state == "failed") return Colour::kRed;
  return Colour::kDim;  // silenced
}

// "in 12s" while the notifier backs off; "due" once that has passed (its next attempt may start).
std::string retrying(const json& n, WallTime now) {
  auto at = parse_iso8601_instant(json_string(n, "retry_at"));
  if (!at) return "-";
  return *at > now ? "in " + short_span(*at - now) : "due";
}

std::string notifiers_table(const json& notifiers, WallTime now, bool colour) {
  if (!notifiers.is_array() || notifiers.empty()) return "no notifiers configured\n";
  TextTable t({"NOTIFIER", "TYPE", "SENT", "FAILED", "PENDING", "OLDEST", "RETRYING"});
  for (const json& n : notifiers) {
    std::string type = json_string(n, "type");
    if (type.empty()) type = "(removed)";  // no longer in the config; its rows remain
    const long long failed = json_int(n, "failed");
    const long long pending = json_int(n, "pending");
    std::string oldest = "-";
    if (auto age = n.find("oldest_pending_age_seconds"); n.is_object() && age != n.end() && age->is_number()) {
      oldest = short_span(std::chrono::seconds(age->get<long long>()));
    }
    const std::string retry = retrying(n, now);
    t.add({json_string(n, "name"), type, std::to_string(json_int(n, "sent")),
           {std::to_string(failed), failed > 0 ? Colour::kRed : Colour::kNone},
           {std::to_string(pending), pending > 0 ? Colour::kYellow : Colour::kNone}, oldest,
           {retry, retry == "-" ? Colour::kNone : Colour::kYellow}});
  }
  return t.render(colour);
}

// What a delivery's DETAIL says: what kind of message it is (resolved, flapping, a reminder),
// then, by state: the last error and when the next attempt comes (pending), the error that
// ended it (failed), or the alert's own message in quotes (sent, silenced), so that a check's
// "connection refused" is not read as the receiver's.
std::string detail(const json& d, WallTime now) {
  std::vector<std::string> parts;
  if (json_bool(d, "resolved")) parts.push_back("resolved");
  if (json_bool(d, "flapping")) parts.push_back("flapping");
  if (const long long seq = json_int(d, "sequence"); seq > 0) parts.push_back("reminder " + std::to_string(seq));
  const std::string state = json_string(d, "state");
  const std::string error = json_string(d, "last_error");
  if (state == "pending") {
    if (!error.empty()) parts.push_back(error);
    if (auto next = parse_iso8601_instant(json_string(d, "next_attempt_at")); next && *next > now) {
      parts.push_back("next attempt in " + short_span(*next - now));
    } else if (json_int(d, "attempts") == 0) {
      parts.push_back("not tried yet");
    } else {
      parts.push_back("next attempt due");
    }
  } else if (state == "failed") {
    parts.push_back(error.empty() ? "gave up" : error);
  } else if (!json_bool(d, "resolved")) {
    if (std::string m = json_string(d, "message"); !m.empty()) parts.push_back("\"" + m + "\"");
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string deliveries_table(const json& deliveries, WallTime now, bool colour, const std::string& state) {
  if (!deliveries.is_array() || deliveries.empty()) {
    return state.empty() ? "no alert deliveries yet\n" : "no " + state + " deliveries\n";
  }
  TextTable t({"WHEN", "KEY", "NOTIFIER", "STATE", "ATTEMPTS", "DETAIL"});
  for (const json& d : deliveries) {
    std::string when = "-";
    if (auto at = parse_iso8601_instant(json_string(d, "created_at"))) when = short_span(now - *at) + " ago";
    const std::string s = json_string(d, "state");
    t.add({when, json_string(d, "key"), json_string(d, "notifier"), {s, state_colour(s)},
           std::to_string(json_int(d, "attempts")), detail(d, now)});
  }
  return t.render(colour);
}

}  // namespace

int cmd_alerts(const AlertsArgs& args) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(args.config, exit_code);
  if (!client) return exit_code;
  std::string path = "/api/v1/alerts?limit=" + std::to_string(args.limit);
  if (!args.state.empty()) path += "&state=" + args.state;
  const HttpAnswer a = client->get(path);
  if (a.status == 0) return client->report_unreachable(a);
  if (a.status == 404) {
    std::fprintf(stderr, "hale: the daemon at %s has no alerts API (404); is it an older hale?\n",
                 client->address().c_str());
    return 1;
  }
  if (a.status != 200) {
    const std::string msg = api_error_message(a.body);
    std::fprintf(stderr, "hale: the daemon at %s answered %d to GET /api/v1/alerts%s%s\n", client->address().c_str(),
                 a.status, msg.empty() ? "" : ": ", msg.c_str());
    return 1;
  }
  auto doc = client->parse_body(a);
  if (!doc) return 1;
  const WallTime now = parse_iso8601_instant(json_string(*doc, "timestamp")).value_or(std::chrono::system_clock::now());
  const bool colour = use_colour();

  const json notifiers = doc->value("notifiers", json::array());
  const long long pending = json_int(*doc, "pending");
  std::string header = "hale at " + client->address() + ": " + std::to_string(notifiers.size()) +
                       (notifiers.size() == 1 ? " notifier, " : " notifiers, ") + std::to_string(pending) +
                       (pending == 1 ? " delivery pending" : " deliveries pending");
  // The API says "durable": false whenever the daemon has no store open, which it opens only once
  // some notifier (or heartbeat) needs one: with no notifier there is no outbox, and nothing to
  // lose. Only a write error is news then.
  const bool has_outbox = !notifiers.empty() || pending > 0 || !json_string(*doc, "outbox_error").empty();
  if (auto durable = doc->find("durable");
      has_outbox && durable != doc->end() && durable->is_boolean() && !durable->get<bool>()) {
    // SPEC §6 promises nothing is lost; that holds only while the outbox is written.
    const std::string error = json_string(*doc, "outbox_error");
    const long long memory_only = json_int(*doc, "memory_only");
    std::string why;
    if (!error.empty()) {
      why = "NOT DURABLE: the outbox cannot be written (" + error + ")";
    } else if (memory_only > 0) {
      why = "NOT DURABLE: " + std::to_string(memory_only) + " pending in memory only";
    } else {
      why = "outbox in memory only: state_dir is unusable";
    }
    if (!error.empty() && memory_only > 0) why += "; " + std::to_string(memory_only) + " pending in memory only";
    header += colour ? " \033[31m(" + why + ")\033[0m" : " (" + why + ")";
  }
  std::string out = header + "\n\n" + notifiers_table(notifiers, now, colour) + "\n" +
                    deliveries_table(doc->value("deliveries", json::array()), now, colour, args.state);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace hale::cli
