// Webhook alerts end to end (SPEC §6): the real hale binary, a tcp check that the test turns
// failing and healthy by closing and reopening a real listener, and real HTTP receivers on
// 127.0.0.1 (TestHttpServer) that accept, refuse, throttle or hang. What a receiver gets is
// checked against the SPEC §6 object and docs/alerts.md (headers, signature, retries).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
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

TEST(AlertsWebhook, OneSignedAlertPerFailureThenOneResolution) {
  TcpListener db;
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   hook.notifier("hook", std::string("secret = \"") + kSecret + "\"\n") +
                   alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();
  EXPECT_EQ(hook.request_count(), 0u);  // ok from unknown is no news

  db.close();
  ASSERT_TRUE(hook.wait_for_requests(1)) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"sent"})) << hale.log();

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
  ASSERT_TRUE(hook.wait_for_requests(2)) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"sent", "sent"})) << hale.log();
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


TEST(AlertsWebhook, RepeatResendsTheKeyEveryRepeatNeverMoreOftenDefaultOnlyOnce) {
  const std::uint16_t closed = closed_loopback_port();
  WebhookReceiver often("/often");
  WebhookReceiver once("/once");
  HaleProcess hale(alert_server_section() + tcp_check("db", closed) +
                   often.notifier("often") + once.notifier("once") +
                   alert_rule("db", "often", "repeat = \"2s\"\n") + alert_rule("db", "once"));
  ASSERT_TRUE(hale.start()) << hale.log();

  // The first announcement and three reminders: about 6 s.
  ASSERT_TRUE(often.wait_for_requests(4, 20s)) << hale.log();
  const std::vector<RecordedRequest> sent = requests_to(often, "/often");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const nlohmann::json a = nlohmann::json::parse(sent[i].body);
    EXPECT_EQ(a["key"], "check/db/fail");
    EXPECT_EQ(a["resolved"], false);
    EXPECT_EQ(a["sequence"], static_cast<int>(i)) << a.dump();
    ids.insert(a["id"].get<std::string>());
    if (i > 0) {
      // Never more often than every 2 s (a little slack for the clocks of two processes), and
      // not much later either: a reminder skipped or counted twice over would be 4 s or more
      // late; the ceiling is generous for a loaded 2-core machine under the sanitizers.
      const double gap = seconds_between(sent[i - 1].received_at, sent[i].received_at);
      EXPECT_GE(gap, 1.9) << "reminder " << i;
      EXPECT_LT(gap, 5.0) << "reminder " << i;
    }
  }
  EXPECT_EQ(ids.size(), sent.size()) << "each reminder is a delivery of its own";
  // Meanwhile the default repeat (4h) said it once.
  EXPECT_EQ(once.request_count("/once"), 1u);
  const auto only = received_alerts(once, "/once");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["sequence"], 0);
}

