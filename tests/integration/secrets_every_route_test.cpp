// SPEC §9: no secret in any response. The endpoints are not a hand-kept list here: the test walks
// hale's own route table (hale/server/route_table.h), so an endpoint added later is scanned the day
// it is added. Every method of every route is called against a real daemon whose config holds a
// secret in each place one can be: a check URL's password and query, a check header, a service's
// environment, a notifier URL's token and header, and the admin token. Each route must also answer
// 2xx at least once (a route that only ever 404s was not really scanned), but for the few the
// table below explains.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hale/server/route_table.h"
#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/service_helpers.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAdmin = "adm1n-t0ken-value";
constexpr const char* kSecrets[] = {"pa55-w0rd-x", "tok-3xyz-secret", kAdmin, "inl1ne-pass", "k3y-in-query",
                                    "db-pa55word", "hook-t0ken-q", "hook-hdr-s3cret"};

// `hook_port` is the receiver's: a port that answers, so the check `db` on it passes.
std::string config(std::uint16_t hook_port) {
  const std::string hook_base = "http://127.0.0.1:" + std::to_string(hook_port);
  return R"([server]
listen = "127.0.0.1:{PORT}"
admin_token = "env:HALE_SCAN_ADMIN"
state_dir = "{STATE_DIR}"

[checks.api]
type = "http"
url = "env:HALE_SCAN_URL"
interval = "200ms"
timeout = "500ms"
failure_threshold = 1
headers = { Authorization = "env:HALE_SCAN_HEADER" }
critical = false

[checks.db]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(hook_port) + R"("
interval = "200ms"
groups = ["edge"]
guard_code = "db_down"

[checks.inline]
type = "http"
url = "http://bob:inl1ne-pass@127.0.0.1:1/x?api_key=k3y-in-query"
interval = "200ms"
timeout = "500ms"
failure_threshold = 1
critical = false

[services.web]
command = )" + child_command({}) + R"(
env = { DB_PASSWORD = "env:HALE_SCAN_DB" }

[heartbeats.job]
period = "1h"
critical = false

[notifiers.hook]
type = "webhook"
url = ")" + hook_base + R"(/hook?token=hook-t0ken-q"
headers = { X-Auth = "env:HALE_SCAN_HOOK_HEADER" }

[[alerts]]
match = ["*"]
notify = ["hook"]

[drills.api-down]
force = { api = "fail" }
duration = "1s"
expect = { readyz = 503 }

[groups.edge]
description = "what the edge needs"

[status_page]
match = ["api", "web", "job"]
)";
}

// A request of the scan: one method on one concrete path, with the admin token.
HttpReply call(const HaleProcess& hale, std::string_view method, const std::string& path, const std::string& body) {
  const std::vector<std::string> headers{std::string("Authorization: Bearer ") + kAdmin, "Content-Type: application/json"};
  // The event stream never ends: what it sent in a second is its answer.
  const long timeout_ms = path == "/api/v1/events" ? 1500 : 10000;
  return http_request(std::string(method), hale.url(path), headers, body, timeout_ms);
}

// The concrete paths of a pattern: each parameter replaced by every value that fits it here.
std::vector<std::string> paths_of(std::string_view pattern, const std::map<std::string, std::vector<std::string>>& values) {
  std::vector<std::string> out{""};
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      for (auto& p : out) p += pattern[i];
      ++i;
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    const std::string param(pattern.substr(i + 1, close - i - 1));
    const auto found = values.find(param + "@" + std::string(pattern.substr(0, i)));
    const auto& choices = found != values.end() ? found->second : values.at(param);
    std::vector<std::string> next;
    for (const auto& p : out) {
      for (const auto& v : choices) next.push_back(p + v);
    }
    out = std::move(next);
    i = close + 1;
  }
  return out;
}

std::string body_for(std::string_view method, std::string_view pattern) {
  if (method != "POST") return "";
  if (pattern == "/api/v1/silences") {
    return R"({"matchers": [{"name": "subject", "value": "inline"}], "duration": "1h", "comment": "scan"})";
  }
  if (pattern == "/api/v1/announcements") return R"({"message": "scan", "level": "info", "duration": "1h"})";
  return "";
}

