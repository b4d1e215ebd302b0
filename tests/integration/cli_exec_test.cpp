// `hale exec` as cron runs it: the real binary wrapping real commands and reporting them to the
// real daemon's heartbeats (SPEC §5: /start, the job with its output passed through, the exit
// code with the last 100 KB of output, the job's exit code). What each run did is read back from
// the daemon: the run it recorded (GET /api/v1/heartbeats/NAME: exit code, output, whether a
// /start came first) and the pings it counted (hale_heartbeat_pings_total).
//
// One daemon serves the tests (CliExec::daemon()), each test with heartbeats of its own. Two
// tests talk to a fake (TestHttpServer): a hale that never answers, and one that reads the
// result and closes without answering; a real hale does neither.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using Env = std::vector<std::pair<std::string, std::string>>;
using nlohmann::json;

constexpr std::size_t kTail = 102400;
constexpr const char* kPingToken = "tok-s3cret-4242";

// The heartbeats of the shared daemon, one or two per test; "secure" and "secure2" want
// kPingToken, "quiet" wants output.
std::string exec_config() {
  std::string config = "[server]\nlisten = \"127.0.0.1:{PORT}\"\nstate_dir = \"{STATE_DIR}\"\n";
  for (const char* name : {"success", "failure", "streams", "big", "slow", "bg", "notfound", "notfound2", "notexec",
                           "sigterm", "trapper", "fromenv", "proxied", "usage", "dashdash"}) {
    config += "\n[heartbeats." + std::string(name) + "]\nperiod = \"1h\"\n";
  }
  config += "\n[heartbeats.quiet]\nperiod = \"1h\"\nrequire_output = true\n";
  for (const char* name : {"secure", "secure2"}) {
    config += "\n[heartbeats." + std::string(name) + "]\nperiod = \"1h\"\ntoken = \"" + kPingToken + "\"\n";
  }
  return config;
}

class CliExec : public ::testing::Test {
 protected:
  static HaleProcess& daemon() {
    if (!hale_) {
      hale_ = std::make_unique<HaleProcess>(exec_config());
      EXPECT_TRUE(hale_->start()) << hale_->log();
    }
    return *hale_;
  }
  static void TearDownTestSuite() { hale_.reset(); }
  // hale's base URL, as --url takes it.
  static std::string base() { return daemon().url(""); }
  static std::vector<std::string> exec_args(const std::string& name, const std::vector<std::string>& command) {
    std::vector<std::string> args = {"exec", "--heartbeat", name, "--url", base(), "--"};
    args.insert(args.end(), command.begin(), command.end());
    return args;
  }
  // The runs the daemon recorded for heartbeat `name`, newest first.
  static std::vector<json> runs(const std::string& name) {
    const json j = get_json(daemon(), "/api/v1/heartbeats/" + name);
    if (!j.is_object() || !j["runs"].is_array()) return {};
    return std::vector<json>(j["runs"].begin(), j["runs"].end());
  }
  // Waits until the daemon has `n` runs of `name`; the newest.
  static json last_run(const std::string& name, std::size_t n = 1) {
    std::vector<json> r;
    EXPECT_TRUE(eventually([&] { return (r = runs(name)).size() >= n; }))
        << name << ": " << get_json(daemon(), "/api/v1/heartbeats/" + name).dump();
    return r.empty() ? json() : r.front();
  }
  static std::string state(const std::string& name) {
    const json j = get_json(daemon(), "/api/v1/heartbeats/" + name);
    return j.is_object() ? j.value("state", "") : "";
  }
  // How many pings of `kind` (start, success, fail, log, exit_code) the daemon took for `name`.
  static double pings(const std::string& name, const std::string& kind) {
    return metric_value(http_get(daemon().url("/metrics")).body,
                        "hale_heartbeat_pings_total{heartbeat=\"" + name + "\",kind=\"" + kind + "\"}")
        .value_or(-1);
  }

 private:
  static inline std::unique_ptr<HaleProcess> hale_;
};