TEST(AlertsWebhook, A500IsRetriedWithBackoffUntilAccepted) {
  const std::uint16_t closed = closed_loopback_port();
  WebhookReceiver hook;
  hook.push_once("/hook", TestResponse::with_status(500, "oops"));
  hook.push_once("/hook", TestResponse::with_status(500, "oops"));
  HaleProcess hale(alert_server_section() + tcp_check("db", closed) +
                   hook.notifier("hook", "retry = { base = \"200ms\", max = \"1s\" }\n") +
                   alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"sent"})) << hale.log();

  const std::vector<RecordedRequest> tries = requests_to(hook, "/hook");
  ASSERT_EQ(tries.size(), 3u);
  EXPECT_EQ(tries[0].answer_status, 500);
  EXPECT_EQ(tries[1].answer_status, 500);
  EXPECT_EQ(tries[2].answer_status, 200);
  // The same delivery each time: the same body, id and idempotency key.
  for (const RecordedRequest& r : tries) {
    EXPECT_EQ(r.body, tries[0].body);
    EXPECT_EQ(r.header("Idempotency-Key"), tries[0].header("Idempotency-Key"));
  }
  // Backoff: base 200ms, then 400ms (plus up to 20% jitter each).
  EXPECT_GE(seconds_between(tries[0].received_at, tries[1].received_at), 0.19);
  EXPECT_GE(seconds_between(tries[1].received_at, tries[2].received_at), 0.39);

  const nlohmann::json d = deliveries(hale, "hook", "check/db/fail")[0];
  EXPECT_EQ(d["attempts"], 3);
  const std::string metrics = http_get(hale.url("/metrics")).body;
  EXPECT_EQ(metric_value(metrics, "hale_alert_retries_total{notifier=\"hook\"}"), 2.0) << metrics;
  EXPECT_EQ(metric_value(metrics, "hale_alerts_sent_total{notifier=\"hook\"}"), 1.0);
  EXPECT_EQ(metric_value(metrics, "hale_alert_notifier_consecutive_failures{notifier=\"hook\"}"), 0.0);
  const auto retries = log_events(hale, "alert_delivery_retry");
  ASSERT_EQ(retries.size(), 2u) << hale.log();
  EXPECT_EQ(retries[0]["reason"], "HTTP 500");
  EXPECT_TRUE(retries[0].contains("next_retry_at"));
}

TEST(AlertsWebhook, A429RetryAfterIsHonoured) {
  const std::uint16_t closed = closed_loopback_port();
  WebhookReceiver hook;
  hook.push_once("/hook", TestResponse::with_status(429, "slow down").header("Retry-After", "2"));
  HaleProcess hale(alert_server_section() + tcp_check("db", closed) +
                   hook.notifier("hook", "retry = { base = \"200ms\", max = \"1s\" }\n") +
                   alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(hook.wait_for_requests(2, 15s)) << hale.log();
  const std::vector<RecordedRequest> tries = requests_to(hook, "/hook");
  EXPECT_EQ(tries[0].answer_status, 429);
  EXPECT_EQ(tries[1].answer_status, 200);
  // The receiver's 2 s, not the notifier's 200 ms.
  EXPECT_GE(seconds_between(tries[0].received_at, tries[1].received_at), 1.9);
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "hook", "check/db/fail");
    return d.size() == 1 && d[0]["state"] == "sent" && d[0]["attempts"] == 2;
  })) << hale.log();
}

