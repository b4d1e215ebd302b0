// The supervisor's process handling with real children (SPEC §4): sd_notify READY=1 and the
// watchdog through libsystemd's own sd_notify(), stop_timeout escalation to SIGKILL of the
// whole group, no orphan after hale is SIGKILLed, log rotation, env/cwd, a command that cannot
// start, depends_on, and reload of services.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/prctl.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/file_text.h"
#include "support/hale_process.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Makes this test process the subreaper of what hale leaves behind when it is SIGKILLed, so the
// test can see those processes die and reap them (init would otherwise).
class OrphanCatcher {
 public:
  OrphanCatcher() { EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  ~OrphanCatcher() {
    reap();
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  }
  static void reap() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
};

TEST(SupervisorProcess, NotifyReadyThenAMissedWatchdogRestarts) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.notifier]
command = )" + child_command({"--notify-ready-after", "300", "--status", "warming done",
                              "--watchdog-every", "100", "--watchdog-count", "8"}) + R"(
ready = "notify"
watchdog = "400ms"
stability_period = "0s"
backoff = { base = "0s", max = "0s", jitter = "0ms" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  // Until READY=1 it is starting; then ready, with its STATUS= text.
  ASSERT_TRUE(eventually([&] { return state_of(hale, "notifier") == "starting"; }, 5s)) << hale.log();
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "notifier");
    return j.value("state", "") == "ready";
  }, 5s)) << hale.log();
  EXPECT_EQ(j["status_text"], "warming done");
  const pid_t first = j["pid"].get<pid_t>();

  // After 8 pings (~800 ms) the child goes quiet: 400 ms later the watchdog restarts it.
  std::optional<pid_t> second;
  ASSERT_TRUE(eventually([&] {
    second = pid_of(hale, "notifier");
    return second && *second != first;
  }, 10s)) << hale.log();
  j = service_state(hale, "notifier");
  EXPECT_EQ(j["restarts_by_reason"]["watchdog"], 1) << j.dump();
  EXPECT_TRUE(hale.wait_for_log("no WATCHDOG=1 for 400ms"));
}

TEST(SupervisorProcess, StopTimeoutKillsTheWholeGroup) {
  TempDir state;
  const std::string grandchild_file = (state.path() / "grandchild.pid").string();
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.stubborn]
command = )" + child_command({"--ignore-sigterm", "--grandchild-pid-file", grandchild_file}) + R"(
stop_timeout = "3s"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> pid, grandchild;
  ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "stubborn")).has_value(); }, 5s));
  ASSERT_TRUE(eventually([&] { return (grandchild = read_pid_file(grandchild_file)).has_value(); }, 5s));
  ASSERT_TRUE(running(*grandchild));

  // SIGTERM is ignored: it is still stopping, the child alive, until stop_timeout (3 s, so that
  // "still stopping" is seen however slow this machine is), then SIGKILL takes the group.
  const auto asked = std::chrono::steady_clock::now();
  const HttpReply stop = service_action(hale, "stubborn", "stop");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(nlohmann::json::parse(stop.body)["state"], "stopping");
  EXPECT_EQ(state_of(hale, "stubborn"), "stopping");
  EXPECT_TRUE(running(*pid));
  ASSERT_TRUE(eventually([&] { return state_of(hale, "stubborn") == "stopped"; }, 15s)) << hale.log();
  // Not before stop_timeout: hale's timer began after `asked`, so this holds at any speed.
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 3s) << "stopped before stop_timeout";
  EXPECT_TRUE(hale.wait_for_log("service_stop_timeout"));
  EXPECT_EQ(service_state(hale, "stubborn")["last_exit"]["signal"], "SIGKILL");
  EXPECT_TRUE(eventually([&] { return !running(*pid) && !running(*grandchild); }, 5s));
}

// Two services: "family", whose child starts a grandchild in its group (its pid written to
// `grandchild_file`), and a plain one named `other`.
std::string family_and(const TempDir& state, const std::string& grandchild_file, const std::string& other) {
  return server_section(state.path().string()) + "\n[services.family]\ncommand = " +
         child_command({"--grandchild-pid-file", grandchild_file}) + "\n\n[services." + other +
         "]\ncommand = " + child_command({}) + "\n";
}

