// `hale exec` as cron runs it: the real binary wrapping real commands, pinging a real HTTP
// server on 127.0.0.1 that records what arrives (SPEC §5: /start, the job with its output
// passed through, the exit code with the last 100 KB of output, the job's exit code).
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/hale_process.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using Env = std::vector<std::pair<std::string, std::string>>;

constexpr std::size_t kTail = 102400;

// hale's /ping endpoints for one heartbeat: "OK" to /start and to every exit code.
void serve_heartbeat(TestHttpServer& server, const std::string& name, TestResponse answer = TestResponse::ok("OK")) {
  server.set("/ping/" + name + "/start", answer);
  for (int code = 0; code <= 255; ++code) server.set("/ping/" + name + "/" + std::to_string(code), answer);
}

std::vector<std::string> exec_args(const TestHttpServer& server, const std::string& name,
                                   const std::vector<std::string>& command) {
  std::vector<std::string> args = {"exec", "--heartbeat", name, "--url", server.url(""), "--"};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

// No token, no HALE_URL from the environment the tests run in.
CommandResult run_exec(const std::vector<std::string>& args, Env env = {}) {
  env.emplace_back("HALE_URL", "");
  env.emplace_back("HALE_PING_TOKEN", "");
  return run_hale(args, 30s, env);
}

std::vector<std::string> paths(const TestHttpServer& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests()) out.push_back(r.method + " " + r.path);
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count_lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(CliExec, SuccessSendsStartThenZeroWithTheOutput) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "echo hi"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/backup/start", "POST /ping/backup/0"}));
  auto done = server.last_request("/ping/backup/0");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->body, "hi\n");
  EXPECT_EQ(done->header("Content-Type").value_or(""), "text/plain");
  EXPECT_FALSE(done->header("Authorization"));
}

TEST(CliExec, FailureSendsItsExitCodeAndExitsWithIt) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "echo partial; exit 3"}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "partial\n");
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/backup/start", "POST /ping/backup/3"}));
  EXPECT_EQ(server.last_request("/ping/backup/3")->body, "partial\n");
}

TEST(CliExec, StderrGoesToStderrAndBothStreamsToTheBodyInOrder) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "echo out; echo err >&2; exit 1"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  auto done = server.last_request("/ping/backup/1");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->body, "out\nerr\n");
}

TEST(CliExec, SilentCommandSendsAnEmptyBody) {
  TestHttpServer server;
  serve_heartbeat(server, "quiet");
  auto r = run_exec(exec_args(server, "quiet", {"true"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto done = server.last_request("/ping/quiet/0");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->body, "");
  EXPECT_EQ(done->header("Content-Length").value_or("?"), "0");
}

TEST(CliExec, OutputOver100KbIsPassedThroughWholeAndItsLast102400BytesSent) {
  TestHttpServer server;
  serve_heartbeat(server, "big");
  // 288,894 bytes on stdout, then a last line on stderr.
  auto r = run_exec(exec_args(server, "big", {"sh", "-c", "seq 1 50000; echo end >&2"}));
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 200);
  ASSERT_GT(r.out.size(), 2 * kTail);
  EXPECT_EQ(r.out.substr(r.out.size() - 12), "49999\n50000\n");
  EXPECT_EQ(r.err, "end\n");
  auto done = server.last_request("/ping/big/0");
  ASSERT_TRUE(done);
  const std::string combined = r.out + r.err;
  ASSERT_EQ(done->body.size(), kTail);
  EXPECT_EQ(done->body, combined.substr(combined.size() - kTail));
}

TEST(CliExec, OutputIsPassedThroughAsItComesNotAtTheEnd) {
  TestHttpServer server;
  serve_heartbeat(server, "slow");
  TempDir dir;
  const std::string go = (dir.path() / "go").string();
  TestProcess child(hale_argv(
      exec_args(server, "slow", {"sh", "-c", "echo first; while [ ! -e " + go + " ]; do sleep 0.02; done; echo second"})));
  ASSERT_TRUE(child.wait_for_out("first\n")) << child.err();
  EXPECT_EQ(child.out(), "first\n");  // the job is still running: it waits for `go`
  dir.write("go", "");
  EXPECT_EQ(child.wait_exit(10s), 0) << child.err();
  EXPECT_EQ(child.out(), "first\nsecond\n");
  EXPECT_EQ(server.last_request("/ping/slow/0")->body, "first\nsecond\n");
}

TEST(CliExec, BackgroundProcessHoldingTheOutputDoesNotHoldHaleExec) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  TempDir dir;
  const std::string pid_file = (dir.path() / "pid").string();
  const auto t0 = std::chrono::steady_clock::now();
  // The job exits at once; the sleep it leaves behind keeps its stdout and stderr open for 30 s.
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "sleep 30 & echo $! > " + pid_file + "; echo done"}));
  const auto took = std::chrono::steady_clock::now() - t0;
  const std::string pid = read_text(pid_file);
  if (!pid.empty()) ::kill(std::stoi(pid), SIGKILL);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_LT(took, 10s);
  EXPECT_EQ(server.last_request("/ping/backup/0")->body, "done\n");
}

