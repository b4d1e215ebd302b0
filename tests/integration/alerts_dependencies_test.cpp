// depends_on between checks against the real daemon (SPEC §7): a host's "network" and three
// checks behind it, all on real loopback ports. While the network is fail, the children that
// fail are "blocked by network": endpoints and guards see them failing, but only the network is
// paged, its message listing them; once the network is back, the child that still fails is
// paged then, and the ones that recovered with it are never paged at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string child(const std::string& name, std::uint16_t port) {
  return tcp_check(name, port) + "depends_on = [\"network\"]\n";
}

TEST(AlertsDependencies, OnlyTheParentIsPagedListingItsBlockedChildrenThenTheChildThatStillFails) {
  TcpListener network, a, b, c;
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + tcp_check("network", network.port()) +
                   child("child-a", a.port()) + child("child-b", b.port()) + child("child-c", c.port()) +
                   hook.notifier("hook") +
                   // A fail must last 1 s: the children's probes see the outage in the same round.
                   alert_rule("*", "hook", "after = \"1s\"\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  for (const char* name : {"network", "child-a", "child-b", "child-c"}) {
    ASSERT_TRUE(eventually([&] { return check_status(hale, name) == "ok"; })) << name;
  }

  // The host loses its network: everything behind it fails too.
  network.close();
  a.close();
  b.close();
  c.close();
  ASSERT_TRUE(eventually([&] { return !received_alerts(hook, "/hook").empty(); }, 10s)) << hale.log();
  json detail = get_json(hale, "/health/child-a");
  EXPECT_EQ(detail["status"], "fail");
  EXPECT_EQ(detail["error"], "blocked by network");
  EXPECT_EQ(detail["error_code"], "blocked");
  EXPECT_EQ(detail["blocked_by"], "network");
  EXPECT_EQ(detail["depends_on"], json::array({"network"}));
  EXPECT_EQ(get_json(hale, "/health/network")["blocking"], json::array({"child-a", "child-b", "child-c"}));
  EXPECT_THAT(http_get(hale.url("/readyz?verbose")).body, ::testing::HasSubstr("[-]child-b failed: blocked by network\n"));
  EXPECT_EQ(http_get(hale.url("/guard/child-c")).status, 503);

  quiet_period(1500ms);  // long enough for a child's own `after` to run out, were it paged
  std::vector<json> got = received_alerts(hook, "/hook");
  ASSERT_EQ(got.size(), 1u) << json(got).dump();
  EXPECT_EQ(got[0]["key"], "check/network/fail");
  EXPECT_EQ(got[0]["message"], "connection refused (blocking child-a, child-b, child-c)");

  // The network is back, and with it two of the children; child-c still fails.
  network.reopen();
  a.reopen();
  b.reopen();
  ASSERT_TRUE(eventually([&] { return received_alerts(hook, "/hook").size() >= 3; }, 10s))
      << json(received_alerts(hook, "/hook")).dump();
  quiet_period(1500ms);  // as above: the other children's `after` runs out meanwhile, were they paged
  got = received_alerts(hook, "/hook");
  std::vector<std::string> keys;
  for (const json& j : got) keys.push_back(j["key"].get<std::string>() + (j["resolved"] ? " resolved" : ""));
  EXPECT_THAT(keys, ::testing::UnorderedElementsAre("check/network/fail", "check/network/fail resolved",
                                                     "check/child-c/fail"));
  EXPECT_EQ(get_json(hale, "/health/child-c")["error"], "connection refused");
  EXPECT_TRUE(get_json(hale, "/health/child-c")["blocked_by"].is_null());
  // Probing never stopped: child-c recovering is resolved as usual.
  c.reopen();
  ASSERT_TRUE(eventually([&] { return received_alerts(hook, "/hook").size() >= 4; }, 10s));
  EXPECT_EQ(received_alerts(hook, "/hook").back()["key"], "check/child-c/fail");
  EXPECT_EQ(received_alerts(hook, "/hook").back()["resolved"], true);
}

TEST(AlertsDependencies, AChildAnnouncedBeforeItsParentFailedStillGetsItsResolution) {
  TcpListener network, a;
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + tcp_check("network", network.port()) +
                   child("child-a", a.port()) + hook.notifier("hook") +
                   alert_rule("*", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "child-a", "ok"));
  a.close();  // the child fails on its own first: paged
  ASSERT_TRUE(eventually([&] { return received_alerts(hook, "/hook").size() == 1; }));
  network.close();  // then its parent: the child is blocked, its open alert stays open
  ASSERT_TRUE(eventually([&] { return get_json(hale, "/health/child-a")["blocked_by"] == "network"; }));
  a.reopen();  // and recovers while the parent is still down: resolved, not swallowed
  ASSERT_TRUE(eventually([&] {
    for (const json& j : received_alerts(hook, "/hook")) {
      if (j["key"] == "check/child-a/fail" && j["resolved"] == true) return true;
    }
    return false;
  })) << json(received_alerts(hook, "/hook")).dump();
}

}  // namespace
}  // namespace hale::testing