TEST(SupervisorProcess, NothingSurvivesASigkillOfHale) {
  OrphanCatcher orphans;
  TempDir state;
  const std::string grandchild_file = (state.path() / "grandchild.pid").string();
  HaleProcess hale(family_and(state, grandchild_file, "plain"));
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> family, plain, grandchild;
  ASSERT_TRUE(eventually([&] {
    family = pid_of(hale, "family");
    plain = pid_of(hale, "plain");
    grandchild = read_pid_file(grandchild_file);
    return family && plain && grandchild;
  }, 5s)) << hale.log();
  ASSERT_TRUE(running(*family) && running(*plain) && running(*grandchild));

  hale.signal(SIGKILL);
  ASSERT_TRUE(hale.wait_exit().has_value());
  EXPECT_TRUE(eventually([&] {
    OrphanCatcher::reap();
    return !running(*family) && !running(*plain) && !running(*grandchild);
  }, 5s)) << "family " << proc_state(*family) << " plain " << proc_state(*plain) << " grandchild "
          << proc_state(*grandchild);
}

// The hale-guardian child of `hale` (comm "hale-guardian"), if any.
std::optional<pid_t> guardian_of(pid_t hale) {
  std::ifstream children("/proc/" + std::to_string(hale) + "/task/" + std::to_string(hale) + "/children");
  pid_t pid = 0;
  while (children >> pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (std::getline(comm, name) && name == "hale-guardian") return pid;
  }
  return std::nullopt;
}

TEST(SupervisorProcess, AKilledGuardianIsReplacedAndStillProtectsTheGroups) {
  OrphanCatcher orphans;
  TempDir state;
  const std::string grandchild_file = (state.path() / "grandchild.pid").string();
  HaleProcess hale(family_and(state, grandchild_file, "other"));
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> guardian, grandchild;
  ASSERT_TRUE(eventually([&] {
    guardian = guardian_of(hale.pid());
    grandchild = read_pid_file(grandchild_file);
    return guardian && grandchild && pid_of(hale, "other");
  }, 5s)) << hale.log();
  ::kill(*guardian, SIGKILL);
  // The next exchange with the guardian (here: restarting another service) finds it gone,
  // reaps it and starts a new one that is told about every group.
  ASSERT_EQ(service_action(hale, "other", "restart").status, 200);
  std::optional<pid_t> replacement;
  ASSERT_TRUE(eventually([&] {
    replacement = guardian_of(hale.pid());
    return replacement && *replacement != *guardian && proc_state(*guardian) == 0;
  }, 5s)) << hale.log();
  EXPECT_TRUE(hale.wait_for_log("guardian_replaced"));

  hale.signal(SIGKILL);
  ASSERT_TRUE(hale.wait_exit().has_value());
  EXPECT_TRUE(eventually([&] {
    OrphanCatcher::reap();
    return !running(*grandchild);
  }, 5s)) << "the replacement guardian did not kill the family's group";
}

TEST(SupervisorProcess, OutputGoesToSizeRotatedLogs) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.chatty]
command = )" + child_command({"--print-bytes", "1500", "--exit-after", "50", "--exit-code", "0"}) + R"(
restart = "always"
backoff = { base = "20ms", max = "20ms", jitter = "0ms" }
restart_budget = { max = 1000, window = "1m" }
stability_period = "0s"
log_max_bytes = 2048
log_keep = 2
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  const fs::path logs = state.path() / "logs";
  ASSERT_TRUE(eventually([&] { return service_state(hale, "chatty")["restarts"].get<int>() >= 6; }, 10s))
      << hale.log();
  EXPECT_TRUE(fs::exists(logs / "chatty.log"));
  EXPECT_TRUE(fs::exists(logs / "chatty.log.1"));
  EXPECT_TRUE(fs::exists(logs / "chatty.log.2"));
  EXPECT_FALSE(fs::exists(logs / "chatty.log.3")) << "keeps only log_keep rotated files";
  for (const char* name : {"chatty.log.1", "chatty.log.2"}) {
    const auto size = fs::file_size(logs / name);
    EXPECT_GT(size, 0u);
    EXPECT_LE(size, 2048u) << name;
  }
}