TEST(CliExec, CommandNotFoundIs127AndSent) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  auto r = run_exec(exec_args(server, "backup", {"/nonexistent/backup.sh", "--full"}));
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "hale exec: cannot run /nonexistent/backup.sh: No such file or directory\n");
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/backup/start", "POST /ping/backup/127"}));
  EXPECT_EQ(server.last_request("/ping/backup/127")->body, r.err);

  // Searched in PATH, as execvp does.
  auto in_path = run_exec(exec_args(server, "backup", {"hale-no-such-command-xyz"}));
  EXPECT_EQ(in_path.exit_code, 127);
  EXPECT_NE(in_path.err.find("cannot run hale-no-such-command-xyz: No such file or directory"), std::string::npos);
}

TEST(CliExec, CommandNotExecutableIs126AndSent) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  TempDir dir;
  const std::string script = dir.write("backup.sh", "#!/bin/sh\necho never\n");
  ::chmod(script.c_str(), 0644);
  auto r = run_exec(exec_args(server, "backup", {script}));
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("cannot run " + script + ": Permission denied"), std::string::npos) << r.err;
  ASSERT_TRUE(server.last_request("/ping/backup/126"));
}

TEST(CliExec, HaleUnreachableStillRunsTheJobKeepsItsCodeAndSaysSoOnce) {
  const auto port = free_port();  // nothing listens there
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto r = run_exec({"exec", "--heartbeat", "backup", "--url", base, "--", "sh", "-c", "echo ran; exit 4"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("hale exec: could not reach hale at " + base + " (", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("; running sh anyway\n"), std::string::npos) << r.err;
}

TEST(CliExec, HaleThatDoesNotAnswerDelaysTheJobAtMostThreeSeconds) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  server.set("/ping/backup/start", TestResponse::hanging());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "echo ran"}));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_LT(took, 8s);
  EXPECT_EQ(r.err.rfind("hale exec: no answer from hale at " + server.url("") + " (", 0), 0u) << r.err;
  EXPECT_EQ(server.last_request("/ping/backup/0")->body, "ran\n");
}

TEST(CliExec, ResultThatWasSentIsNotSentTwice) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  server.set("/ping/backup/0", TestResponse::closing());  // read, then no answer
  auto r = run_exec(exec_args(server, "backup", {"true"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(server.request_count("/ping/backup/0"), 1u);
  EXPECT_NE(r.err.find("hale exec: no answer from hale at "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; exit code 0 not recorded\n"), std::string::npos) << r.err;
}

TEST(CliExec, UnknownHeartbeatStillRunsTheJobAndSaysSoOnce) {
  TestHttpServer server;  // no routes: every ping is a 404
  auto r = run_exec(exec_args(server, "nosuch", {"sh", "-c", "echo ran; exit 5"}));
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(r.err, "hale exec: hale at " + server.url("") +
                       " has no heartbeat named \"nosuch\"; running sh anyway\n");
  // The result is still sent: a reload may have added the heartbeat meanwhile.
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/nosuch/start", "POST /ping/nosuch/5"}));
}

TEST(CliExec, TokenFromTheEnvironmentGoesOnlyIntoTheAuthorizationHeader) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  const std::string token = "tok-s3cret-4242";
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "echo \"job sees ${HALE_PING_TOKEN-no token}\""}),
                    {{"HALE_PING_TOKEN", token}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "job sees no token\n");  // taken out of the job's environment
  ASSERT_EQ(server.requests().size(), 2u);
  for (const auto& req : server.requests()) {
    EXPECT_EQ(req.header("Authorization").value_or(""), "Bearer " + token) << req.path;
    EXPECT_EQ(req.target.find(token), std::string::npos);
  }
  EXPECT_EQ(r.err.find(token), std::string::npos);
}

TEST(CliExec, RefusedTokenStillRunsTheJobAndIsNeverShown) {
  TestHttpServer server;
  serve_heartbeat(server, "backup", TestResponse::with_status(401, "unauthorized"));
  const std::string token = "wrong-t0ken";
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "echo ran"}), {{"HALE_PING_TOKEN", token}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(r.err, "hale exec: hale at " + server.url("") +
                       " refused HALE_PING_TOKEN for heartbeat \"backup\"; running sh anyway\n");
  EXPECT_EQ(server.request_count(), 2u);

  auto without = run_exec(exec_args(server, "backup", {"true"}));
  EXPECT_EQ(without.exit_code, 0);
  EXPECT_NE(without.err.find("wants a token for heartbeat \"backup\" (set HALE_PING_TOKEN)"), std::string::npos)
      << without.err;
}

