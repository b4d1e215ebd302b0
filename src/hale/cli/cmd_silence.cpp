// `hale silence add | list | rm`: the running daemon's silences (SPEC §6, POST|GET
// /api/v1/silences, DELETE /api/v1/silences/ID), with the admin token from the config for add
// and rm, as `hale stop` sends it.
// Exit 0 done, 1 refused / no daemon, 2 bad usage (also a silence the daemon calls invalid, or
// an id it does not know, as `hale stop` treats an unknown service).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "hale/model/alert.h"
#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/service_info.h"
#include "hale/cli/text_table.h"
#include "hale/cli/time_text.h"
#include "hale/config.h"
#include "hale/time/timestamp.h"

namespace hale::cli {

namespace {

using nlohmann::json;

constexpr std::string_view kSilences = "/api/v1/silences";
constexpr std::size_t kIdLength = 32;  // hex digits of an API silence's id

// "--match subject=db" -> {"name": "subject", "value": "db"}; nullopt when it is not
// NAME=GLOB with a known NAME and a value.
std::optional<json> parse_matcher(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq + 1 == text.size()) return std::nullopt;
  const std::string name = text.substr(0, eq);
  bool known = false;
  for (std::string_view n : kSilenceMatcherNames) known = known || n == name;
  if (!known) return std::nullopt;
  return json{{"name", name}, {"value", text.substr(eq + 1)}};
}

// A daemon's 400 talks about JSON fields; say it with the flags that set them.
std::string in_flag_words(std::string msg) {
  for (const auto& [field, flag] : {std::pair<std::string, std::string>{"`ends_at`", "--until"},
                                    {"`duration`", "--for"},
                                    {"`comment`", "--comment"},
                                    {"`author`", "--author"},
                                    {"`matchers`", "--match"},
                                    {"`starts_at`", "now"}}) {  // the CLI never sends starts_at
    for (auto at = msg.find(field); at != std::string::npos; at = msg.find(field, at + flag.size())) {
      msg.replace(at, field.size(), flag);
    }
  }
  return msg;
}

// The one-line explanation of a refused add or rm; returns the exit code.
int report_refusal(const DaemonClient& c, const HttpAnswer& a, const char* what) {
  const std::string msg = api_error_message(a.body);
  const std::string code = api_error_code(a.body);
  const char* at = c.address().c_str();
  switch (a.status) {
    case 400:
      std::fprintf(stderr, "hale: the daemon at %s refused the silence: %s\n", at,
                   msg.empty() ? "bad request (400)" : in_flag_words(msg).c_str());
      return 2;
    case 401:
      if (c.has_token()) {
        std::fprintf(stderr,
                     "hale: the daemon at %s refused the admin token from %s (401); does server.admin_token "
                     "match the daemon's?\n",
                     at, c.config_path().c_str());
      } else {
        std::fprintf(stderr, "hale: %s has no server.admin_token, and the daemon at %s wants one to %s (401)\n",
                     c.config_path().c_str(), at, what);
      }
      return 1;
    case 403:
      std::fprintf(stderr,
                   "hale: the daemon at %s has no admin_token, so silences cannot be added or removed (403); set "
                   "server.admin_token in its config\n",
                   at);
      return 1;
    case 404:
      if (code == "not_found") {
        std::fprintf(stderr, "hale: %s (the daemon at %s)\n", msg.c_str(), at);
        return 2;
      }
      std::fprintf(stderr, "hale: the daemon at %s has no silences API (404); is it an older hale?\n", at);
      return 1;
    case 503:
      std::fprintf(stderr, "hale: alerting is not running in the daemon at %s (503)%s%s\n", at, msg.empty() ? "" : ": ",
                   msg.c_str());
      return 1;
    default:
      std::fprintf(stderr, "hale: the daemon at %s answered %d when asked to %s%s%s\n", at, a.status, what,
                   msg.empty() ? "" : ": ", msg.c_str());
      return 1;
  }
}

// GET /api/v1/silences as a document, or the exit code after saying why not.
std::optional<json> fetch_silences(const DaemonClient& c, int& exit_code) {
  const HttpAnswer a = c.get(std::string(kSilences));
  exit_code = 1;
  if (a.status == 0) {
    c.report_unreachable(a);
    return std::nullopt;
  }
  if (a.status != 200) {
    exit_code = report_refusal(c, a, "list silences");
    return std::nullopt;
  }
  return c.parse_body(a);
}

// "in 1h59m" / "3m ago".
std::string relative(const std::optional<WallTime>& t, WallTime now) {
  if (!t) return "-";
  return *t > now ? "in " + short_span(*t - now) : short_span(now - *t) + " ago";
}

Colour silence_colour(const std::string& state) {
  if (state == "active") return Colour::kGreen;
  if (state == "pending") return Colour::kYellow;
  return Colour::kDim;
}

std::string joined(const json& list, const char* sep) {
  std::string out;
  if (!list.is_array()) return out;
  for (const json& v : list) {
    if (v.is_string()) out += (out.empty() ? "" : sep) + v.get<std::string>();
  }
  return out;
}

std::string matchers_text(const json& matchers) {
  std::string out;
  if (!matchers.is_array()) return out;
  for (const json& m : matchers) out += (out.empty() ? "" : ",") + json_string(m, "name") + "=" + json_string(m, "value");
  return out;
}

std::string windows_table(const json& windows, WallTime now, bool colour) {
  TextTable t({"WINDOW", "MATCH", "KIND", "SCHEDULE", "ENDS", "COMMENT"});
  for (const json& w : windows) {
    const auto index = w.is_object() && w.contains("index") && w["index"].is_number_integer()
                           ? w["index"].get<long long>() + 1
                           : 0;
    std::string kinds = joined(w.value("kind", json::array()), ",");
    if (kinds.empty()) kinds = "*";
    t.add({"#" + std::to_string(index), joined(w.value("match", json::array()), ","), kinds,
           json_string(w, "schedule") + " (" + json_string(w, "tz") + ")",
           relative(parse_iso8601_instant(json_string(w, "ends_at")), now), json_string(w, "comment")});
  }
  return t.render(colour);
}

}  // namespace