TEST(SupervisorProcess, EnvAndCwdReachTheChild) {
  TempDir state;
  TempDir workdir;
  const std::string env_out = (state.path() / "env.txt").string();
  const std::string cwd_out = (state.path() / "cwd.txt").string();
  setenv("SVC_TEST_SECRET", "s3cr3t-value", 1);
  setenv("SVC_TEST_PLAIN", "visible", 1);
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.envy]
command = )" + child_command({"--env-out", env_out, "--cwd-out", cwd_out}) + R"(
cwd = ")" + workdir.path().string() + R"("
env = { GREETING = "hello", API_KEY = "env:SVC_TEST_SECRET" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return fs::exists(env_out) && fs::exists(cwd_out) && !file_text(cwd_out).empty(); }, 5s));
  const std::string env = file_text(env_out);
  EXPECT_THAT(env, ::testing::HasSubstr("GREETING=hello\n"));
  EXPECT_THAT(env, ::testing::HasSubstr("API_KEY=s3cr3t-value\n"));  // given explicitly
  EXPECT_THAT(env, ::testing::HasSubstr("SVC_TEST_PLAIN=visible\n"));  // hale's environment
  // ... but not the variable hale read a secret from: secrets are not inherited.
  EXPECT_THAT(env, ::testing::Not(::testing::HasSubstr("SVC_TEST_SECRET=")));
  EXPECT_THAT(env, ::testing::Not(::testing::HasSubstr("NOTIFY_SOCKET=")));
  EXPECT_THAT(file_text(cwd_out), ::testing::StartsWith(fs::canonical(workdir.path()).string()));
  // The secret never shows in hale's answers or log.
  EXPECT_THAT(http_get(hale.url("/api/v1/services/envy")).body, ::testing::Not(::testing::HasSubstr("s3cr3t")));
  EXPECT_THAT(hale.log(), ::testing::Not(::testing::HasSubstr("s3cr3t-value")));
}

TEST(SupervisorProcess, ACommandThatCannotStartEndsFailedWithTheReason) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.ghost]
command = ["/nonexistent/ghost-server", "--port", "1"]
backoff = { base = "10ms", max = "10ms", jitter = "0ms" }
restart_budget = { max = 2, window = "1m" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = service_state(hale, "ghost");
    return j.value("state", "") == "failed";
  }, 5s)) << hale.log();
  EXPECT_THAT(j["reason"].get<std::string>(), ::testing::HasSubstr("cannot run /nonexistent/ghost-server"));
  EXPECT_EQ(j["restarts_by_reason"]["start_failed"], 2);
}

TEST(SupervisorProcess, DependsOnWaitsForAHealthyDependency) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.db]
command = )" + child_command({"--notify-ready-after", "600"}) + R"(
ready = "notify"

[services.app]
command = )" + child_command({}) + R"(
depends_on = { db = "healthy" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json app;
  ASSERT_TRUE(eventually([&] {
    app = service_state(hale, "app");
    return app.value("state", "") == "starting";
  }, 5s)) << hale.log();
  EXPECT_THAT(app["reason"].get<std::string>(), ::testing::HasSubstr("waiting for db (healthy)"));
  EXPECT_TRUE(app["pid"].is_null());
  ASSERT_TRUE(eventually([&] { return state_of(hale, "app") == "running"; }, 5s)) << hale.log();
  EXPECT_EQ(state_of(hale, "db"), "ready");
}

TEST(SupervisorProcess, ReloadAddsRemovesAndRestartsOnlyChangedServices) {
  TempDir state;
  auto config = [&](const std::string& services) { return server_section(state.path().string()) + services; };
  auto service = [](const std::string& name, const std::string& env) {
    return "\n[services." + name + "]\ncommand = " + child_command({}) + "\nenv = { V = \"" + env + "\" }\n";
  };
  HaleProcess hale(config(service("keep", "1") + service("change", "1") + service("drop", "1")));
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> keep, change, drop;
  ASSERT_TRUE(eventually([&] {
    keep = pid_of(hale, "keep");
    change = pid_of(hale, "change");
    drop = pid_of(hale, "drop");
    return keep && change && drop;
  }, 5s)) << hale.log();

  hale.rewrite_config(config(service("keep", "1") + service("change", "2") + service("added", "1")));
  hale.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return pid_of(hale, "added").has_value(); }, 5s)) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto now = pid_of(hale, "change");
    return now && *now != *change;
  }, 5s)) << hale.log();
  EXPECT_EQ(pid_of(hale, "keep"), keep) << "an unchanged service is left alone";
  EXPECT_EQ(http_get(hale.url("/api/v1/services/drop")).status, 404);
  EXPECT_TRUE(eventually([&] { return !running(*drop); }, 5s));
}

