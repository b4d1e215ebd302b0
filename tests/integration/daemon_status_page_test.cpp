// SPEC §10's public face through the real hale binary: /status shows only the subjects
// [status_page] names, with their status and uptime and never a reason, target or error; badges
// answer for those subjects only (404 for any other name, shown or not); announcements come
// from the config and the API (with the token) and survive a restart; public_listen serves the
// status page and badges alone.
#include <gtest/gtest.h>

#include <csignal>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

std::string header_of(const HttpReply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

HttpReply admin(const std::string& method, const std::string& url, const std::string& body = "") {
  return http_request(method, url, {std::string("Authorization: Bearer ") + kAlertAdminToken, "Content-Type: application/json"},
                      body);
}

class DaemonStatusPage : public ::testing::Test {
 protected:
  DaemonStatusPage() {
    api_.set("/", TestResponse::ok("up"));
  }
  std::string config(const std::string& extra = "") const {
    return alert_server_section() + R"(
[checks.api]
type = "http"
url = ")" + api_.url("/") + R"("
interval = "200ms"
jitter = "0ms"
failure_threshold = 1
)" + tcp_check("ledger", db_.port()) +
           R"(
[status_page]
title = "Acme <status>"
description = "What our customers see"
match = ["api"]
)" + extra;
  }
  TestHttpServer api_;
  TcpListener db_;
};