TEST(CliExec, SigtermIsForwardedToTheJobAnd143Sent) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  TestProcess child(hale_argv(exec_args(server, "backup", {"sh", "-c", "echo ready; exec sleep 30"})));
  ASSERT_TRUE(child.wait_for_out("ready\n")) << child.err();
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  // hale exec outlives the signal (it only passes it on) and reports the job's death.
  EXPECT_EQ(child.wait_exit(10s), 143) << child.err();
  auto done = server.last_request("/ping/backup/143");
  ASSERT_TRUE(done) << child.err();
  EXPECT_EQ(done->body, "ready\n");
}

TEST(CliExec, JobThatHandlesTheSignalIsWaitedForAndItsOwnCodeKept) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  TestProcess child(hale_argv(exec_args(
      server, "backup",
      {"sh", "-c", "trap 'echo cleaning up; exit 7' TERM; echo ready; while :; do sleep 0.05; done"})));
  ASSERT_TRUE(child.wait_for_out("ready\n")) << child.err();
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  EXPECT_EQ(child.wait_exit(10s), 7) << child.err();
  EXPECT_EQ(child.out(), "ready\ncleaning up\n");
  EXPECT_EQ(server.last_request("/ping/backup/7")->body, "ready\ncleaning up\n");
}

TEST(CliExec, BaseUrlFromHaleUrl) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  auto r = run_hale({"exec", "--heartbeat", "backup", "--", "true"}, 30s,
                    {{"HALE_URL", server.url("/")}, {"HALE_PING_TOKEN", ""}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/backup/start", "POST /ping/backup/0"}));
}

TEST(CliExec, LoopbackHaleIsNeverReachedThroughAProxy) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(free_port());
  auto r = run_exec(exec_args(server, "backup", {"true"}), {{"http_proxy", dead_proxy},
                                                            {"HTTP_PROXY", dead_proxy},
                                                            {"all_proxy", dead_proxy},
                                                            {"no_proxy", ""}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/backup/start", "POST /ping/backup/0"}));
}

TEST(CliExec, UsageErrorsExit2AndRunNothing) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  TempDir dir;
  const std::string marker = (dir.path() / "ran").string();
  const std::vector<std::string> job = {"sh", "-c", "touch " + marker};
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  std::vector<Case> cases = {
      {{"exec", "--heartbeat", "backup", "--url", server.url("")}, "command is required"},
      {{"exec", "--url", server.url(""), "--", "true"}, "--heartbeat is required"},
      {exec_args(server, "back up", job), "hale exec: heartbeat name \"back up\": a name starts with a letter or a digit"},
      {exec_args(server, "a/b", job), "a name starts with a letter or a digit"},
      {{"exec", "--heartbeat", "backup", "--url", "127.0.0.1:8099", "--", "true"},
       "hale exec: --url \"127.0.0.1:8099\" is not an http:// or https:// URL"},
  };
  for (const auto& c : cases) {
    auto r = run_exec(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.err;
    EXPECT_NE(r.err.find(c.err), std::string::npos) << r.err;
  }
  auto bad_env = run_hale({"exec", "--heartbeat", "backup", "--", "true"}, 30s,
                          {{"HALE_URL", "https://ops:pw@/x"}, {"HALE_PING_TOKEN", ""}});
  EXPECT_EQ(bad_env.exit_code, 2);
  EXPECT_EQ(bad_env.err, "hale exec: HALE_URL \"https://ops:***@/x\" has no host\n");
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(CliExec, ArgumentsAfterTheDoubleDashAreTheJobsEvenIfTheyLookLikeOptions) {
  TestHttpServer server;
  serve_heartbeat(server, "backup");
  auto r = run_exec(exec_args(server, "backup", {"sh", "-c", "printf '%s|' \"$@\"", "sh", "--heartbeat", "x", "a b", "--"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "--heartbeat|x|a b|--|");
  EXPECT_EQ(paths(server), (std::vector<std::string>{"POST /ping/backup/start", "POST /ping/backup/0"}));
}

}  // namespace
}  // namespace hale::testing
