// hale_test_child (tests/helpers/svc_child.cpp) on its own, without hale: the supervisor's tests
// lean on its flags, so each flag they use is checked here first.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/file_text.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/notify_listener.h"
#include "support/temp_dir.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

// hale_test_child ARGS... in a process group of its own, as hale's supervisor runs services.
TestProcess test_child(std::vector<std::string> args, ProcessOptions options = {}) {
  args.insert(args.begin(), HALE_TEST_CHILD);
  options.own_group = true;
  return TestProcess(std::move(args), std::move(options));
}

pid_t read_pid(const std::filesystem::path& p) {
  std::string s = file_text(p);
  return s.empty() ? -1 : static_cast<pid_t>(std::stol(s));
}

bool alive(pid_t pid) { return kill(pid, 0) == 0; }

TEST(TestChild, PidFileAndSigtermExitsZero) {
  TempDir dir;
  const auto pid_file = dir.path() / "pid";
  TestProcess c = test_child({"--pid-file", pid_file.string()});
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(pid_file); }));
  EXPECT_EQ(read_pid(pid_file), c.pid());
  EXPECT_FALSE(c.wait_exit(200ms)) << "runs until killed";
  kill(c.pid(), SIGTERM);
  EXPECT_EQ(c.wait_exit(), 0);
}

TEST(TestChild, ExitCodesAndAbort) {
  EXPECT_EQ(test_child({"--exit-code", "3"}).wait_exit(), 3);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(test_child({"--exit-after", "300", "--exit-code", "7"}).wait_exit(), 7);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  EXPECT_EQ(test_child({"--abort-after", "50"}).wait_exit(), 128 + SIGABRT);
  EXPECT_EQ(test_child({"--no-such-flag", "x"}).wait_exit(), 64);
}

TEST(TestChild, IgnoreSigtermAndGrandchildInItsGroup) {
  TempDir dir;
  const auto gc_file = dir.path() / "gc";
  TestProcess c = test_child({"--ignore-sigterm", "--grandchild-pid-file", gc_file.string()});
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(gc_file); }));
  const pid_t gc = read_pid(gc_file);
  ASSERT_GT(gc, 0);
  EXPECT_EQ(getpgid(gc), c.pid());
  kill(-c.pid(), SIGTERM);
  EXPECT_FALSE(c.wait_exit(300ms)) << "SIGTERM is ignored";
  EXPECT_TRUE(alive(gc)) << "the grandchild inherits SIG_IGN";
  kill(-c.pid(), SIGKILL);
  EXPECT_EQ(c.wait_exit(), 128 + SIGKILL);
}

TEST(TestChild, GrandchildDiesWithSigtermToTheGroup) {
  TempDir dir;
  const auto gc_file = dir.path() / "gc";
  TestProcess c = test_child({"--grandchild-pid-file", gc_file.string()});
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(gc_file); }));
  const pid_t gc = read_pid(gc_file);
  kill(-c.pid(), SIGTERM);
  EXPECT_EQ(c.wait_exit(), 0);
  // Reparented (to init or a subreaper) and reaped there; gone either way.
  EXPECT_TRUE(eventually([&] {
    std::ifstream stat("/proc/" + std::to_string(gc) + "/stat");
    std::string s((std::istreambuf_iterator<char>(stat)), {});
    return s.empty() || s.find(") Z ") != std::string::npos;
  }));
}

TEST(TestChild, HttpServerFollowsTheHealthFile) {
  TempDir dir;
  const std::string health = dir.write("health", "ok\n");
  const auto port = free_port();
  TestProcess c = test_child({"--http-port", std::to_string(port), "--health-file", health});
  ASSERT_TRUE(eventually([&] { return http_get("http://127.0.0.1:" + std::to_string(port) + "/").status != 0; }));
  auto r = http_get("http://127.0.0.1:" + std::to_string(port) + "/anything");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  dir.write("health", "broken");
  r = http_get("http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_EQ(r.status, 500);
  dir.write("health", "ok");
  EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(port) + "/").status, 200);

  const auto port2 = free_port();
  TestProcess plain = test_child({"--http-port", std::to_string(port2)});
  ASSERT_TRUE(eventually([&] { return http_get("http://127.0.0.1:" + std::to_string(port2) + "/").status == 200; }));
}

TEST(TestChild, OutputEnvironmentAndCwd) {
  TempDir dir;
  const auto env_out = dir.path() / "env", cwd_out = dir.path() / "cwd";
  TestProcess c = test_child({"--print-line", "hello there", "--print-bytes", "1000", "--env-out", env_out.string(),
                              "--cwd-out", cwd_out.string(), "--exit-code", "0"},
                             {.env = {{"SVC_CHILD_VAR", "42"}}, .cwd = dir.path().string()});
  ASSERT_EQ(c.wait_exit(), 0);
  const std::string out = c.out();
  ASSERT_EQ(out.size(), std::string("hello there\n").size() + 1000);
  EXPECT_EQ(out.rfind("hello there\n", 0), 0u);
  EXPECT_EQ(out.back(), '\n');
  EXPECT_NE(file_text(env_out).find("SVC_CHILD_VAR=42\n"), std::string::npos);
  EXPECT_EQ(file_text(cwd_out), std::filesystem::canonical(dir.path()).string() + "\n");
}

// libsystemd's own sd_notify(): READY=1, STATUS=, a bounded number of WATCHDOG=1.
TEST(TestChild, NotifiesThroughLibsystemd) {
  TempDir dir;
  NotifyListener systemd((dir.path() / "notify.sock").string());
  ASSERT_TRUE(systemd.bound());
  TestProcess c = test_child({"--status", "warming up", "--notify-ready-after", "100", "--watchdog-every", "50",
                              "--watchdog-count", "3"},
                             {.env = {{"NOTIFY_SOCKET", systemd.name()}}});
  EXPECT_TRUE(systemd.wait_for("STATUS=warming up"));
  EXPECT_TRUE(systemd.wait_for("READY=1"));
  while (systemd.receive(500ms)) {
  }
  int pings = 0;
  for (const auto& m : systemd.received()) pings += NotifyListener::has_line(m, "WATCHDOG=1");
  EXPECT_EQ(pings, 3);
  kill(c.pid(), SIGTERM);
  EXPECT_EQ(c.wait_exit(), 0);
}

// No --watchdog-every: the interval comes from WATCHDOG_USEC (sent at half of it).
TEST(TestChild, WatchdogFromWatchdogUsec) {
  TempDir dir;
  NotifyListener systemd((dir.path() / "notify.sock").string());
  ASSERT_TRUE(systemd.bound());
  TestProcess c = test_child({"--watchdog-count", "2"},
                             {.env = {{"NOTIFY_SOCKET", systemd.name()}, {"WATCHDOG_USEC", "200000"}}});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 80ms);
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", 5s));
}

}  // namespace
}  // namespace hale::testing