TEST(AlertsWebhook, AHangingReceiverDelaysNoOtherReceiverNorTheEndpoints) {
  TcpListener db;
  TcpListener cache;
  WebhookReceiver dead("/dead", TestResponse::hanging());
  WebhookReceiver live("/live");
  // timeout 4s: long enough that "live got it while dead's first attempt still hung" is a
  // margin of seconds, not milliseconds, even under the sanitizers on a loaded machine.
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   tcp_check("cache", cache.port()) +
                   dead.notifier("dead", "timeout = \"4s\"\nretry = { base = \"200ms\", max = \"1s\" }\n") +
                   live.notifier("live") + alert_rule("*", "dead") + alert_rule("*", "live"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "db") == "ok" && check_status(hale, "cache") == "ok"; }))
      << hale.log();

  db.close();
  ASSERT_TRUE(eventually([&] { return dead.request_count("/dead") >= 1 && live.request_count("/live") >= 1; }))
      << hale.log();
  // While the dead receiver hangs, a second subject fails: the live one hears of it at once.
  cache.close();
  ASSERT_TRUE(live.wait_for_requests(2)) << hale.log();
  const auto live_got = requests_to(live, "/live");
  const auto dead_got = requests_to(dead, "/dead");
  ASSERT_GE(dead_got.size(), 1u);
  // live had it while dead's first attempt still hung: it times out after 4 s, and had live
  // waited for it, this would be 4 s or more. It takes milliseconds; the ceiling is generous
  // for a loaded 2-core machine under the sanitizers.
  EXPECT_LT(seconds_between(dead_got[0].received_at, live_got[0].received_at), 3.0);
  // /readyz answers at once while the dead receiver's requests hang: milliseconds, where a
  // loop held by them would answer after the 4 s timeout (or, here, not within 6 s at all).
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    const HttpReply r = http_request("GET", hale.url("/readyz"), {}, "", 6000);
    EXPECT_EQ(r.status, 503) << r.error;
    EXPECT_LT(seconds_between(t0, Clock::now()), 3.0);
  }
  std::set<std::string> live_keys;
  for (const auto& r : live_got) live_keys.insert(nlohmann::json::parse(r.body)["key"].get<std::string>());
  EXPECT_EQ(live_keys, (std::set<std::string>{"check/db/fail", "check/cache/fail"}));
  // Both were tried at once (a receiver not known to fail gets up to 4 attempts at a time).
  ASSERT_TRUE(dead.wait_for_requests(2, 10s)) << hale.log();

  // Both time out; then the dead receiver is retried one delivery at a time: each retry
  // starts only after the previous one has timed out (4 s).
  ASSERT_TRUE(dead.wait_for_requests(4, 30s)) << hale.log();
  const auto dead_again = requests_to(dead, "/dead");
  EXPECT_GE(seconds_between(dead_again[0].received_at, dead_again[2].received_at), 3.9);
  EXPECT_GE(seconds_between(dead_again[2].received_at, dead_again[3].received_at), 3.9);
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "dead", "check/db/fail");
    return d.size() == 1 && d[0]["attempts"].get<int>() >= 2;
  })) << hale.log();
  const nlohmann::json d = deliveries(hale, "dead", "check/db/fail")[0];
  EXPECT_EQ(d["state"], "pending");
  EXPECT_NE(d["last_error"].get<std::string>().find("timeout"), std::string::npos) << d.dump();
  EXPECT_TRUE(eventually([&] {  // "sent" once recorded (issue 21): "accepted" the moment before
    const auto live = deliveries(hale, "live");
    return !live.empty() && std::all_of(live.begin(), live.end(), [](const auto& l) { return l["state"] == "sent"; });
  })) << http_get(hale.url("/api/v1/alerts")).body;
}

TEST(AlertsWebhook, A400IsAPermanentFailureNotRetried) {
  const std::uint16_t closed = closed_loopback_port();
  WebhookReceiver hook("/hook", TestResponse::with_status(400, "bad request"));
  HaleProcess hale(alert_server_section() + tcp_check("db", closed) +
                   hook.notifier("hook", "retry = { base = \"200ms\", max = \"1s\" }\n") +
                   alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"failed"})) << hale.log();
  const nlohmann::json d = deliveries(hale, "hook", "check/db/fail")[0];
  EXPECT_EQ(d["last_error"], "HTTP 400");
  EXPECT_EQ(d["attempts"], 1);
  // A retry would have come after 200 ms; give it five times that.
  quiet_period(1s);
  EXPECT_EQ(hook.request_count("/hook"), 1u);
  const std::string metrics = http_get(hale.url("/metrics")).body;
  EXPECT_EQ(metric_value(metrics, "hale_alerts_failed_total{notifier=\"hook\"}"), 1.0) << metrics;
  EXPECT_EQ(metric_value(metrics, "hale_alert_retries_total{notifier=\"hook\"}"), 0.0);
  EXPECT_EQ(metric_value(metrics, "hale_alerts_pending{notifier=\"hook\"}"), 0.0);
  const auto failed = log_events(hale, "alert_delivery_failed");
  ASSERT_EQ(failed.size(), 1u) << hale.log();
  EXPECT_EQ(failed[0]["reason"], "HTTP 400");
}

