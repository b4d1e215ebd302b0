// hale as a Type=notify systemd unit: the real hale binary, run with NOTIFY_SOCKET pointing at a
// datagram socket the test owns (playing systemd), tells READY=1 only once it serves, pings
// WATCHDOG=1 at half of WATCHDOG_USEC, says RELOADING=1/READY=1 around a reload and STOPPING=1 on
// SIGTERM; and its children (exec probes) never inherit NOTIFY_SOCKET or WATCHDOG_*.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/file_text.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/notify_listener.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

std::string check_status(const HaleProcess& hale, const std::string& name) {
  auto j = nlohmann::json::parse(http_get(hale.url("/health/" + name)).body, nullptr, false);
  return j.is_object() && j.contains("status") ? j["status"].get<std::string>() : "";
}

std::string abstract_name() {
  std::random_device rd;
  return "@hale-test-notify-" + std::to_string(getpid()) + "-" + std::to_string(rd());
}

TEST(SystemdNotify, ReadyOnlyOnceServingThenWatchdogThenStopping) {
  TempDir dir;
  NotifyListener systemd((dir.path() / "notify.sock").string());
  ASSERT_TRUE(systemd.bound());
  const std::string env_out = (dir.path() / "probe-env").string();
  HaleProcess hale(R"(
[server]
listen = "127.0.0.1:{PORT}"

[defaults]
interval = "200ms"
jitter = "0ms"

# printenv exits 1 (Nagios warn: degraded) when the variable is unset, 0 (ok) when set.
[checks.notify-socket-in-probe]
type = "exec"
command = ["/usr/bin/printenv", "NOTIFY_SOCKET"]
critical = false

[checks.watchdog-in-probe]
type = "exec"
command = ["/usr/bin/printenv", "WATCHDOG_USEC"]
critical = false

# The control: a variable hale does not remove reaches the probe.
[checks.marker-in-probe]
type = "exec"
command = ["/usr/bin/printenv", "HALE_TEST_MARKER"]
critical = false

[checks.env-dump]
type = "exec"
command = [")" + std::string(HALE_TEST_CHILD) + R"(", "--env-out", ")" + env_out + R"(", "--exit-code", "0"]
critical = false
)");
  hale.set_env("NOTIFY_SOCKET", systemd.name());
  hale.set_env("WATCHDOG_USEC", "200000");
  hale.set_env("HALE_TEST_MARKER", "1");
  hale.launch();

  auto ready = systemd.wait_for("READY=1");
  ASSERT_TRUE(ready) << hale.log();
  // The moment systemd hears READY=1, the endpoints answer.
  EXPECT_EQ(http_get(hale.url("/livez")).status, 200) << hale.log();
  EXPECT_TRUE(NotifyListener::has_line(*ready, "MAINPID=" + std::to_string(hale.pid()))) << *ready;

  // WATCHDOG_USEC=200000: a ping every 100 ms, from the event loop. Three take 300 ms; the
  // ceiling is generous for a loaded 2-core machine under the sanitizers.
  int pings = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (pings < 3 && std::chrono::steady_clock::now() < deadline) {
    auto msg = systemd.receive(500ms);
    if (msg && NotifyListener::has_line(*msg, "WATCHDOG=1")) ++pings;
  }
  EXPECT_GE(pings, 3) << hale.log();

  // hale's children inherit neither NOTIFY_SOCKET nor WATCHDOG_USEC, but the rest of its
  // environment, yes.
  EXPECT_TRUE(eventually([&] { return check_status(hale, "notify-socket-in-probe") == "degraded"; }, 10s))
      << http_get(hale.url("/health/notify-socket-in-probe")).body;
  EXPECT_TRUE(eventually([&] { return check_status(hale, "watchdog-in-probe") == "degraded"; }, 10s))
      << http_get(hale.url("/health/watchdog-in-probe")).body;
  EXPECT_TRUE(eventually([&] { return check_status(hale, "marker-in-probe") == "ok"; }, 10s))
      << http_get(hale.url("/health/marker-in-probe")).body;
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(env_out); }, 10s));
  const std::string env = file_text(env_out);
  EXPECT_NE(env.find("HALE_TEST_MARKER=1\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("NOTIFY_SOCKET="), std::string::npos) << env;
  EXPECT_EQ(env.find("WATCHDOG_USEC="), std::string::npos) << env;
  EXPECT_EQ(env.find("WATCHDOG_PID="), std::string::npos) << env;

  // A reload: RELOADING=1, then READY=1 again.
  hale.signal(SIGHUP);
  EXPECT_TRUE(systemd.wait_for("RELOADING=1")) << hale.log();
  EXPECT_TRUE(systemd.wait_for("READY=1")) << hale.log();

  hale.signal(SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1")) << hale.log();
  EXPECT_EQ(hale.wait_exit(), 0);
}

TEST(SystemdNotify, AbstractSocketName) {
  NotifyListener systemd(abstract_name());
  ASSERT_TRUE(systemd.bound()) << systemd.name();
  HaleProcess hale(R"(
[server]
listen = "127.0.0.1:{PORT}"
)");
  hale.set_env("NOTIFY_SOCKET", systemd.name());
  hale.set_env("WATCHDOG_USEC", "200000");
  hale.launch();
  ASSERT_TRUE(systemd.wait_for("READY=1")) << hale.log();
  EXPECT_EQ(http_get(hale.url("/livez")).status, 200);
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", 10s)) << hale.log();  // due every 100 ms
  hale.signal(SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1")) << hale.log();
  EXPECT_EQ(hale.wait_exit(), 0);
}

// WATCHDOG_PID names another process (the watchdog is someone else's): no WATCHDOG=1 from hale,
// the rest as usual.
TEST(SystemdNotify, WatchdogForAnotherPidIsNotPinged) {
  TempDir dir;
  NotifyListener systemd((dir.path() / "notify.sock").string());
  ASSERT_TRUE(systemd.bound());
  HaleProcess hale(R"(
[server]
listen = "127.0.0.1:{PORT}"
)");
  hale.set_env("NOTIFY_SOCKET", systemd.name());
  hale.set_env("WATCHDOG_USEC", "100000");
  hale.set_env("WATCHDOG_PID", "1");
  hale.launch();
  ASSERT_TRUE(systemd.wait_for("READY=1")) << hale.log();
  while (systemd.receive(500ms)) {
  }
  hale.signal(SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1")) << hale.log();
  EXPECT_EQ(hale.wait_exit(), 0);
  for (const auto& m : systemd.received()) EXPECT_FALSE(NotifyListener::has_line(m, "WATCHDOG=1")) << m;
}

// Without NOTIFY_SOCKET nothing changes (and nothing is sent anywhere).
TEST(SystemdNotify, NoSocketNoNotifications) {
  HaleProcess hale(R"(
[server]
listen = "127.0.0.1:{PORT}"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  EXPECT_EQ(hale.log().find("systemd_notify"), std::string::npos) << hale.log();
  hale.signal(SIGTERM);
  EXPECT_EQ(hale.wait_exit(), 0);
}

}  // namespace
}  // namespace hale::testing
