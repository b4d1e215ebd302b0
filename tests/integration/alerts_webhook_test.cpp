// Webhook alerts end to end (SPEC §6): the real hale binary, a tcp check that the test turns
// failing and healthy by closing and reopening a real listener, and real HTTP receivers on
// 127.0.0.1 (TestHttpServer) that accept, refuse, throttle or hang. What a receiver gets is
// checked against the SPEC §6 object and docs/alerts.md (headers, signature, retries).
#include <gtest/gtest.h>

#include <unistd.h>

#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "webhook-hmac-secret-7f3a";

std::string host_name() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string webhook(const std::string& name, const std::string& url, const std::string& extra = "") {
  return "\n[notifiers." + name + "]\ntype = \"webhook\"\nurl = \"" + url + "\"\n" + extra;
}

std::string rule(const std::string& match, const std::string& notify, const std::string& extra = "") {
  return "\n[[alerts]]\nmatch = \"" + match + "\"\nnotify = \"" + notify + "\"\n" + extra;
}

TEST(AlertsWebhook, OneSignedAlertPerFailureThenOneResolution) {
  TempDir state;
  TcpListener db;
  TestHttpServer hook;
  hook.set("/hook", TestResponse::ok());
  HaleProcess hale(alert_server_section(state.path().string()) + tcp_check("db", db.port()) +
                   webhook("hook", hook.url("/hook"), std::string("secret = \"") + kSecret + "\"\n") +
                   rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "db") == "ok"; })) << hale.log();
  EXPECT_EQ(hook.request_count(), 0u);  // ok from unknown is no news

  db.close();
  ASSERT_TRUE(eventually([&] { return hook.request_count("/hook") >= 1; })) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "hook", "check/db/fail");
    return d.size() == 1 && d[0]["state"] == "sent";
  })) << hale.log();

  const RecordedRequest first = *hook.last_request("/hook");
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.header("Content-Type").value_or(""), "application/json");
  const nlohmann::json a = nlohmann::json::parse(first.body);
  EXPECT_TRUE(is_delivery_id(a.value("id", ""))) << a.dump();
  EXPECT_EQ(a["key"], "check/db/fail");
  EXPECT_EQ(a["kind"], "check");
  EXPECT_EQ(a["subject"], "db");
  EXPECT_EQ(a["status"], "fail");
  EXPECT_EQ(a["previous"], "ok");
  EXPECT_EQ(a["resolved"], false);
  EXPECT_EQ(a["flapping"], false);
  EXPECT_EQ(a["critical"], true);
  EXPECT_EQ(a["silenced"], false);
  EXPECT_EQ(a["service"], "hale");
  EXPECT_EQ(a["host"], host_name());
  EXPECT_EQ(a["severity"], "critical");
  EXPECT_EQ(a["sequence"], 0);
  EXPECT_FALSE(a.value("message", "").empty()) << a.dump();
  EXPECT_EQ(a.value("since", "").size(), 20u) << a.dump();  // 2026-04-18T17:58:02Z
  EXPECT_EQ(a.value("since", "").back(), 'Z');
  // The SPEC §6 fields first, in the spec's order.
  const std::string order[] = {"\"id\"", "\"key\"", "\"kind\"", "\"subject\"", "\"status\"", "\"previous\"",
                               "\"resolved\"", "\"flapping\"", "\"critical\"", "\"since\"", "\"message\"",
                               "\"service\"", "\"host\"", "\"silenced\""};
  std::size_t at = 0;
  for (const std::string& f : order) {
    const std::size_t next = first.body.find(f + ":");
    EXPECT_NE(next, std::string::npos) << f;
    EXPECT_GE(next, at) << f << " out of order in " << first.body;
    at = next;
  }
  EXPECT_EQ(first.header("Idempotency-Key").value_or(""), a["id"].get<std::string>());
  // docs/alerts.md: HMAC-SHA256 of the exact body bytes, keyed with the secret.
  EXPECT_EQ(first.header("X-Hale-Signature-256").value_or(""), webhook_signature(kSecret, first.body));

  db.reopen();
  ASSERT_TRUE(eventually([&] { return hook.request_count("/hook") >= 2; })) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "hook", "check/db/fail");
    return d.size() == 2 && d[0]["state"] == "sent" && d[1]["state"] == "sent";
  })) << hale.log();
  const RecordedRequest second = *hook.last_request("/hook");
  const nlohmann::json r = nlohmann::json::parse(second.body);
  EXPECT_EQ(r["key"], "check/db/fail");
  EXPECT_EQ(r["resolved"], true);
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["previous"], "fail");
  EXPECT_EQ(r["since"], a["since"]);
  EXPECT_TRUE(is_delivery_id(r.value("id", "")));
  EXPECT_NE(r["id"], a["id"]);
  EXPECT_EQ(second.header("Idempotency-Key").value_or(""), r["id"].get<std::string>());
  EXPECT_EQ(second.header("X-Hale-Signature-256").value_or(""), webhook_signature(kSecret, second.body));
  // Exactly one of each: the check kept probing (and passing) meanwhile.
  ASSERT_TRUE(eventually([&] { return db.accepted() >= 3; }));
  EXPECT_EQ(hook.request_count(), 2u);

  const std::string metrics = http_get(hale.url("/metrics")).body;
  EXPECT_EQ(metric_value(metrics, "hale_alerts_sent_total{notifier=\"hook\"}"), 2.0) << metrics;
  EXPECT_EQ(metric_value(metrics, "hale_alerts_pending{notifier=\"hook\"}"), 0.0);
}

}  // namespace
}  // namespace hale::testing
