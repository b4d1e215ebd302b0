// The alertmanager notifier against Debian's real Prometheus Alertmanager (SPEC §9: an HA
// Alertmanager cluster receives hale's alerts): a cluster of two URLs, one of them dead, still
// delivers; Alertmanager's own API shows the alert with hale's labels, active; after the
// recovery it is resolved.
//
// How Alertmanager 0.25 reports a resolved alert: GET /api/v2/alerts leaves out every alert
// whose endsAt has passed, whatever the active/silenced/inhibited/unprocessed filters say
// (they only choose among unresolved ones), so a resolved alert is simply no longer listed;
// its metrics say alertmanager_alerts{state="active"} 0 and count the resolved one in
// alertmanager_alerts_received_total{status="resolved",version="v2"}.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

// One Alertmanager on 127.0.0.1, clustering off, everything routed to a receiver that sends
// nothing anywhere.
class Alertmanager {
 public:
  explicit Alertmanager(std::uint16_t port = 0) : port_(port != 0 ? port : free_port()) {
    const std::string config = dir_.write("alertmanager.yml",
                                          "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n");
    std::filesystem::create_directories(dir_.path() / "data");
    process_.emplace(std::vector<std::string>{
        kAlertmanager, "--config.file=" + config, "--storage.path=" + (dir_.path() / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--cluster.listen-address=", "--log.level=warn"});
  }
  ~Alertmanager() {
    if (process_) process_->stop(SIGTERM);
  }
  bool ready() {
    return eventually([&] { return http_get(url("/-/ready")).status == 200 || !process_->running(); }, 20s) &&
           process_->running();
  }
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  nlohmann::json alerts(const std::string& query = "") const {
    return nlohmann::json::parse(http_get(url("/api/v2/alerts" + query)).body, nullptr, false);
  }
  std::optional<double> metric(std::string_view series) const {
    return metric_value(http_get(url("/metrics")).body, series);
  }
  std::string log() const { return process_->err() + process_->out(); }

 private:
  TempDir dir_;
  std::uint16_t port_;
  std::optional<TestProcess> process_;
};

// Alertmanager's alerts whose hale subject is `subject`.
std::vector<nlohmann::json> hale_alerts(const nlohmann::json& list, const std::string& subject) {
  std::vector<nlohmann::json> out;
  if (!list.is_array()) return out;
  for (const auto& a : list) {
    if (a["labels"].value("subject", "") == subject) out.push_back(a);
  }
  return out;
}

TEST(AlertsAlertmanager, TheRealAlertmanagerGetsTheAlertActiveThenResolved) {
  if (access(kAlertmanager, X_OK) != 0) GTEST_SKIP() << kAlertmanager << " is not installed (scripts/install-deps.sh)";
  Alertmanager am;
  ASSERT_TRUE(am.ready()) << am.log();
  TcpListener db;
  const std::uint16_t dead_member = closed_loopback_port();
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   "\n[notifiers.am]\ntype = \"alertmanager\"\nurls = [\"" + am.url() + "\", \"http://127.0.0.1:" +
                   std::to_string(dead_member) + "\"]\nretry = { base = \"200ms\", max = \"1s\" }\n" +
                   alert_rule("db", "am"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();

  db.close();
  // One member refused the connection, the other accepted: the delivery is sent.
  ASSERT_TRUE(wait_for_delivery_states(hale, "am", "check/db/fail", {"sent"})) << hale.log();
  EXPECT_EQ(deliveries(hale, "am", "check/db/fail")[0]["attempts"], 1);
  ASSERT_TRUE(eventually([&] {
    auto a = hale_alerts(am.alerts(), "db");
    return a.size() == 1 && a[0]["status"].value("state", "") == "active";
  })) << am.alerts().dump() << am.log();
  const nlohmann::json firing = hale_alerts(am.alerts(), "db")[0];
  EXPECT_EQ(firing["labels"]["alertname"], "HaleCheckFail");
  EXPECT_EQ(firing["labels"]["kind"], "check");
  EXPECT_EQ(firing["labels"]["subject"], "db");
  EXPECT_EQ(firing["labels"]["status"], "fail");
  EXPECT_EQ(firing["labels"]["severity"], "critical");
  EXPECT_EQ(firing["labels"]["service"], "hale");
  EXPECT_FALSE(firing["labels"].value("instance", "").empty());
  EXPECT_EQ(firing["annotations"]["hale_key"], "check/db/fail");
  EXPECT_EQ(firing["annotations"]["hale_delivery_id"], deliveries(hale, "am", "check/db/fail")[0]["id"]);
  EXPECT_EQ(firing["annotations"]["summary"].get<std::string>().rfind("[CRITICAL] check db is fail", 0), 0u)
      << firing.dump();
  EXPECT_EQ(am.metric("alertmanager_alerts{state=\"active\"}"), 1.0);

  db.reopen();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "am", "check/db/fail");
    return d.size() == 2 && d[0]["state"] == "sent";
  })) << hale.log();
  // Resolved: no longer listed, not even among the inactive ones; counted as received resolved.
  ASSERT_TRUE(eventually([&] { return hale_alerts(am.alerts(), "db").empty(); })) << am.alerts().dump();
  EXPECT_TRUE(hale_alerts(am.alerts("?active=false"), "db").empty());
  EXPECT_EQ(am.metric("alertmanager_alerts{state=\"active\"}"), 0.0);
  EXPECT_EQ(am.metric("alertmanager_alerts_received_total{status=\"resolved\",version=\"v2\"}"), 1.0);
  EXPECT_EQ(am.metric("alertmanager_alerts_received_total{status=\"firing\",version=\"v2\"}"), 1.0);
  EXPECT_EQ(am.metric("alertmanager_alerts_invalid_total{version=\"v2\"}"), 0.0);
}