TEST(SupervisorProcess, ReadinessTakesPartInReadyz) {
  TempDir state;
  const std::uint16_t port = free_port();
  HaleProcess hale(server_section(state.path().string()) + R"(
[checks.web-ready]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(port) + R"("
interval = "100ms"
groups = []

[services.web]
command = )" + child_command({"--http-port", std::to_string(port)}) + R"(
readiness = "web-ready"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return state_of(hale, "web") == "ready"; }, 5s)) << hale.log();
  HttpReply ready = http_get(hale.url("/readyz?verbose"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_THAT(ready.body, ::testing::HasSubstr("[+]services/web ready"));

  ASSERT_EQ(service_action(hale, "web", "stop").status, 200);
  ASSERT_TRUE(eventually([&] { return state_of(hale, "web") == "stopped"; }, 5s));
  ready = http_get(hale.url("/readyz?verbose"));
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, ::testing::HasSubstr("[-]services/web not ready: stopped"));
  EXPECT_EQ(http_get(hale.url("/readyz?exclude=services/web")).status, 200);
}

}  // namespace
}  // namespace hale::testing

namespace hale::testing {
namespace {

TEST(SupervisorProcess, AChainOfDependenciesStartsInOrderOnceTheCheckPasses) {
  TempDir state;
  const std::string gate = (state.path() / "gate").string();
  // `app` needs `db` started; `db` needs the check `gate` healthy (a file that appears later).
  HaleProcess hale(server_section(state.path().string()) + R"(
[checks.gate]
type = "exec"
command = ["/bin/sh", "-c", "test -f )" + gate + R"( || exit 2"]
interval = "100ms"
failure_threshold = 1
groups = []

[services.app]
command = )" + child_command({}) + R"(
depends_on = { db = "started" }

[services.db]
command = )" + child_command({}) + R"(
depends_on = { gate = "healthy" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return state_of(hale, "db") == "starting"; }, 5s)) << hale.log();
  EXPECT_THAT(service_state(hale, "app")["reason"].get<std::string>(), ::testing::HasSubstr("waiting for db"));
  state.write("gate", "open");
  EXPECT_TRUE(eventually([&] { return state_of(hale, "db") == "running"; }, 5s)) << hale.log();
  EXPECT_TRUE(eventually([&] { return state_of(hale, "app") == "running"; }, 5s)) << hale.log();
}

// How many processes among hale's children run the test child with `marker` in their argv.
int children_with(pid_t hale, const std::string& marker) {
  std::ifstream children("/proc/" + std::to_string(hale) + "/task/" + std::to_string(hale) + "/children");
  int n = 0;
  pid_t pid = 0;
  while (children >> pid) {
    std::string cmdline = file_text("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.find(marker) != std::string::npos && running(pid)) ++n;
  }
  return n;
}

TEST(SupervisorProcess, AServiceAddedBackWhileItStillStopsNeverRunsTwice) {
  TempDir state;
  const std::string pid_file = (state.path() / "slow.pid").string();
  const std::string service = R"(
[services.slow]
command = )" + child_command({"--ignore-sigterm", "--print-line", "slow-marker", "--pid-file", pid_file}) + R"(
stop_timeout = "3s"
)";
  HaleProcess hale(server_section(state.path().string()) + service);
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> first;
  ASSERT_TRUE(eventually([&] { return (first = pid_of(hale, "slow")).has_value(); }, 5s));
  // Its pid file says it ignores SIGTERM now.
  ASSERT_TRUE(eventually([&] { return read_pid_file(pid_file) == first; }, 5s));

  hale.rewrite_config(server_section(state.path().string()));
  hale.signal(SIGHUP);
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"service_removed\""));
  hale.rewrite_config(server_section(state.path().string()) + service);
  hale.signal(SIGHUP);
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"service_added_back\"")) << hale.log();
  // The old process ignores SIGTERM for 3 s; the service must wait for it, not run beside it.
  int most = 0;
  std::optional<pid_t> second;
  ASSERT_TRUE(eventually([&] {
    most = std::max(most, children_with(hale.pid(), "slow-marker"));
    second = pid_of(hale, "slow");
    return second && *second != *first;
  }, 15s)) << hale.log();
  EXPECT_EQ(most, 1) << "two processes of one service ran at once";
  EXPECT_FALSE(running(*first));
  EXPECT_EQ(state_of(hale, "slow"), "running");
}

}  // namespace
}  // namespace hale::testing