TEST(SecretsEveryRoute, NoRouteOfTheTableAnswersWithASecret) {
  setenv("HALE_SCAN_ADMIN", kAdmin, 1);
  setenv("HALE_SCAN_URL", "http://alice:pa55-w0rd-x@127.0.0.1:1/private", 1);
  setenv("HALE_SCAN_HEADER", "Bearer tok-3xyz-secret", 1);
  setenv("HALE_SCAN_DB", "db-pa55word", 1);
  setenv("HALE_SCAN_HOOK_HEADER", "hook-hdr-s3cret", 1);
  TestHttpServer hook;
  hook.set("/hook", TestResponse::ok());
  HaleProcess hale(config(hook.port()));
  ASSERT_TRUE(hale.start()) << hale.log();
  // Something to show everywhere: failing checks (an incident, alerts delivered), a running
  // service, a failed job, a silence and an announcement (their ids).
  ASSERT_EQ(http_get(hale.url("/ping/job/fail")).status, 200);
  ASSERT_TRUE(eventually([&] { return state_of(hale, "web") == "running"; }, 10s)) << hale.log();
  ASSERT_TRUE(eventually([&] { return !received_alerts(hook, "/hook", 200).empty(); }, 10s)) << hale.log();
  std::string incident;
  ASSERT_TRUE(eventually([&] {
    const auto j = nlohmann::json::parse(http_get(hale.url("/api/v1/incidents")).body, nullptr, false);
    if (!j.is_object() || j["incidents"].empty()) return false;
    incident = std::to_string(j["incidents"][0]["id"].get<long long>());
    return true;
  }, 10s)) << hale.log();
  const auto silence = nlohmann::json::parse(call(hale, "POST", "/api/v1/silences", body_for("POST", "/api/v1/silences")).body);
  const auto note = nlohmann::json::parse(call(hale, "POST", "/api/v1/announcements", body_for("POST", "/api/v1/announcements")).body);
  ASSERT_TRUE(silence.contains("id")) << silence.dump();
  ASSERT_TRUE(note.contains("id")) << note.dump();
  std::smatch asset;
  const std::string index = http_get(hale.url("/")).body;
  ASSERT_TRUE(std::regex_search(index, asset, std::regex("/assets/([^\"?]+)"))) << index;

  // Parameters by name, or by name@prefix where a name depends on the route.
  const std::map<std::string, std::vector<std::string>> values{
      {"name", {"api", "inline", "db", "web", "job", "hook", "edge", "api-down"}},
      {"name@/assets/", {asset[1].str()}},
      {"action", {"restart", "pause", "resume"}},
      {"id", {incident}},
      {"id@/api/v1/silences/", {silence["id"].get<std::string>()}},
      {"id@/api/v1/announcements/", {note["id"].get<std::string>()}},
      {"path...@/ping/", {"job", "job/start", "job/0"}},
      {"path...@/badge/", {"api/status.svg", "web/uptime/24h.json", "job/latency/24h.svg"}},
  };
  // Routes that never answer 2xx here, and why they are still scanned.
  const std::set<std::string_view> no_success{
      "/api/v1/services/{name}",  // POST: only a hint that the action is missing (a 404 with the right path)
  };

  std::size_t requests = 0;
  for (const Route& r : routes()) {
    bool answered = false;
    std::string_view methods = r.methods;
    while (!methods.empty()) {
      const std::size_t comma = methods.find(',');
      const std::string_view method = methods.substr(0, comma);
      methods = comma == std::string_view::npos ? std::string_view{} : methods.substr(comma + 2);
      for (const std::string& path : paths_of(r.pattern, values)) {
        const HttpReply reply = call(hale, method, path, body_for(method, r.pattern));
        ++requests;
        answered = answered || (reply.status >= 200 && reply.status < 300) ||
                   (path == "/api/v1/events" && reply.body.find("event:") != std::string::npos);
        std::string headers;
        for (const auto& [k, v] : reply.headers) headers += k + ": " + v + "\n";
        for (const char* secret : kSecrets) {
          EXPECT_EQ(reply.body.find(secret), std::string::npos) << method << " " << path << " answered " << secret;
          EXPECT_EQ(headers.find(secret), std::string::npos) << method << " " << path << " has " << secret << " in a header";
        }
      }
    }
    if (!no_success.contains(r.pattern) || r.methods != "POST") {
      EXPECT_TRUE(answered) << r.pattern << " (" << r.methods << ") never answered 2xx: was it really scanned?";
    }
  }
  // Nor in the log, nor in what the receiver was sent.
  std::string everything = hale.log();
  for (const RecordedRequest& r : requests_to(hook, "/hook")) everything += r.body;
  for (const char* secret : kSecrets) EXPECT_EQ(everything.find(secret), std::string::npos) << "the log or an alert has " << secret;
  std::printf("[ secrets  ] %zu routes, %zu requests, no secret in any answer or log line\n", routes().size(), requests);
  EXPECT_GE(requests, routes().size());
}

}  // namespace
}  // namespace hale::testing