// Regression: a firing alert that reached Alertmanager later than 3 x repeat after it was made
// (Alertmanager down meanwhile) carried endsAt = made + 3 x repeat, already past, so
// Alertmanager took the firing alert as resolved on arrival and listed nothing.
TEST(AlertsAlertmanager, AnAlertDeliveredLateIsStillActive) {
  if (access(kAlertmanager, X_OK) != 0) GTEST_SKIP() << kAlertmanager << " is not installed (scripts/install-deps.sh)";
  const std::uint16_t am_port = closed_loopback_port();  // Alertmanager is not up yet
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   "\n[notifiers.am]\ntype = \"alertmanager\"\nurl = \"http://127.0.0.1:" + std::to_string(am_port) +
                   "\"\nretry = { base = \"200ms\", max = \"500ms\" }\n" + alert_rule("db", "am", "repeat = \"1s\"\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "am", "check/db/fail");
    return !d.empty() && d.back()["attempts"].get<int>() >= 1;
  })) << hale.log();
  // Down for longer than 3 x repeat, the hold hale gives a firing alert: the outage's length is
  // what is tested.
  quiet_period(4s);
  Alertmanager am(am_port);
  ASSERT_TRUE(am.ready()) << am.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "am", "check/db/fail");
    return !d.empty() && d.back()["state"] == "sent";
  }, 10s)) << hale.log();
  // The first delivery that got through is active right away, not only after the next reminder.
  const nlohmann::json first = deliveries(hale, "am", "check/db/fail").back();
  EXPECT_EQ(first["sequence"], 0);
  const auto listed = hale_alerts(am.alerts(), "db");
  ASSERT_EQ(listed.size(), 1u) << am.alerts().dump();
  EXPECT_EQ(listed[0]["status"]["state"], "active");
  EXPECT_EQ(listed[0]["annotations"]["hale_delivery_id"], first["id"]);
}

// Regression: a cluster member that hangs (a host gone from the network: no refusal, no answer)
// held every delivery to the cluster until its timeout, though the other member had taken it
// at once, and with at most 4 attempts in flight an alert storm reached the healthy member 4
// per timeout (SPEC §6: a dead receiver never delays the others).
TEST(AlertsAlertmanager, AMemberThatHangsDoesNotHoldBackTheCluster) {
  if (access(kAlertmanager, X_OK) != 0) GTEST_SKIP() << kAlertmanager << " is not installed (scripts/install-deps.sh)";
  Alertmanager am;
  ASSERT_TRUE(am.ready()) << am.log();
  WebhookReceiver black_hole("/api/v2/alerts", TestResponse::hanging());
  constexpr int kSubjects = 8;
  std::string checks;
  for (int i = 1; i <= kSubjects; ++i) checks += tcp_check("c" + std::to_string(i), closed_loopback_port());
  HaleProcess hale(alert_server_section() + checks +
                   "\n[notifiers.am]\ntype = \"alertmanager\"\nurls = [\"" + am.url() + "\", \"" + black_hole.url() +
                   "\"]\ntimeout = \"30s\"\n" + alert_rule("*", "am"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return black_hole.request_count() >= 1; })) << hale.log();
  const auto first = std::chrono::steady_clock::now();
  // Every subject reaches the healthy member, and is sent, long before the 30 s timeout: held
  // for the hung member, the first four would be sent only then, the next four 30 s later.
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "am");
    return d.size() == kSubjects &&
           std::all_of(d.begin(), d.end(), [](const nlohmann::json& x) { return x["state"] == "sent"; });
  }, 30s)) << http_get(hale.url("/api/v1/alerts")).body;
  // It takes well under a second; the ceiling is generous for a loaded 2-core machine under the
  // sanitizers, and far from the 30 s a hold would take.
  EXPECT_LT(seconds_between(first, std::chrono::steady_clock::now()), 10.0);
  std::size_t active = 0;
  for (const auto& a : am.alerts()) active += a["labels"].value("alertname", "") == "HaleCheckFail" ? 1 : 0;
  EXPECT_EQ(active, static_cast<std::size_t>(kSubjects));
  // The hung member got each of them too (sent alongside, not waited for).
  EXPECT_TRUE(eventually([&] { return black_hole.request_count() >= kSubjects; }));
  const nlohmann::json d = deliveries(hale, "am")[0];
  EXPECT_EQ(d["attempts"], 1);
}

}  // namespace
}  // namespace hale::testing
