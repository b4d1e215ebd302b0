// SPEC §8, "no busy polling", for alerting: while deliveries wait for a receiver that is down,
// a reminder is held, an announcement is muted by a silence, and a subject is flapping, hale's
// CPU time stays near zero (every wait is a timer, none a spin).
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

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

// utime + stime of `pid`, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  std::istringstream in(line.substr(line.rfind(')') + 2));
  std::string field;
  long utime = 0;
  long stime = 0;
  for (int i = 3; i <= 15; ++i) {
    in >> field;
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

TEST(AlertsIdle, WaitingForAReceiverASilenceOrAHeldReminderIsNoBusyLoop) {
  TcpListener flappy;
  WebhookReceiver down("/down", TestResponse::with_status(503, "down"));
  WebhookReceiver up("/up");
  const std::string checks = tcp_check("db", closed_loopback_port(), "1s") + tcp_check("muted", closed_loopback_port(), "1s") +
                             tcp_check("flappy", flappy.port(), "100ms");
  HaleProcess hale(alert_server_section() + checks +
                   down.notifier("down", "retry = { base = \"1s\", max = \"2s\" }\n") +
                   up.notifier("up") + alert_rule("db", "down", "repeat = \"1s\"\n") +
                   alert_rule("muted", "up") +
                   alert_rule("flappy", "up", "flapping = { max_changes = 1, window = \"1m\" }\n") +
                   "\n[[silences]]\nmatch = \"muted\"\nschedule = \"* * * * *\"\nduration = \"2m\"\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "flappy", "ok")) << hale.log();
  flappy.close();
  ASSERT_TRUE(wait_for_check(hale, "flappy", "fail")) << hale.log();
  flappy.reopen();
  ASSERT_TRUE(eventually([&] {
    for (const auto& a : received_alerts(up, "/up")) {
      if (a["flapping"] == true) return true;
    }
    return false;
  })) << hale.log();
  ASSERT_TRUE(eventually([&] {
    return !deliveries(hale, "up", "check/muted/fail").empty() && down.request_count("/down") >= 1;
  })) << hale.log();
  quiet_period(1500ms);  // past db's first repeat: its reminder is held now

  const double before = cpu_seconds(hale.pid());
  quiet_period(3s);
  const double used = cpu_seconds(hale.pid()) - before;
  RecordProperty("cpu_ms_in_3s", static_cast<int>(used * 1000));
  std::printf("[ idle     ] hale used %.0f ms of CPU in 3 s\n", used * 1000);
  // Probing three checks and retrying every 2 s costs a few ms; a spin would cost 3 s.
  EXPECT_LT(used, 0.6);
}

}  // namespace
}  // namespace hale::testing