TEST(AlertsWebhook, TheSecretUrlIsNowhereNotInTheLogMetricsApiHealthOrBody) {
  constexpr const char* kSecretPath = "SECRET-PATH-1234";
  TcpListener db;
  TestHttpServer hook;
  const std::string path = std::string("/T000/") + kSecretPath;
  hook.push_once(path, TestResponse::with_status(500, std::string("echo ") + kSecretPath));
  hook.set(path, TestResponse::ok());
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   webhook_notifier("hook", "env:HOOK_URL", "retry = { base = \"200ms\", max = \"1s\" }\n") +
                   alert_rule("db", "hook"));
  hale.set_env("HOOK_URL", hook.url(path));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();
  db.close();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"sent"})) << hale.log();
  db.reopen();
  // The resolution made and sent (its row exists a moment before the receiver has it).
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "", {"sent", "sent"})) << hale.log();
  ASSERT_EQ(requests_to(hook, path).size(), 3u);  // the 500, its retry, the resolution

  EXPECT_EQ(log_events(hale, "alert_delivery_retry").size(), 1u) << hale.log();
  const std::vector<std::pair<std::string, std::string>> places = {
      {"log", hale.log()},
      {"/metrics", http_get(hale.url("/metrics")).body},
      {"/api/v1/alerts", http_get(hale.url("/api/v1/alerts")).body},
      {"/health", http_get(hale.url("/health")).body},
      {"/health/db", http_get(hale.url("/health/db")).body},
      {"/api/v1/silences", http_get(hale.url("/api/v1/silences")).body},
  };
  for (const auto& [where, text] : places) {
    EXPECT_FALSE(text.empty()) << where;
    EXPECT_EQ(text.find(kSecretPath), std::string::npos) << where << ": " << text;
  }
  for (const RecordedRequest& r : requests_to(hook, path)) {
    EXPECT_EQ(r.body.find(kSecretPath), std::string::npos) << r.body;
    for (const auto& [name, value] : r.headers) EXPECT_EQ(value.find(kSecretPath), std::string::npos) << name;
  }
}

// Regression: reminders made while the receiver was down all queued up behind the undelivered
// announcement and reached the receiver together, sequences 0 to 6 within a millisecond,
// when it came back (SPEC §6: a receiver sees each key at most once per repeat).
TEST(AlertsWebhook, RemindersMadeWhileTheReceiverIsDownDoNotArriveInABurst) {
  const std::uint16_t closed = closed_loopback_port();
  WebhookReceiver hook("/hook", TestResponse::with_status(503, "down"));
  HaleProcess hale(alert_server_section() + tcp_check("db", closed) +
                   hook.notifier("hook", "retry = { base = \"200ms\", max = \"500ms\" }\n") +
                   alert_rule("db", "hook", "repeat = \"1s\"\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(hook.wait_for_requests(1)) << hale.log();
  // The receiver is down for about four repeats: the outage is what the test is about.
  quiet_period(4s);
  hook.set("/hook", TestResponse::ok());
  ASSERT_TRUE(eventually([&] { return received_alerts(hook, "/hook", 200).size() >= 3; }, 15s)) << hale.log();

  std::vector<RecordedRequest> accepted;
  for (RecordedRequest& r : requests_to(hook, "/hook")) {
    if (r.answer_status == 200) accepted.push_back(std::move(r));
  }
  std::string sequences;
  for (const auto& r : accepted) sequences += nlohmann::json::parse(r.body)["sequence"].dump() + " ";
  // The announcement first (what the receiver has not heard yet), then a reminder per repeat
  // counted from when it got it, numbered without gaps.
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    const nlohmann::json a = nlohmann::json::parse(accepted[i].body);
    EXPECT_EQ(a["key"], "check/db/fail");
    EXPECT_EQ(a["sequence"], static_cast<int>(i)) << sequences;
    if (i == 0) continue;
    EXPECT_GE(seconds_between(accepted[i - 1].received_at, accepted[i].received_at), 0.9)
        << "the key twice within one repeat; sequences " << sequences;
  }
}

TEST(AlertsWebhook, ASecretInACheckOutputIsMaskedInTheAlert) {
  // docs/alerts.md: messages are redacted before an alert is made. A plugin that prints a
  // configured secret (here the webhook's own HMAC key) on its first line.
  constexpr const char* kLeaked = "hmac-key-that-leaks-3c9f";
  TempDir scripts;
  const std::string plugin =
      scripts.write("plugin.sh", std::string("echo \"CRITICAL: login with ") + kLeaked + " refused\"; exit 2\n");
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + "\n[checks.api]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"" +
                   plugin + "\"]\ninterval = \"200ms\"\nfailure_threshold = 1\njitter = \"0ms\"\n" +
                   hook.notifier("hook", "secret = \"env:HOOK_SECRET\"\n") +
                   alert_rule("api", "hook"));
  hale.set_env("HOOK_SECRET", kLeaked);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(hook.wait_for_requests(1)) << hale.log();
  const RecordedRequest r = *hook.last_request("/hook");
  const nlohmann::json a = nlohmann::json::parse(r.body);
  EXPECT_EQ(a["key"], "check/api/fail");
  EXPECT_EQ(r.body.find(kLeaked), std::string::npos) << r.body;
  EXPECT_NE(a["message"].get<std::string>().find("CRITICAL: login with "), std::string::npos) << a.dump();
  // Still signed with it, over the masked body.
  EXPECT_EQ(r.header("X-Hale-Signature-256").value_or(""), webhook_signature(kLeaked, r.body));
  for (const std::string& text : {hale.log(), http_get(hale.url("/api/v1/alerts")).body, http_get(hale.url("/health")).body,
                                  http_get(hale.url("/health/api")).body}) {
    EXPECT_EQ(text.find(kLeaked), std::string::npos);
  }
  // The check's last results show the plugin's line, masked when it arrived.
  const nlohmann::json detail = nlohmann::json::parse(http_get(hale.url("/health/api")).body);
  ASSERT_FALSE(detail["recent"].empty()) << detail.dump();
  EXPECT_NE(detail["recent"][0]["reason"].get<std::string>().find("CRITICAL: login with "), std::string::npos) << detail.dump();
}

