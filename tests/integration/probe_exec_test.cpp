// The exec probe with real child processes: Nagios verdicts from real plugins, no shell,
// spawn errors, and cancel/timeout that leave neither a child nor a grandchild behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/free_port.h"
#include "support/probe_harness.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using testing::ProbeHarness;

const std::string kPlugins = "/usr/lib/nagios/plugins";

ExecCheck exec_check(std::vector<std::string> command) { return ExecCheck{std::move(command)}; }

bool have_plugins() { return ::access((kPlugins + "/check_dummy").c_str(), X_OK) == 0; }

// A process is gone when kill(pid, 0) says ESRCH. A grandchild orphaned to an init that does
// not reap stays a zombie ('Z' in /proc): dead all the same.
bool gone_or_zombie(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

class ExecProbeTest : public ::testing::Test {
 protected:
  ProbeResult probe(std::vector<std::string> command, Duration timeout = 5s) {
    auto p = make_probe(exec_check(std::move(command)), harness_.ctx());
    auto r = harness_.run(*p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }

  // Runs the loop until `pred` holds, at most `limit`.
  template <class Pred>
  bool run_until(Pred pred, Duration limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      harness_.run_for(20ms);
      std::this_thread::sleep_for(5ms);  // the loop may have nothing queued at all
    }
    return true;
  }

  ProbeHarness harness_;
};

TEST_F(ExecProbeTest, TruePassesFalseWarns) {
  ProbeResult ok = probe({"/bin/true"});
  EXPECT_EQ(ok.verdict, Verdict::kPass);
  EXPECT_EQ(ok.reason, "exit 0");

  ProbeResult bad = probe({"/bin/false"});
  EXPECT_EQ(bad.verdict, Verdict::kWarn);  // exit 1 is a Nagios WARNING
  EXPECT_EQ(bad.reason, "exit 1");
  EXPECT_EQ(to_string(bad.error), "warn");
}

TEST_F(ExecProbeTest, CheckDummyVerdicts) {
  if (!have_plugins()) GTEST_SKIP() << "monitoring-plugins not installed";
  std::string dummy = kPlugins + "/check_dummy";

  ProbeResult ok = probe({dummy, "0", "all good"});
  EXPECT_EQ(ok.verdict, Verdict::kPass);
  EXPECT_EQ(ok.reason, "OK: all good");

  ProbeResult warn = probe({dummy, "1", "meh"});
  EXPECT_EQ(warn.verdict, Verdict::kWarn);
  EXPECT_EQ(warn.reason, "WARNING: meh");
  EXPECT_EQ(to_string(warn.error), "warn");

  ProbeResult crit = probe({dummy, "2", "bad"});
  EXPECT_EQ(crit.verdict, Verdict::kFail);
  EXPECT_EQ(crit.reason, "CRITICAL: bad");
  EXPECT_EQ(to_string(crit.error), "exit");

  ProbeResult unknown = probe({dummy, "3"});
  EXPECT_EQ(unknown.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(unknown.error), "exit");
  EXPECT_EQ(unknown.reason, "UNKNOWN");
}

TEST_F(ExecProbeTest, CheckTcpOpenAndClosedPort) {
  if (!have_plugins()) GTEST_SKIP() << "monitoring-plugins not installed";
  boost::asio::ip::tcp::acceptor listener(
      harness_.io(), {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::string port = std::to_string(listener.local_endpoint().port());

  ProbeResult open = probe({kPlugins + "/check_tcp", "-H", "127.0.0.1", "-p", port});
  EXPECT_EQ(open.verdict, Verdict::kPass) << open.reason;
  EXPECT_EQ(open.reason.find('|'), std::string::npos) << "perfdata must be stripped";

  std::string closed = std::to_string(testing::closed_loopback_port());
  ProbeResult refused = probe({kPlugins + "/check_tcp", "-H", "127.0.0.1", "-p", closed});
  EXPECT_EQ(refused.verdict, Verdict::kFail) << refused.reason;
}

TEST_F(ExecProbeTest, MissingBinaryIsASpawnError) {
  ProbeResult r = probe({"/nonexistent/hale-check"});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "cannot run /nonexistent/hale-check: No such file or directory");
  EXPECT_EQ(to_string(r.error), "spawn");
}

TEST_F(ExecProbeTest, NoShellIsInvolved) {
  // With a shell, $HOME would expand; argv goes to echo as written.
  ProbeResult r = probe({"echo", "$HOME", ";", "false"});
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "$HOME ; false");
}

TEST_F(ExecProbeTest, StderrCountsAsOutputAndStdinIsEmpty) {
  ProbeResult err = probe({"/bin/sh", "-c", "echo 'CRITICAL: on stderr' >&2; exit 2"});
  EXPECT_EQ(err.reason, "CRITICAL: on stderr");

  // cat gets EOF at once from /dev/null instead of waiting on hale's stdin.
  ProbeResult cat = probe({"/bin/cat"});
  EXPECT_EQ(cat.verdict, Verdict::kPass);
}

TEST_F(ExecProbeTest, KilledBySignalFails) {
  ProbeResult r = probe({"/bin/sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "killed by SIGTERM");
}

TEST_F(ExecProbeTest, HugeOutputDoesNotBlockTheChild) {
  // 1 MB of output: beyond the 64 KiB kept, the rest is drained so the child can exit.
  ProbeResult r = probe({"/bin/sh", "-c", "echo first; head -c 1000000 /dev/zero | tr '\\0' x"});
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "first");
}

TEST_F(ExecProbeTest, TimeoutKillsTheGroupAndFails) {
  ProbeResult r = probe({"/bin/sleep", "30"}, 200ms);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "timeout");
  EXPECT_EQ(to_string(r.error), "timeout");
}

TEST_F(ExecProbeTest, CancelKillsChildAndGrandchild) {
  auto dir = std::filesystem::temp_directory_path() /
             ("hale-exec-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  std::string pids = (dir / "pids").string();
  // The shell writes its own pid, starts a grandchild in the background, writes that pid.
  std::string script = "echo $$ > " + pids + "; sleep 30 & echo $! >> " + pids + "; sleep 30";

  auto p = make_probe(exec_check({"/bin/sh", "-c", script}), harness_.ctx());
  bool called = false;
  p->start(30s, [&](ProbeResult) { called = true; });

  std::vector<pid_t> found;
  ASSERT_TRUE(run_until([&] {
    std::ifstream in(pids);
    found.clear();
    pid_t pid;
    while (in >> pid) found.push_back(pid);
    return found.size() == 2;
  })) << "the command never wrote its pids";
  harness_.run_for(200ms);  // the command well into its run when cancelled: a moment, not a condition

  p->cancel();
  p.reset();  // the reaping must outlive the probe object

  EXPECT_TRUE(run_until([&] { return gone_or_zombie(found[1]); })) << "grandchild survived";
  // The child is ours to reap: it must vanish completely, not linger as a zombie.
  EXPECT_TRUE(run_until([&] { return ::kill(found[0], 0) != 0 && errno == ESRCH; }))
      << "child not reaped";
  EXPECT_FALSE(called);
  std::filesystem::remove_all(dir);
}

TEST_F(ExecProbeTest, DestroyedWhileRunningStillReaps) {
  auto dir = std::filesystem::temp_directory_path() /
             ("hale-exec-d-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string pidfile = (dir / "pid").string();
  bool called = false;
  {
    auto p = make_probe(exec_check({"/bin/sh", "-c", "echo $$ > " + pidfile + "; exec sleep 30"}),
                             harness_.ctx());
    p->start(30s, [&](ProbeResult) { called = true; });
    ASSERT_TRUE(run_until([&] {
      std::error_code ec;
      return std::filesystem::file_size(pidfile, ec) > 0 && !ec;
    }));
  }
  pid_t pid = 0;
  std::ifstream(pidfile) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(run_until([&] { return ::kill(pid, 0) != 0 && errno == ESRCH; }));
  EXPECT_FALSE(called);
  std::filesystem::remove_all(dir);
}

TEST_F(ExecProbeTest, ChildLeftoversInTheGroupAreKilledAtExit) {
  auto dir = std::filesystem::temp_directory_path() /
             ("hale-exec-l-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string pidfile = (dir / "pid").string();
  // The check exits at once but leaves a background process holding the output pipe.
  ProbeResult r = probe({"/bin/sh", "-c", "sleep 30 & echo $! > " + pidfile + "; echo done"});
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "done");
  pid_t pid = 0;
  std::ifstream(pidfile) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(run_until([&] { return gone_or_zombie(pid); }));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hale
