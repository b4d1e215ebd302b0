// Each HTTP notifier type on the wire (docs/alerts.md "Payloads") from the real hale binary to
// a real receiver: slack, discord and ntfy bodies and endpoints, the webhook's own headers,
// a check whose output is not valid UTF-8 (every receiver still gets valid JSON), and an https
// receiver verified against ca_file.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_pki.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

TEST(AlertsFormats, SlackDiscordNtfyAndWebhookHeadersOnTheWire) {
  TempDir scripts;
  // A failing exec check whose first line has an invalid byte, an accent and a quote.
  const std::string plugin = scripts.write("plugin.sh", "printf '\\377 caf\\303\\251 \"down\"\\n'; exit 2\n");
  TestHttpServer receiver;
  for (const char* path : {"/slack", "/discord", "/", "/hook"}) receiver.set(path, TestResponse::ok());
  HaleProcess hale(
      alert_server_section() + "\n[checks.disk]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"" +
      plugin + "\"]\ninterval = \"200ms\"\nfailure_threshold = 1\njitter = \"0ms\"\n" +
      "\n[notifiers.slack]\ntype = \"slack\"\nurl = \"" + receiver.url("/slack") + "\"\n" +
      "\n[notifiers.discord]\ntype = \"discord\"\nurl = \"" + receiver.url("/discord") + "\"\n" +
      "\n[notifiers.phone]\ntype = \"ntfy\"\nurl = \"" + receiver.url("/hale-alerts") + "\"\ntoken = \"tk_ntfy_secret\"\n" +
      webhook_notifier("hook", receiver.url("/hook"), "headers = { X-Env = \"prod\", Idempotency-Key = \"mine\" }\n") +
      "\n[[alerts]]\nmatch = \"disk\"\nnotify = [\"slack\", \"discord\", \"phone\", \"hook\"]\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return receiver.request_count() >= 4; })) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale);
    return d.size() == 4 && std::all_of(d.begin(), d.end(), [](const auto& x) { return x["state"] == "sent"; });
  })) << http_get(hale.url("/api/v1/alerts")).body;
  const std::string headline = "[CRITICAL] check disk is fail: \xEF\xBF\xBD caf\xC3\xA9 \"down\"";

  const RecordedRequest slack = *receiver.last_request("/slack");
  const nlohmann::json s = nlohmann::json::parse(slack.body);  // throws on invalid UTF-8
  EXPECT_EQ(s["text"], headline);
  EXPECT_EQ(s["attachments"][0]["color"], "#D50200");

  const nlohmann::json d = nlohmann::json::parse(receiver.last_request("/discord")->body);
  EXPECT_EQ(d["content"], headline);
  EXPECT_EQ(d["allowed_mentions"]["parse"], nlohmann::json::array());
  EXPECT_EQ(d["embeds"][0]["title"], "check disk");

  // ntfy: POSTed to the server's root, the topic in the body, the token as a bearer.
  const RecordedRequest ntfy = *receiver.last_request("/");
  const nlohmann::json n = nlohmann::json::parse(ntfy.body);
  EXPECT_EQ(n["topic"], "hale-alerts");
  EXPECT_EQ(n["title"], headline);
  EXPECT_EQ(n["priority"], 5);
  EXPECT_EQ(ntfy.header("Authorization").value_or(""), "Bearer tk_ntfy_secret");
  EXPECT_EQ(receiver.request_count("/hale-alerts"), 0u);

  // The webhook: its own header added; one named like hale's Idempotency-Key dropped.
  const RecordedRequest hook = *receiver.last_request("/hook");
  const nlohmann::json w = nlohmann::json::parse(hook.body);
  EXPECT_EQ(w["message"], "\xEF\xBF\xBD caf\xC3\xA9 \"down\"");
  EXPECT_EQ(hook.header("X-Env").value_or(""), "prod");
  EXPECT_EQ(hook.header("Idempotency-Key").value_or(""), w["id"].get<std::string>());
  int keys = 0;
  for (const auto& [name, value] : hook.headers) keys += name == "Idempotency-Key" ? 1 : 0;
  EXPECT_EQ(keys, 1);
  // The token is a secret: nowhere in hale's answers or log.
  for (const std::string& text : {hale.log(), http_get(hale.url("/api/v1/alerts")).body, http_get(hale.url("/metrics")).body}) {
    EXPECT_EQ(text.find("tk_ntfy_secret"), std::string::npos);
  }
}

TEST(AlertsFormats, AnHttpsReceiverIsVerifiedAgainstCaFile) {
  TestPki pki;
  ASSERT_TRUE(pki.ok());
  const TestPki::Issued leaf = pki.leaf("hook", std::chrono::hours(24));
  TestHttpServer trusted(TlsFiles{leaf.cert_file, leaf.key_file});
  TestHttpServer unknown(TlsFiles{leaf.cert_file, leaf.key_file});
  trusted.set("/hook", TestResponse::ok());
  unknown.set("/hook", TestResponse::ok());
  const std::string retry = "retry = { base = \"200ms\", max = \"500ms\" }\n";
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   webhook_notifier("trusted", trusted.url("/hook"), "ca_file = \"" + pki.ca_file() + "\"\n" + retry) +
                   webhook_notifier("unknown", unknown.url("/hook"), retry) + alert_rule("db", "trusted") +
                   alert_rule("db", "unknown"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "trusted", "", {"sent"})) << hale.log();
  EXPECT_EQ(trusted.request_count("/hook"), 1u);
  // Signed by a CA the system store does not know: retried (a TLS error may be a passing
  // misconfiguration), never sent unverified.
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "unknown");
    return d.size() == 1 && d[0]["attempts"].get<int>() >= 2;
  })) << hale.log();
  const nlohmann::json d = deliveries(hale, "unknown")[0];
  EXPECT_EQ(d["state"], "pending");
  EXPECT_EQ(unknown.request_count("/hook"), 0u);
  std::printf("[ tls      ] unknown CA: %s\n", d["last_error"].get<std::string>().c_str());
  EXPECT_NE(d["last_error"].get<std::string>().find("certificate"), std::string::npos) << d.dump();
}

}  // namespace
}  // namespace hale::testing