TEST_F(DaemonStatusPage, ShowsOnlyItsSubjectsAndNeverAReasonTargetOrError) {
  HaleProcess hale(config());
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "api", "ok")) << hale.log();
  db_.close();  // a private check failing: nothing of it is public
  ASSERT_TRUE(wait_for_check(hale, "ledger", "fail")) << hale.log();
  api_.set("/", TestResponse::with_status(503, "database password rejected for user admin"));
  ASSERT_TRUE(wait_for_check(hale, "api", "fail")) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/api/v1/incidents?name=api")).body.find("\"id\"") != std::string::npos; }));

  const HttpReply page = http_get(hale.url("/status"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(header_of(page, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("Acme &lt;status&gt;"), std::string::npos) << "the title, escaped";
  EXPECT_NE(page.body.find(">api<"), std::string::npos);
  EXPECT_NE(page.body.find("outage"), std::string::npos);
  EXPECT_NE(page.body.find("Major outage"), std::string::npos) << "every shown subject is down: the banner says so";
  EXPECT_NE(page.body.find("uptime over 90 days"), std::string::npos) << "the 90-day bar's text alternative";
  EXPECT_NE(page.body.find("Incidents, last 30 days"), std::string::npos);
  for (const std::string& leak : {std::string("ledger"), std::string("503"), std::string("Service Unavailable"),
                                  std::string("password"), std::string("connection refused"), api_.url("/"),
                                  std::to_string(db_.port()), std::string("127.0.0.1")}) {
    EXPECT_EQ(page.body.find(leak), std::string::npos) << "the status page shows \"" << leak << "\"";
  }
  EXPECT_EQ(page.body.find("<script"), std::string::npos) << "a page without script";

  const HttpReply j = http_get(hale.url("/status.json"));
  ASSERT_EQ(j.status, 200);
  const nlohmann::json doc = nlohmann::json::parse(j.body);
  EXPECT_EQ(doc["status"], "major_outage") << "every shown subject is down";
  ASSERT_EQ(doc["subjects"].size(), 1u);
  EXPECT_EQ(doc["subjects"][0]["name"], "api");
  EXPECT_EQ(doc["subjects"][0]["status"], "outage");
  EXPECT_EQ(doc["subjects"][0]["daily_uptime"].size(), 90u);
  ASSERT_GE(doc["incidents"].size(), 1u);
  for (const auto& i : doc["incidents"]) {
    EXPECT_EQ(i["name"], "api");
    EXPECT_FALSE(i.contains("cause")) << i.dump();
  }
  EXPECT_EQ(j.body.find("password"), std::string::npos);
  EXPECT_EQ(j.body.find("ledger"), std::string::npos);
}

TEST_F(DaemonStatusPage, BadgesAnswerForShownSubjectsOnlyAnd404ForAnyOther) {
  HaleProcess hale(config());
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "api", "ok")) << hale.log();
  ASSERT_TRUE(eventually([&] {
    return http_get(hale.url("/api/v1/uptime/api?window=24h")).body.find("\"uptime\":1") != std::string::npos;
  }));

  const HttpReply svg = http_get(hale.url("/badge/api/status.svg"));
  ASSERT_EQ(svg.status, 200);
  EXPECT_EQ(header_of(svg, "Content-Type"), "image/svg+xml");
  EXPECT_EQ(svg.body.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << svg.body;
  EXPECT_NE(svg.body.find("aria-label=\"api: operational\""), std::string::npos) << svg.body;

  // shields.io's endpoint badge: schemaVersion, label, message, color.
  const nlohmann::json status = nlohmann::json::parse(http_get(hale.url("/badge/api/status.json")).body);
  EXPECT_EQ(status, (nlohmann::json{{"schemaVersion", 1}, {"label", "api"}, {"message", "operational"}, {"color", "4c1"}}));
  for (const char* w : {"24h", "7d", "30d", "90d"}) {
    const HttpReply u = http_get(hale.url(std::string("/badge/api/uptime/") + w + ".json"));
    ASSERT_EQ(u.status, 200) << w;
    const nlohmann::json b = nlohmann::json::parse(u.body);
    EXPECT_EQ(b["label"], std::string("api ") + w);
    EXPECT_EQ(b["message"], "100.00 %") << u.body;
  }
  const HttpReply latency = http_get(hale.url("/badge/api/latency/24h.svg"));
  ASSERT_EQ(latency.status, 200);
  EXPECT_NE(latency.body.find(" ms"), std::string::npos) << latency.body;

  // ledger exists but is not shown; nope does not exist: the same 404, so names do not leak.
  const HttpReply hidden = http_get(hale.url("/badge/ledger/status.svg"));
  const HttpReply missing = http_get(hale.url("/badge/nope/status.svg"));
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(hidden.body, missing.body);
  EXPECT_EQ(http_get(hale.url("/badge/ledger/uptime/24h.json")).status, 404);
  EXPECT_EQ(http_get(hale.url("/badge/api/uptime/1y.svg")).status, 404);
  EXPECT_EQ(http_get(hale.url("/badge/api/status.png")).status, 404);
  EXPECT_EQ(http_get(hale.url("/badge/api")).status, 404);
}

TEST_F(DaemonStatusPage, AnnouncementsFromTheConfigAndTheApiSurviveARestart) {
  HaleProcess hale(config(R"(
[[announcements]]
message = "Upgrade of the EU region on Saturday"
level = "maintenance"
[[announcements]]
message = "An old note"
until = "2020-01-01T00:00:00Z"
)"));
  ASSERT_TRUE(hale.start()) << hale.log();
  HttpReply page = http_get(hale.url("/status"));
  EXPECT_NE(page.body.find("Upgrade of the EU region on Saturday"), std::string::npos);
  EXPECT_EQ(page.body.find("An old note"), std::string::npos) << "ended announcements are not shown";

  const std::string body = R"({"message":"Payments are slow <b>now</b>","level":"incident","duration":"2h"})";
  EXPECT_EQ(http_request("POST", hale.url("/api/v1/announcements"), {"Content-Type: application/json"}, body).status, 401);
  EXPECT_EQ(admin("POST", hale.url("/api/v1/announcements"), R"({"level":"incident"})").status, 400);
  EXPECT_EQ(admin("POST", hale.url("/api/v1/announcements"), R"({"message":"x","level":"panic"})").status, 400);
  EXPECT_EQ(admin("POST", hale.url("/api/v1/announcements"), R"({"message":"x","until":"tomorrow"})").status, 400);
  const HttpReply made = admin("POST", hale.url("/api/v1/announcements"), body);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = nlohmann::json::parse(made.body)["id"];
  page = http_get(hale.url("/status"));
  EXPECT_NE(page.body.find("Payments are slow &lt;b&gt;now&lt;/b&gt;"), std::string::npos) << "escaped, never markup";

  hale.signal(SIGTERM);
  ASSERT_TRUE(hale.wait_exit().has_value());
  ASSERT_TRUE(hale.start()) << hale.log();
  const nlohmann::json list = nlohmann::json::parse(http_get(hale.url("/api/v1/announcements")).body);
  ASSERT_EQ(list["announcements"].size(), 3u) << list.dump();
  EXPECT_EQ(list["announcements"][2]["id"], id);
  EXPECT_EQ(list["announcements"][1]["shown"], false);
  const nlohmann::json status = nlohmann::json::parse(http_get(hale.url("/status.json")).body);
  EXPECT_EQ(status["announcements"].size(), 2u);

  EXPECT_EQ(http_request("DELETE", hale.url("/api/v1/announcements/" + id)).status, 401);
  EXPECT_EQ(admin("DELETE", hale.url("/api/v1/announcements/" + id)).status, 204);
  EXPECT_EQ(admin("DELETE", hale.url("/api/v1/announcements/" + id)).status, 404);
  EXPECT_EQ(admin("DELETE", hale.url("/api/v1/announcements/config-1")).status, 404) << "the config's are the config's";
  EXPECT_EQ(http_get(hale.url("/status")).body.find("Payments are slow"), std::string::npos);
}

TEST_F(DaemonStatusPage, PublicListenServesTheStatusPageAndBadgesAlone) {
  const std::uint16_t public_port = free_port();
  HaleProcess hale(config("public_listen = \"127.0.0.1:" + std::to_string(public_port) + "\"\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "api", "ok")) << hale.log();
  const std::string base = "http://127.0.0.1:" + std::to_string(public_port);
  ASSERT_TRUE(eventually([&] { return http_get(base + "/status").status == 200; })) << hale.log();
  EXPECT_EQ(http_get(base + "/status.json").status, 200);
  EXPECT_EQ(http_get(base + "/badge/api/status.svg").status, 200);
  // Any Host: the public page is meant to be reached by a public name.
  EXPECT_EQ(http_request("GET", base + "/status", {"Host: status.example.com"}).status, 200);
  for (const char* path : {"/", "/health", "/readyz", "/livez", "/metrics", "/api/v1/checks", "/api/v1/incidents",
                           "/api/v1/history/api", "/api/v1/events", "/guard/api", "/ping/x", "/badge/ledger/status.svg"}) {
    EXPECT_EQ(http_get(base + path).status, 404) << path;
  }
  EXPECT_EQ(http_request("POST", base + "/api/v1/announcements").status, 404);
  // It takes no body at all.
  EXPECT_EQ(http_request("POST", base + "/api/v1/announcements", {}, "{}").status, 413);
  // The main listener still answers everything.
  EXPECT_EQ(http_get(hale.url("/health")).status, 200);
}

TEST_F(DaemonStatusPage, WithoutAStatusPageNothingIsPublicAndAPageThatNamesNothingIsRefused) {
  HaleProcess hale(alert_server_section() + tcp_check("db", db_.port()));
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(http_get(hale.url("/status")).status, 404);
  EXPECT_EQ(http_get(hale.url("/status.json")).status, 404);
  EXPECT_EQ(http_get(hale.url("/badge/db/status.svg")).status, 404);

  HaleProcess bad(alert_server_section() + "\n[status_page]\ntitle = \"x\"\n");
  const CommandResult v = run_hale({"validate", "-c", bad.config_path()});
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("hale.toml:6:1: [status_page] shows nothing"), std::string::npos) << v.err;
}

}  // namespace
}  // namespace hale::testing