int cmd_silence_add(const SilenceArgs& args) {
  json matchers = json::array();
  for (const std::string& m : args.matchers) {
    auto parsed = parse_matcher(m);
    if (!parsed) {
      std::fprintf(stderr,
                   "hale silence add: --match \"%s\" must be NAME=GLOB with NAME one of subject, kind, status, key "
                   "(e.g. --match subject=db)\n",
                   m.c_str());
      return 2;
    }
    matchers.push_back(std::move(*parsed));
  }
  if (matchers.empty()) {
    std::fprintf(stderr, "hale silence add: give at least one --match NAME=GLOB (e.g. --match subject=db)\n");
    return 2;
  }
  if (args.duration.empty() == args.until.empty()) {
    std::fprintf(stderr, "hale silence add: give one of --for DURATION (e.g. 2h) and --until TIME (ISO 8601)\n");
    return 2;
  }
  if (args.comment.empty()) {
    std::fprintf(stderr, "hale silence add: --comment must say why the alerts are muted\n");
    return 2;
  }
  json body;
  body["matchers"] = std::move(matchers);
  if (!args.duration.empty()) {
    const auto d = parse_duration(args.duration);
    if (!d || *d <= Duration::zero()) {
      std::fprintf(stderr, "hale silence add: invalid --for \"%s\" (e.g. 30m, 2h, 1d)\n", args.duration.c_str());
      return 2;
    }
    body["duration"] = args.duration;
  } else {
    // The daemon's own reading of times (an offset, or none for UTC; a date alone is midnight).
    const auto t = hale::parse_iso8601(args.until);
    if (!t) {
      std::fprintf(stderr,
                   "hale silence add: invalid --until \"%s\" (an ISO 8601 time, e.g. 2026-04-18T20:00:00Z or "
                   "2026-04-18T22:00:00+02:00)\n",
                   args.until.c_str());
      return 2;
    }
    body["ends_at"] = format_expiry_time(*t);
  }
  body["comment"] = args.comment;
  if (args.author) {
    body["author"] = *args.author;
  } else if (const char* user = std::getenv("USER"); user && *user) {
    body["author"] = user;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name && *pw->pw_name) {
    body["author"] = pw->pw_name;  // no $USER (cron, a container): the login name of the uid
  }

  int exit_code = 0;
  auto client = DaemonClient::from_config(args.config, exit_code);
  if (!client) return exit_code;
  const HttpAnswer a = client->post_json(std::string(kSilences), body.dump());
  if (a.status == 0) return client->report_unreachable(a);
  if (a.status != 201 && a.status != 200) return report_refusal(*client, a, "add a silence");
  auto doc = client->parse_body(a);
  if (!doc) return 1;
  // Only the id, so that a script can keep it: id=$(hale silence add ...).
  std::printf("%s\n", json_string(*doc, "id").c_str());
  return 0;
}

