// The [[alerts]] rule's knobs and the notifier's give_up_after end to end (docs/config.md):
// `after` keeps a short failure quiet and announces a sustained one when it has lasted that
// long; `on` and `resolved` choose what is said; give_up_after fails a delivery the receiver
// never took.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

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

TEST(AlertsRules, AfterKeepsABlipQuietAndAnnouncesWhatLastedThatLong) {
  TcpListener db;
  TcpListener ref;
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   tcp_check("ref", ref.port()) + hook.notifier("hook") +
                   alert_rule("db", "hook", "after = \"3s\"\n") + alert_rule("ref", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();

  // A blip of about a second: fail, then ok again, well inside `after`.
  db.close();
  ASSERT_TRUE(wait_for_check(hale, "db", "fail"));
  db.reopen();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok"));
  // ref (after = 0) fails and recovers: its two alerts are the clock for "db's would be here".
  ref.close();
  ASSERT_TRUE(hook.wait_for_requests(1));
  quiet_period(3500ms);  // past db's `after`, had it still counted
  EXPECT_EQ(hook.request_count("/hook"), 1u);

  // Sustained: announced once it has lasted 3 s, not before.
  const auto failed_at = Clock::now();
  db.close();
  ASSERT_TRUE(eventually([&] {
    for (const auto& a : received_alerts(hook, "/hook")) {
      if (a["key"] == "check/db/fail") return true;
    }
    return false;
  }, 15s)) << hale.log();
  const auto got = requests_to(hook, "/hook");
  EXPECT_GE(seconds_between(failed_at, got.back().received_at), 2.9);
  EXPECT_EQ(nlohmann::json::parse(got.back().body)["key"], "check/db/fail");
}

TEST(AlertsRules, OnFailOnlyAndResolvedFalse) {
  TempDir flags;
  const std::string code = (flags.path() / "code").string();
  std::ofstream(code) << "0";
  WebhookReceiver hook;
  // An exec check whose Nagios exit code the test writes: 0 ok, 1 degraded (warn), 2 fail.
  HaleProcess hale(alert_server_section() +
                   "\n[checks.disk]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"-c\", \"exit $(cat " + code +
                   ")\"]\ninterval = \"200ms\"\nfailure_threshold = 1\njitter = \"0ms\"\n" +
                   hook.notifier("hook") +
                   alert_rule("disk", "hook", "on = \"fail\"\nresolved = false\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "disk", "ok")) << hale.log();
  std::ofstream(code) << "1";
  ASSERT_TRUE(wait_for_check(hale, "disk", "degraded")) << hale.log();
  std::ofstream(code) << "2";
  ASSERT_TRUE(hook.wait_for_requests(1)) << hale.log();
  std::ofstream(code) << "0";
  ASSERT_TRUE(wait_for_check(hale, "disk", "ok")) << hale.log();
  quiet_period(500ms);  // a resolution would have come by now
  const auto got = received_alerts(hook, "/hook");
  ASSERT_EQ(got.size(), 1u) << "degraded is not in `on`; resolved = false sends no resolution";
  EXPECT_EQ(got[0]["key"], "check/disk/fail");
  EXPECT_EQ(got[0]["previous"], "degraded");
}

TEST(AlertsRules, DegradedThenFailThenOkIsTwoKeysAndTwoResolutions) {
  TempDir flags;
  const std::string code = (flags.path() / "code").string();
  std::ofstream(code) << "0";
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() +
                   "\n[checks.disk]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"-c\", \"echo DISK $(cat " + code +
                   "); exit $(cat " + code + ")\"]\ninterval = \"200ms\"\nfailure_threshold = 1\njitter = \"0ms\"\n" +
                   hook.notifier("hook") + alert_rule("disk", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "disk", "ok")) << hale.log();
  std::ofstream(code) << "1";
  ASSERT_TRUE(hook.wait_for_requests(1)) << hale.log();
  std::ofstream(code) << "2";
  ASSERT_TRUE(hook.wait_for_requests(2)) << hale.log();
  std::ofstream(code) << "0";
  ASSERT_TRUE(hook.wait_for_requests(4)) << hale.log();
  quiet_period(500ms);  // a fifth alert would have come by now
  const auto got = received_alerts(hook, "/hook");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["key"], "check/disk/degraded");
  EXPECT_EQ(got[0]["severity"], "warning");
  EXPECT_EQ(got[0]["message"], "DISK 1");
  EXPECT_EQ(got[1]["key"], "check/disk/fail");
  EXPECT_EQ(got[1]["severity"], "critical");
  EXPECT_EQ(got[1]["previous"], "degraded");
  // Recovered: both keys resolved (in the order of the tracker's keys), status ok.
  std::set<std::string> resolved;
  for (int i = 2; i < 4; ++i) {
    EXPECT_EQ(got[i]["resolved"], true);
    EXPECT_EQ(got[i]["status"], "ok");
    resolved.insert(got[i]["key"].get<std::string>());
  }
  EXPECT_EQ(resolved, (std::set<std::string>{"check/disk/degraded", "check/disk/fail"}));
}

TEST(AlertsRules, GiveUpAfterFailsADeliveryTheReceiverNeverTook) {
  WebhookReceiver hook("/hook", TestResponse::with_status(503, "down"));
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   hook.notifier("hook", "retry = { base = \"200ms\", max = \"500ms\", give_up_after = \"2s\" }\n") +
                   alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/db/fail", {"failed"}, 10s)) << hale.log();
  const nlohmann::json d = deliveries(hale, "hook", "check/db/fail")[0];
  EXPECT_EQ(d["last_error"], "gave up after 2s: HTTP 503") << d.dump();
  EXPECT_GE(d["attempts"].get<int>(), 2);
  const std::size_t tries = hook.request_count("/hook");
  quiet_period(1s);  // retries were every 500 ms at most
  EXPECT_EQ(hook.request_count("/hook"), tries);
  EXPECT_EQ(metric_value(http_get(hale.url("/metrics")).body, "hale_alerts_failed_total{notifier=\"hook\"}"), 1.0);
}

}  // namespace
}  // namespace hale::testing
