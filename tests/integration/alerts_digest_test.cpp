// Digests against the real daemon (SPEC §7 group_wait): 40 checks of one host lose their
// target together; each of two real webhook receivers gets one message listing the 40, not 40
// messages, and one more when they are back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(AlertsDigest, FortyChecksFailingTogetherAreOneMessagePerNotifierAndOneResolution) {
  TcpListener host;
  WebhookReceiver ops("/ops");
  WebhookReceiver chat("/chat");
  std::string config = alert_server_section();
  for (int i = 0; i < 40; ++i) config += tcp_check("svc-" + std::to_string(100 + i), host.port());
  config += ops.notifier("ops") + chat.notifier("chat") +
            "\n[[alerts]]\nmatch = \"svc-*\"\nnotify = [\"ops\", \"chat\"]\ngroup_wait = \"2s\"\n";
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return check_status(hale, "svc-139") == "ok" && check_status(hale, "svc-100") == "ok"; }));

  host.close();
  ASSERT_TRUE(eventually([&] { return !received_alerts(ops, "/ops").empty(); }, 10s)) << hale.log();
  quiet_period(3s);  // a second window's worth: nothing else comes
  for (const auto& [server, path] : {std::pair{&ops, "/ops"}, std::pair{&chat, "/chat"}}) {
    const std::vector<json> got = received_alerts(*server, path);
    ASSERT_EQ(got.size(), 1u) << path << ": " << json(got).dump();
    EXPECT_EQ(got[0]["digest"], true);
    EXPECT_EQ(got[0]["count"], 40);
    EXPECT_EQ(got[0]["resolved"], false);
    ASSERT_EQ(got[0]["alerts"].size(), 40u);
    EXPECT_EQ(got[0]["alerts"][0]["status"], "fail");
    EXPECT_EQ(got[0]["message"].get<std::string>().rfind("[CRITICAL] 40 alerts: check svc-1", 0), 0u) << got[0]["message"];
  }

  host.reopen();
  ASSERT_TRUE(eventually([&] { return received_alerts(ops, "/ops").size() >= 2; }, 10s));
  quiet_period(3s);  // as above: a second window's worth, nothing else comes
  for (const auto& [server, path] : {std::pair{&ops, "/ops"}, std::pair{&chat, "/chat"}}) {
    const std::vector<json> got = received_alerts(*server, path);
    ASSERT_EQ(got.size(), 2u) << path;
    EXPECT_EQ(got[1]["digest"], true);
    EXPECT_EQ(got[1]["resolved"], true);
    EXPECT_EQ(got[1]["count"], 40);
  }
  // Every member is sent as far as the API is concerned, and nothing is pending.
  EXPECT_TRUE(deliveries(hale, "ops").size() >= 2u);
  for (const json& d : deliveries(hale)) EXPECT_EQ(d["state"], "sent") << d.dump();
}

}  // namespace
}  // namespace hale::testing
