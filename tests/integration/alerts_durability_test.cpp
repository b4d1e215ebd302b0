// Issue 17: when the outbox cannot be written (a full disk), alerting says so (the API, `hale
// alerts`, /health, /metrics) instead of "durable": true, and writes what it holds in memory once
// there is room again, so that a kill -9 after that loses nothing. The "full disk" is
// RLIMIT_FSIZE set on the running hale: every file write past the first byte fails (EFBIG), as
// on a full file system, with no mount and no privilege needed.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

void limit_file_size(pid_t pid, rlim_t bytes) {
  const rlimit rl{bytes, RLIM_INFINITY};
  ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &rl, nullptr), 0);
}

TEST(AlertsDurability, AFullDiskIsReportedAndWhatWasInMemoryIsWrittenOnceThereIsRoom) {
  std::vector<std::unique_ptr<TcpListener>> listeners;
  std::string checks;
  for (int i = 1; i <= 3; ++i) {
    listeners.push_back(std::make_unique<TcpListener>());
    checks += tcp_check("c" + std::to_string(i), listeners.back()->port(), "100ms");
  }
  // Nothing is delivered: all stays in hand.
  WebhookReceiver hook("/hook", TestResponse::with_status(503, "busy"));
  const std::string config = alert_server_section() + checks +
                             hook.notifier("hook", "retry = { base = \"200ms\", max = \"1s\" }\n") +
                             alert_rule("*", "hook");
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    for (int i = 1; i <= 3; ++i) {
      if (check_status(hale, "c" + std::to_string(i)) != "ok") return false;
    }
    return true;
  })) << hale.log();
  EXPECT_EQ(get_json(hale, "/api/v1/alerts")["durable"], true);

  limit_file_size(hale.pid(), 1);  // the disk is full
  for (auto& l : listeners) l->close();
  nlohmann::json alerts;
  ASSERT_TRUE(eventually([&] {
    alerts = get_json(hale, "/api/v1/alerts");
    return alerts["memory_only"].is_number() && alerts["memory_only"].get<int>() == 3;
  }, 15s)) << alerts.dump() << hale.log();
  EXPECT_EQ(alerts["durable"], false);
  EXPECT_TRUE(alerts["outbox_error"].is_string()) << alerts.dump();
  const nlohmann::json health = get_json(hale, "/health");
  EXPECT_EQ(health["alerting"]["durable"], false) << health.dump();
  EXPECT_EQ(health["alerting"]["memory_only"], 3);
  const std::string metrics = http_get(hale.url("/metrics")).body;
  EXPECT_EQ(metric_value(metrics, "hale_alert_outbox_durable"), 0.0);
  EXPECT_EQ(metric_value(metrics, "hale_alert_outbox_memory_only"), 3.0);
  EXPECT_GE(metric_value(metrics, "hale_alert_outbox_write_failures_total").value_or(0), 1.0);
  const CommandResult cli = run_hale({"alerts", "-c", hale.config_path()});
  EXPECT_NE(cli.out.find("NOT DURABLE"), std::string::npos) << cli.out << cli.err;

  // Room again: what was in memory is written, and says so.
  limit_file_size(hale.pid(), RLIM_INFINITY);
  ASSERT_TRUE(eventually([&] {
    alerts = get_json(hale, "/api/v1/alerts");
    return alerts["durable"] == true && alerts["memory_only"] == 0;
  }, 20s)) << alerts.dump() << hale.log();
  // (hale's log is a file too: what it wrote while the disk was full is lost, so the proof that
  // the rows were written is the kill -9 below, not a log line.)

  // And so it survives a kill -9: the next hale delivers every key.
  hale.signal(SIGKILL);
  ASSERT_TRUE(hale.wait_exit().has_value());
  hook.set("/hook", TestResponse::ok());
  ASSERT_TRUE(hale.start()) << hale.log();
  std::set<std::string> keys;
  ASSERT_TRUE(eventually([&] {
    keys.clear();
    for (const nlohmann::json& a : received_alerts(hook, "/hook", 200)) keys.insert(a["key"].get<std::string>());
    return keys.size() == 3;
  }, 20s)) << hale.log();
  EXPECT_EQ(keys, (std::set<std::string>{"check/c1/fail", "check/c2/fail", "check/c3/fail"}));
}

}  // namespace
}  // namespace hale::testing