namespace hale::testing {
namespace {

TEST(SupervisorProcess, PreStartRunsBeforeEveryStartAndItsFailureIsAFailedStart) {
  TempDir state;
  const std::string marker = (state.path() / "pre-ran").string();
  const std::string env_out = (state.path() / "env.txt").string();
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.good]
pre_start = ["/bin/sh", "-c", "echo ran >> )" + marker + R"("]
command = )" + child_command({"--env-out", env_out}) + R"(

[services.bad]
pre_start = ["/bin/false"]
command = )" + child_command({}) + R"(
backoff = { base = "10ms", max = "10ms", jitter = "0ms" }
restart_budget = { max = 2, window = "1m" }
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return state_of(hale, "good") == "running"; }, 5s)) << hale.log();
  EXPECT_EQ(file_text(marker), "ran\n");
  ASSERT_EQ(service_action(hale, "good", "restart").status, 200);
  EXPECT_TRUE(eventually([&] { return file_text(marker) == "ran\nran\n"; }, 5s)) << "pre_start runs before every start";

  nlohmann::json bad;
  ASSERT_TRUE(eventually([&] {
    bad = service_state(hale, "bad");
    return bad.value("state", "") == "failed";
  }, 5s)) << hale.log();
  EXPECT_THAT(bad["reason"].get<std::string>(), ::testing::HasSubstr("pre_start exit code 1"));
  EXPECT_EQ(bad["restarts_by_reason"]["start_failed"], 2);
  EXPECT_TRUE(bad["pid"].is_null());
}

TEST(SupervisorProcess, RunsAsTheConfiguredUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  TempDir state;
  std::filesystem::permissions(state.path(), std::filesystem::perms::all);  // nobody may write here
  const std::string env_out = (state.path() / "env.txt").string();
  HaleProcess hale(server_section(state.path().string()) + R"(
[services.unprivileged]
command = )" + child_command({"--env-out", env_out}) + R"(
user = "nobody"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> pid;
  ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "unprivileged")).has_value(); }, 5s)) << hale.log();
  const std::string status = file_text("/proc/" + std::to_string(*pid) + "/status");
  EXPECT_THAT(status, ::testing::HasSubstr("Uid:\t65534\t65534\t65534\t65534"));
  ASSERT_TRUE(eventually([&] { return !file_text(env_out).empty(); }, 5s));
  const std::string env = file_text(env_out);
  EXPECT_THAT(env, ::testing::HasSubstr("USER=nobody\n"));
  EXPECT_THAT(env, ::testing::Not(::testing::HasSubstr("HOME=/root\n")));
}

}  // namespace
}  // namespace hale::testing