int cmd_silence_list(const SilenceArgs& args) {
  int exit_code = 0;
  auto client = DaemonClient::from_config(args.config, exit_code);
  if (!client) return exit_code;
  auto doc = fetch_silences(*client, exit_code);
  if (!doc) return exit_code;
  const WallTime now = parse_iso8601_instant(json_string(*doc, "timestamp")).value_or(std::chrono::system_clock::now());
  const bool colour = use_colour();

  TextTable t({"ID", "STATE", "MATCHERS", "STARTS", "ENDS", "AUTHOR", "COMMENT"});
  std::size_t shown = 0, hidden = 0;
  for (const json& s : doc->value("silences", json::array())) {
    const std::string state = json_string(s, "state");
    if (state == "expired" && !args.all) {
      ++hidden;
      continue;
    }
    std::string author = json_string(s, "author");
    t.add({json_string(s, "id"), {state, silence_colour(state)}, matchers_text(s.value("matchers", json::array())),
           relative(parse_iso8601_instant(json_string(s, "starts_at")), now),
           relative(parse_iso8601_instant(json_string(s, "ends_at")), now), author.empty() ? "-" : author,
           json_string(s, "comment")});
    ++shown;
  }
  std::string out;
  if (shown > 0) {
    out = t.render(colour);
  } else if (args.all) {
    out = "no silences\n";
  } else {
    out = "no active or pending silences";
    if (hidden > 0) out += " (" + std::to_string(hidden) + " expired: hale silence list --all)";
    out += "\n";
  }
  if (const json windows = doc->value("windows", json::array()); windows.is_array() && !windows.empty()) {
    out += "\n" + windows_table(windows, now, colour);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int cmd_silence_rm(const SilenceArgs& args) {
  if (args.id.empty()) {
    std::fprintf(stderr, "hale silence rm: ID must not be empty (hale silence list shows the ids)\n");
    return 2;
  }
  int exit_code = 0;
  auto client = DaemonClient::from_config(args.config, exit_code);
  if (!client) return exit_code;

  // A shorter id is a prefix of one, as with git: it must name exactly one silence not over yet.
  std::string id = args.id;
  if (id.size() < kIdLength) {
    auto doc = fetch_silences(*client, exit_code);
    if (!doc) return exit_code;
    std::vector<std::string> found;
    for (const json& s : doc->value("silences", json::array())) {
      const std::string sid = json_string(s, "id");
      if (sid.starts_with(id) && json_string(s, "state") != "expired") found.push_back(sid);
    }
    if (found.empty()) {
      std::fprintf(stderr, "hale: no active or pending silence with an id starting with \"%s\" (the daemon at %s)\n",
                   id.c_str(), client->address().c_str());
      return 2;
    }
    if (found.size() > 1) {
      std::string list;
      for (const std::string& f : found) list += (list.empty() ? "" : ", ") + f;
      std::fprintf(stderr, "hale: \"%s\" is the start of %zu silences' ids (%s); give more of it\n", id.c_str(),
                   found.size(), list.c_str());
      return 2;
    }
    id = found.front();
  }
  const HttpAnswer a = client->del(std::string(kSilences) + "/" + url_escape(id));
  if (a.status == 0) return client->report_unreachable(a);
  if (a.status != 200) return report_refusal(*client, a, "remove a silence");
  std::printf("%s: expired\n", id.c_str());
  return 0;
}

}  // namespace hale::cli
