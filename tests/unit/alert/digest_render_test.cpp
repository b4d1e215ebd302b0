// A digest (SPEC §7 group_wait) as each receiver gets it, and as the outbox keeps it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hale/alert/digest.h"
#include "hale/model/alert.h"
#include "hale/alert/render.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const WallTime kT0 = WallTime{} + std::chrono::hours(24 * 20000);

Alert problem(const std::string& subject, Health h, bool resolved = false) {
  Alert a;
  a.kind = SubjectKind::kCheck;
  a.subject = subject;
  a.key = "check/" + subject + "/" + std::string(to_string(resolved ? Health::kFail : h));
  a.status = resolved ? Health::kOk : h;
  a.previous = resolved ? Health::kFail : Health::kOk;
  a.state = std::string(to_string(a.status));
  a.resolved = resolved;
  a.message = resolved ? "connected" : "connection refused";
  a.since = kT0;
  a.at = kT0 + 1s;
  return a;
}

Delivery digest_delivery() {
  Delivery d;
  d.id = "0123456789abcdef0123456789abcdef";
  d.notifier = "ops";
  d.alert = make_digest({problem("api", Health::kFail), problem("db", Health::kDegraded), problem("web", Health::kFail, true)},
                        kT0 + 30s);
  return d;
}

TEST(Digest, SumsItsMembersUp) {
  const Alert d = digest_delivery().alert;
  EXPECT_EQ(d.key, "digest");
  EXPECT_EQ(d.status, Health::kFail);
  EXPECT_FALSE(d.resolved);
  EXPECT_EQ(d.severity(), "critical");
  EXPECT_EQ(d.message,
            "[CRITICAL] check api is fail: connection refused\n"
            "[WARNING] check db is degraded: connection refused\n"
            "[RESOLVED] check web is ok again after 1s (was fail since 2024-10-04T00:00:00Z)");
  EXPECT_EQ(alert_headline(d), "[CRITICAL] 3 alerts: check api is fail, check db is degraded, check web is ok again");
  const Alert all_over = make_digest({problem("api", Health::kFail, true), problem("db", Health::kFail, true)}, kT0);
  EXPECT_TRUE(all_over.resolved);
  EXPECT_EQ(all_over.previous, Health::kFail);
  EXPECT_EQ(alert_headline(all_over), "[RESOLVED] 2 alerts: check api is ok again, check db is ok again");
}

TEST(Digest, TheWebhookGetsOneObjectListingEveryAlertAsItWouldHaveBeenAlone) {
  const json j = json::parse(webhook_json(digest_delivery(), RenderContext{"hale", "host-1"}));
  EXPECT_EQ(j["id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(j["digest"], true);
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["resolved"], false);
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["service"], "hale");
  EXPECT_EQ(j["host"], "host-1");
  ASSERT_EQ(j["alerts"].size(), 3u);
  EXPECT_EQ(j["alerts"][0]["key"], "check/api/fail");
  EXPECT_EQ(j["alerts"][0]["message"], "connection refused");
  EXPECT_EQ(j["alerts"][2]["resolved"], true);
  EXPECT_FALSE(j["alerts"][0].contains("id")) << "one id: the digest's";
}

TEST(Digest, AlertmanagerGetsTheMembersAsItsList) {
  NotifierSpec am;
  am.type = NotifierType::kAlertmanager;
  am.urls = {"http://127.0.0.1:9093"};
  const auto requests = render_alertmanager(am, digest_delivery(), RenderContext{"hale", "host-1"});
  ASSERT_EQ(requests.size(), 1u);
  const json list = json::parse(requests[0].body);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["labels"]["alertname"], "HaleCheckFail");
  EXPECT_EQ(list[1]["labels"]["subject"], "db");
}

TEST(Digest, TheOutboxKeepsTheMembers) {
  const Alert d = digest_delivery().alert;
  const auto back = alert_from_json(to_json(d));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, d);
}

}  // namespace
}  // namespace hale