TEST(AlertsWebhook, AReceiverWhoseDnsHangsDelaysNoOtherReceiverNorTheEndpoints) {
  // tests/preload/slow_getaddrinfo: getaddrinfo() of *.slow.test sleeps 30 s here, then fails.
  WebhookReceiver live("/live");
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   webhook_notifier("far", "http://hooks.slow.test:8080/hook",
                                    "timeout = \"500ms\"\nretry = { base = \"200ms\", max = \"500ms\" }\n") +
                   live.notifier("live") + alert_rule("db", "far") + alert_rule("db", "live"));
  hale.set_env("LD_PRELOAD", SLOW_GETADDRINFO);
  hale.set_env("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0");
  hale.set_env("SLOW_GETADDRINFO_SECONDS", "30");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(live.wait_for_requests(1, 5s)) << hale.log();
  // The hung lookups end in timeouts and retries, none of which holds the loop.
  ASSERT_TRUE(eventually([&] { return log_events(hale, "alert_delivery_retry").size() >= 3; }, 10s)) << hale.log();
  // Answered in milliseconds; a loop held by a lookup would not answer within the 6 s asked
  // (a lookup takes 30 s). The ceiling is generous for a loaded 2-core machine under the
  // sanitizers.
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    EXPECT_NE(http_request("GET", hale.url("/readyz"), {}, "", 6000).status, 0);
    EXPECT_LT(seconds_between(t0, Clock::now()), 3.0);
  }
  const nlohmann::json d = deliveries(hale, "far", "check/db/fail")[0];
  EXPECT_EQ(d["state"], "pending");
  EXPECT_EQ(d["last_error"].get<std::string>().find("slow.test"), std::string::npos) << "no URL in a reason";
  std::printf("[ dns      ] far: %s\n", d["last_error"].get<std::string>().c_str());
}

}  // namespace
}  // namespace hale::testing