// No token, no HALE_URL from the environment the tests run in.
CommandResult run_exec(const std::vector<std::string>& args, Env env = {}) {
  env.emplace_back("HALE_URL", "");
  env.emplace_back("HALE_PING_TOKEN", "");
  return run_hale(args, 30s, env);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count_lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST_F(CliExec, SuccessSendsStartThenZeroWithTheOutput) {
  auto r = run_exec(exec_args("success", {"sh", "-c", "echo hi"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "");
  const json run = last_run("success");
  EXPECT_TRUE(run["started"].is_string()) << "no /start before the result: " << run.dump();
  EXPECT_EQ(run["exit_code"], 0) << run.dump();
  EXPECT_EQ(run["verdict"], "success");
  EXPECT_EQ(run["output"], "hi\n");
  EXPECT_EQ(state("success"), "up");
  EXPECT_EQ(pings("success", "start"), 1);
  EXPECT_EQ(pings("success", "exit_code"), 1);
  EXPECT_EQ(pings("success", "success"), 0);
}

TEST_F(CliExec, FailureSendsItsExitCodeAndExitsWithIt) {
  auto r = run_exec(exec_args("failure", {"sh", "-c", "echo partial; exit 3"}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "partial\n");
  const json run = last_run("failure");
  EXPECT_EQ(run["exit_code"], 3) << run.dump();
  EXPECT_EQ(run["verdict"], "exit code 3");
  EXPECT_EQ(run["output"], "partial\n");
  EXPECT_EQ(state("failure"), "down");
}

TEST_F(CliExec, StderrGoesToStderrAndBothStreamsToTheBodyInOrder) {
  auto r = run_exec(exec_args("streams", {"sh", "-c", "echo out; echo err >&2; exit 1"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(last_run("streams")["output"], "out\nerr\n");
}

TEST_F(CliExec, SilentCommandSendsAnEmptyBody) {
  // quiet has require_output: the daemon judges the empty body a silent failure.
  auto r = run_exec(exec_args("quiet", {"true"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const json run = last_run("quiet");
  EXPECT_EQ(run["exit_code"], 0) << run.dump();
  EXPECT_EQ(run["output"], "");
  EXPECT_EQ(run["verdict"], "completed with no output");
}

TEST_F(CliExec, OutputOver100KbIsPassedThroughWholeAndItsLast102400BytesSent) {
  // 288,894 bytes on stdout, then a last line on stderr.
  auto r = run_exec(exec_args("big", {"sh", "-c", "seq 1 50000; echo end >&2"}));
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 200);
  ASSERT_GT(r.out.size(), 2 * kTail);
  EXPECT_EQ(r.out.substr(r.out.size() - 12), "49999\n50000\n");
  EXPECT_EQ(r.err, "end\n");
  // The daemon keeps the end of what it got (2 KB with its note), and says how much it left
  // out: exactly 102,400 bytes arrived, the last ones of the output.
  const std::string combined = r.out + r.err;
  constexpr std::size_t kKept = 2048 - 64;
  EXPECT_EQ(last_run("big")["output"], "[hale: output truncated: first " + std::to_string(kTail - kKept) +
                                           " bytes left out]\n" + combined.substr(combined.size() - kKept));
}

TEST_F(CliExec, OutputIsPassedThroughAsItComesNotAtTheEnd) {
  TempDir dir;
  const std::string go = (dir.path() / "go").string();
  TestProcess child(hale_argv(
      exec_args("slow", {"sh", "-c", "echo first; while [ ! -e " + go + " ]; do sleep 0.02; done; echo second"})),
      {.env = {{"HALE_PING_TOKEN", ""}}});
  ASSERT_TRUE(child.wait_for_out("first\n")) << child.err();
  EXPECT_EQ(child.out(), "first\n");  // the job is still running: it waits for `go`
  EXPECT_TRUE(eventually([&] { return state("slow") == "running"; })) << "the daemon has its /start";
  dir.write("go", "");
  EXPECT_EQ(child.wait_exit(10s), 0) << child.err();
  EXPECT_EQ(child.out(), "first\nsecond\n");
  EXPECT_EQ(last_run("slow")["output"], "first\nsecond\n");
}

TEST_F(CliExec, BackgroundProcessHoldingTheOutputDoesNotHoldHaleExec) {
  TempDir dir;
  const std::string pid_file = (dir.path() / "pid").string();
  const auto t0 = std::chrono::steady_clock::now();
  // The job exits at once; the sleep it leaves behind keeps its stdout and stderr open for 30 s.
  auto r = run_exec(exec_args("bg", {"sh", "-c", "sleep 30 & echo $! > " + pid_file + "; echo done"}));
  const auto took = std::chrono::steady_clock::now() - t0;
  const std::string pid = read_text(pid_file);
  if (!pid.empty()) ::kill(std::stoi(pid), SIGKILL);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_LT(took, 20s) << "held by the background process";
  EXPECT_EQ(last_run("bg")["output"], "done\n");
}

TEST_F(CliExec, CommandNotFoundIs127AndSent) {
  auto r = run_exec(exec_args("notfound", {"/nonexistent/backup.sh", "--full"}));
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "hale exec: cannot run /nonexistent/backup.sh: No such file or directory\n");
  const json run = last_run("notfound");
  EXPECT_TRUE(run["started"].is_string()) << run.dump();
  EXPECT_EQ(run["exit_code"], 127);
  EXPECT_EQ(run["output"], r.err);
  EXPECT_EQ(state("notfound"), "down");

  // Searched in PATH, as execvp does.
  auto in_path = run_exec(exec_args("notfound2", {"hale-no-such-command-xyz"}));
  EXPECT_EQ(in_path.exit_code, 127);
  EXPECT_NE(in_path.err.find("cannot run hale-no-such-command-xyz: No such file or directory"), std::string::npos);
  EXPECT_EQ(last_run("notfound2")["exit_code"], 127);
}

TEST_F(CliExec, CommandNotExecutableIs126AndSent) {
  TempDir dir;
  const std::string script = dir.write("backup.sh", "#!/bin/sh\necho never\n");
  ::chmod(script.c_str(), 0644);
  auto r = run_exec(exec_args("notexec", {script}));
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("cannot run " + script + ": Permission denied"), std::string::npos) << r.err;
  const json run = last_run("notexec");
  EXPECT_EQ(run["exit_code"], 126);
  EXPECT_EQ(run["output"], r.err);
}

TEST(CliExecDaemon, HaleUnreachableStillRunsTheJobKeepsItsCodeAndSaysSoOnce) {
  const auto port = closed_loopback_port();  // nothing listens there
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto r = run_exec({"exec", "--heartbeat", "backup", "--url", base, "--", "sh", "-c", "echo ran; exit 4"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("hale exec: could not reach hale at " + base + " (", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("; running sh anyway\n"), std::string::npos) << r.err;
}

// hale's /ping endpoints for one heartbeat in a fake: `answer` to /start and to every exit code.
void serve_heartbeat(TestHttpServer& server, const std::string& name, TestResponse answer = TestResponse::ok("OK")) {
  server.set("/ping/" + name + "/start", answer);
  for (int code = 0; code <= 255; ++code) server.set("/ping/" + name + "/" + std::to_string(code), answer);
}

std::vector<std::string> fake_exec_args(const TestHttpServer& server, const std::string& name,
                                        const std::vector<std::string>& command) {
  std::vector<std::string> args = {"exec", "--heartbeat", name, "--url", server.url(""), "--"};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

TEST(CliExecFake, HaleThatDoesNotAnswerDelaysTheJobAtMostThreeSeconds) {
  // Fake: a hale that accepts the connection and never answers (hung, or stopped by a debugger);
  // a running hale always answers a ping.
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  server.set("/ping/backup/start", TestResponse::hanging());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_exec(fake_exec_args(server, "backup", {"sh", "-c", "echo ran"}));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_LT(took, 8s);
  EXPECT_EQ(r.err.rfind("hale exec: no answer from hale at " + server.url("") + " (", 0), 0u) << r.err;
  EXPECT_EQ(server.last_request("/ping/backup/0")->body, "ran\n");
}

TEST(CliExecFake, ResultThatWasSentIsNotSentTwice) {
  // Fake: a hale that reads the result and closes the connection without answering (killed in
  // that moment); a running hale answers every ping it read.
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  server.set("/ping/backup/0", TestResponse::closing());
  auto r = run_exec(fake_exec_args(server, "backup", {"true"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(server.request_count("/ping/backup/0"), 1u);
  EXPECT_NE(r.err.find("hale exec: no answer from hale at "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; exit code 0 not recorded\n"), std::string::npos) << r.err;
}

TEST_F(CliExec, UnknownHeartbeatStillRunsTheJobAndSaysSoOnce) {
  auto r = run_exec(exec_args("nosuch", {"sh", "-c", "echo ran; exit 5"}));
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(r.err, "hale exec: hale at " + base() + " has no heartbeat named \"nosuch\"; running sh anyway\n");
}

TEST(CliExecDaemon, AHeartbeatAddedByAReloadWhileTheJobRunsGetsItsResult) {
  // /start finds no heartbeat "nightly"; a reload adds it before the job ends: the result is
  // sent all the same, and recorded.
  const std::string server = "[server]\nlisten = \"127.0.0.1:{PORT}\"\nstate_dir = \"{STATE_DIR}\"\n";
  HaleProcess hale(server + "\n[heartbeats.other]\nperiod = \"1h\"\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  TempDir dir;
  const std::string go = (dir.path() / "go").string();
  TestProcess job(hale_argv({"exec", "--heartbeat", "nightly", "--url", hale.url(""), "--", "sh", "-c",
                             "while [ ! -e " + go + " ]; do sleep 0.02; done; echo ran"}),
                  {.env = {{"HALE_PING_TOKEN", ""}}});
  ASSERT_TRUE(eventually([&] { return job.err().find("has no heartbeat named \"nightly\"") != std::string::npos; }))
      << job.err();
  hale.rewrite_config(server + "\n[heartbeats.other]\nperiod = \"1h\"\n\n[heartbeats.nightly]\nperiod = \"1d\"\n");
  hale.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return !log_events(hale, "reloaded").empty(); })) << hale.log();
  dir.write("go", "");
  EXPECT_EQ(job.wait_exit(10s), 0) << job.err();
  EXPECT_EQ(count_lines(job.err()), 1u) << "said once: " << job.err();
  const json j = get_json(hale, "/api/v1/heartbeats/nightly");
  ASSERT_TRUE(j["runs"].is_array() && j["runs"].size() == 1u) << j.dump();
  EXPECT_EQ(j["runs"][0]["exit_code"], 0);
  EXPECT_EQ(j["runs"][0]["output"], "ran\n");
  EXPECT_TRUE(j["runs"][0]["started"].is_null()) << "its /start went nowhere: " << j.dump();
  EXPECT_EQ(j["state"], "up");
}

TEST_F(CliExec, TokenFromTheEnvironmentGoesOnlyIntoTheAuthorizationHeader) {
  auto r = run_exec(exec_args("secure", {"sh", "-c", "echo \"job sees ${HALE_PING_TOKEN-no token}\""}),
                    {{"HALE_PING_TOKEN", kPingToken}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "job sees no token\n");  // taken out of the job's environment
  EXPECT_EQ(r.err, "");
  // The daemon took both pings: the token reached it.
  const json run = last_run("secure");
  EXPECT_TRUE(run["started"].is_string()) << run.dump();
  EXPECT_EQ(run["exit_code"], 0);
  EXPECT_EQ(pings("secure", "start"), 1);
  EXPECT_EQ(pings("secure", "exit_code"), 1);
}

TEST_F(CliExec, RefusedTokenStillRunsTheJobAndIsNeverShown) {
  const std::string token = "wrong-t0ken";
  auto r = run_exec(exec_args("secure2", {"sh", "-c", "echo ran"}), {{"HALE_PING_TOKEN", token}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(r.err, "hale exec: hale at " + base() + " refused HALE_PING_TOKEN for heartbeat \"secure2\"; running sh anyway\n");

  auto without = run_exec(exec_args("secure2", {"true"}));
  EXPECT_EQ(without.exit_code, 0);
  EXPECT_EQ(without.err, "hale exec: hale at " + base() +
                             " wants a token for heartbeat \"secure2\" (set HALE_PING_TOKEN); running true anyway\n");
  // Nothing was taken.
  EXPECT_TRUE(runs("secure2").empty());
  EXPECT_EQ(pings("secure2", "start"), 0);
  EXPECT_EQ(state("secure2"), "new");
}

TEST_F(CliExec, SigtermIsForwardedToTheJobAnd143Sent) {
  TestProcess child(hale_argv(exec_args("sigterm", {"sh", "-c", "echo ready; exec sleep 30"})),
                    {.env = {{"HALE_PING_TOKEN", ""}}});
  ASSERT_TRUE(child.wait_for_out("ready\n")) << child.err();
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  // hale exec outlives the signal (it only passes it on) and reports the job's death.
  EXPECT_EQ(child.wait_exit(10s), 143) << child.err();
  const json run = last_run("sigterm");
  EXPECT_EQ(run["exit_code"], 143) << run.dump();
  EXPECT_EQ(run["output"], "ready\n");
}

TEST_F(CliExec, JobThatHandlesTheSignalIsWaitedForAndItsOwnCodeKept) {
  TestProcess child(
      hale_argv(exec_args("trapper", {"sh", "-c",
                                      "trap 'echo cleaning up; exit 7' TERM; echo ready; while :; do sleep 0.05; done"})),
      {.env = {{"HALE_PING_TOKEN", ""}}});
  ASSERT_TRUE(child.wait_for_out("ready\n")) << child.err();
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  EXPECT_EQ(child.wait_exit(10s), 7) << child.err();
  EXPECT_EQ(child.out(), "ready\ncleaning up\n");
  const json run = last_run("trapper");
  EXPECT_EQ(run["exit_code"], 7) << run.dump();
  EXPECT_EQ(run["output"], "ready\ncleaning up\n");
}

TEST_F(CliExec, BaseUrlFromHaleUrl) {
  auto r = run_hale({"exec", "--heartbeat", "fromenv", "--", "true"}, 30s,
                    {{"HALE_URL", daemon().url("/")}, {"HALE_PING_TOKEN", ""}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json run = last_run("fromenv");
  EXPECT_TRUE(run["started"].is_string()) << run.dump();
  EXPECT_EQ(run["exit_code"], 0);
}

TEST_F(CliExec, LoopbackHaleIsNeverReachedThroughAProxy) {
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(closed_loopback_port());
  auto r = run_exec(exec_args("proxied", {"true"}), {{"http_proxy", dead_proxy},
                                                    {"HTTP_PROXY", dead_proxy},
                                                    {"all_proxy", dead_proxy},
                                                    {"no_proxy", ""}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  const json run = last_run("proxied");
  EXPECT_TRUE(run["started"].is_string()) << run.dump();
  EXPECT_EQ(run["exit_code"], 0);
}

TEST_F(CliExec, UsageErrorsExit2AndRunNothing) {
  TempDir dir;
  const std::string marker = (dir.path() / "ran").string();
  const std::vector<std::string> job = {"sh", "-c", "touch " + marker};
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  std::vector<Case> cases = {
      {{"exec", "--heartbeat", "usage", "--url", base()}, "command is required"},
      {{"exec", "--url", base(), "--", "true"}, "--heartbeat is required"},
      {exec_args("back up", job), "hale exec: heartbeat name \"back up\": a name starts with a letter or a digit"},
      {exec_args("a/b", job), "a name starts with a letter or a digit"},
      {{"exec", "--heartbeat", "usage", "--url", "127.0.0.1:" + std::to_string(daemon().port()), "--", "true"},
       "hale exec: --url \"127.0.0.1:" + std::to_string(daemon().port()) + "\" is not an http:// or https:// URL"},
  };
  for (const auto& c : cases) {
    auto r = run_exec(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.err;
    EXPECT_NE(r.err.find(c.err), std::string::npos) << r.err;
  }
  auto bad_env = run_hale({"exec", "--heartbeat", "usage", "--", "true"}, 30s,
                          {{"HALE_URL", "https://ops:pw@/x"}, {"HALE_PING_TOKEN", ""}});
  EXPECT_EQ(bad_env.exit_code, 2);
  EXPECT_EQ(bad_env.err, "hale exec: HALE_URL \"https://ops:***@/x\" has no host\n");
  EXPECT_FALSE(std::filesystem::exists(marker));
  // Nothing reached the daemon.
  EXPECT_EQ(pings("usage", "start"), 0);
  EXPECT_EQ(pings("usage", "exit_code"), 0);
  EXPECT_EQ(state("usage"), "new");
}

TEST_F(CliExec, ArgumentsAfterTheDoubleDashAreTheJobsEvenIfTheyLookLikeOptions) {
  auto r = run_exec(exec_args("dashdash", {"sh", "-c", "printf '%s|' \"$@\"", "sh", "--heartbeat", "x", "a b", "--"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "--heartbeat|x|a b|--|");
  const json run = last_run("dashdash");
  EXPECT_TRUE(run["started"].is_string()) << run.dump();
  EXPECT_EQ(run["output"], "--heartbeat|x|a b|--|");
}

}  // namespace
}  // namespace hale::testing
