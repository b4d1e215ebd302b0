// The service commands of the CLI as a user runs them: `hale start|stop|restart|status|logs`
// against the real daemon (`hale run`) supervising real processes (hale_test_child, /bin/sh),
// and each command's effect checked in the daemon itself (GET /api/v1/services/NAME, /proc,
// the log files the supervisor wrote), so that a drift between the CLI and the API shows.
//
// One daemon serves most tests of this file (CliServices::daemon()); each test uses services of
// its own in it, so that the tests do not depend on each other's order. A few tests need a
// daemon configured otherwise (no admin_token, an unusable state_dir, a failing critical check)
// and start their own. One test talks to a fake: a 404 without a JSON error, which no hale that
// has the services API can answer (it stands for an older hale).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/file_text.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/service_helpers.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kToken = "s3cret-token-xyz";

// A service command run by /bin/sh: `script` in a TOML literal string (no single quotes in it).
std::string sh_command(const std::string& script) { return "['/bin/sh', '-c', '" + script + "']"; }

// The whitespace-separated words of the first line of `out` whose first word is `first`; empty
// when there is none (column widths are the table's business).
std::vector<std::string> row(const std::string& out, const std::string& first) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (!w.empty() && w[0] == first) return w;
  }
  return {};
}

// The line of `out` that starts with `first_column` and a space, or "".
std::string line_starting(const std::string& out, const std::string& first_column) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(first_column + " ", 0) == 0) return line;
  }
  return "";
}

// "a b c" of words {a, b, c} from `from` on.
std::string joined(const std::vector<std::string>& words, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The last `n` lines of `text` (every line ends with '\n' but perhaps the last).
std::string last_lines(const std::string& text, std::size_t n) {
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  while (n > 0 && pos > 0) {
    const auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
    if (--n == 0) return text.substr(pos + 1);
  }
  return text;
}

// ---- the daemon most tests share ----

// Services, each for one test:
//   web     ready when it says READY=1, 300 ms after it starts (start/stop)
//   api     running as soon as it runs (restart)
//   steady  never touched but by refused calls and `hale status`
//   crashy  exits 1 300 ms after each start, before it is ready: backoff for an hour (each
//           run writes its pid to a file)
//   slow    never says READY=1: starting for ever (--timeout)
//   logger  prints ten lines "run PID line N" at each start; 1 KB logs, three kept (logs)
//   chatty  prints 20,000 lines and a last one without its newline (a 560 KB log)
//   quiet   prints nothing
//   late    prints "first" once the test writes to its FIFO
// Checks db (up) and openai (refused, not critical); heartbeats for `hale status`.
std::string shared_config(std::uint16_t db_port, std::uint16_t closed_port, const std::string& fifo,
                          const std::string& crashy_pid_file) {
  const std::string child = HALE_TEST_CHILD;
  return std::string("[server]\nlisten = \"127.0.0.1:{PORT}\"\nadmin_token = \"") + kToken +
         "\"\nstate_dir = \"{STATE_DIR}\"\n"
         "\n[checks.db]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(db_port) +
         "\"\ninterval = \"200ms\"\n"
         "\n[checks.openai]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(closed_port) +
         "\"\ninterval = \"200ms\"\nfailure_threshold = 1\ncritical = false\n"
         "\n[services.web]\ncommand = " + child_command({"--notify-ready-after", "300"}) + "\nready = \"notify\"\n" +
         "\n[services.api]\ncommand = " + child_command({}) + "\n" +
         "\n[services.steady]\ncommand = " + child_command({}) + "\n" +
         "\n[services.crashy]\ncommand = " + child_command({"--pid-file", crashy_pid_file, "--exit-after", "300", "--exit-code", "1"}) +
         "\nready = \"notify\"\nbackoff = { base = \"1h\", max = \"1h\", jitter = \"0ms\" }\n" +
         "\n[services.slow]\ncommand = " + child_command({}) + "\nready = \"notify\"\n" +
         "\n[services.logger]\ncommand = " +
         sh_command("for i in 1 2 3 4 5 6 7 8 9 10; do echo \"run $$ line $i: some output of the logger service\"; "
                    "done; exec " + child) +
         "\nlog_max_bytes = 1024\nlog_keep = 3\n" +
         "\n[services.chatty]\ncommand = " +
         sh_command("seq -f \"line %g of the web service\" 1 20000; printf partial; exec " + child) + "\n" +
         "\n[services.quiet]\ncommand = " + child_command({}) + "\n" +
         "\n[services.late]\ncommand = " + sh_command("read go < " + fifo + "; echo first; exec " + child) + "\n" +
         "\n[heartbeats.backup]\nperiod = \"1h\"\nrequire_output = true\ncritical = false\n"
         "\n[heartbeats.report]\nperiod = \"1s\"\ngrace = \"1h\"\n"
         "\n[heartbeats.sync]\nperiod = \"1h\"\n";
}

struct SharedDaemon {
  TcpListener db;
  TempDir dir;
  std::string fifo = (dir.path() / "late.fifo").string();
  std::string crashy_pid_file = (dir.path() / "crashy.pid").string();
  std::unique_ptr<HaleProcess> hale;
};

class CliServices : public ::testing::Test {
 protected:
  // Started by the first test that asks for it, stopped after the last test of the file.
  static HaleProcess& daemon() {
    if (!shared_) {
      shared_ = std::make_unique<SharedDaemon>();
      EXPECT_EQ(::mkfifo(shared_->fifo.c_str(), 0600), 0);
      shared_->hale = std::make_unique<HaleProcess>(
          shared_config(shared_->db.port(), closed_loopback_port(), shared_->fifo, shared_->crashy_pid_file));
      EXPECT_TRUE(shared_->hale->start()) << shared_->hale->log();
    }
    return *shared_->hale;
  }
  static const std::string& late_fifo() { return shared_->fifo; }
  static const std::string& crashy_pid_file() { return shared_->crashy_pid_file; }
  static void TearDownTestSuite() { shared_.reset(); }

  // `hale ARGS... -c <the shared daemon's config>`.
  static CommandResult cli(std::vector<std::string> args, const std::string& config = "") {
    args.insert(args.end(), {"-c", config.empty() ? daemon().config_path() : config});
    return run_hale(args);
  }
  static std::string address() { return "127.0.0.1:" + std::to_string(daemon().port()); }
  // Waits until service `name` of the shared daemon is in `state`; its JSON then.
  static json wait_for_state(const std::string& name, const std::string& state) {
    json j;
    EXPECT_TRUE(eventually([&] {
      j = service_state(daemon(), name);
      return j.is_object() && j.value("state", "") == state;
    })) << name << ": " << j.dump() << "\n" << daemon().log();
    return j;
  }

 private:
  static inline std::unique_ptr<SharedDaemon> shared_;
};

// ---- start / stop / restart ----

TEST_F(CliServices, StopEndsTheProcessAndStartBringsItBackReady) {
  const json ready = wait_for_state("web", "ready");
  ASSERT_TRUE(ready["pid"].is_number()) << ready.dump();
  const pid_t first = ready["pid"].get<pid_t>();
  ASSERT_TRUE(running(first));

  // Stop waits until the daemon says stopped, and shows how the process ended (hale_test_child
  // exits 0 on SIGTERM).
  auto r = cli({"stop", "web"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "web: stopped (exit code 0)\n");
  EXPECT_EQ(r.err, "");
  json j = service_state(daemon(), "web");
  EXPECT_EQ(j["state"], "stopped") << j.dump();
  EXPECT_EQ(j["wanted"], "stop") << j.dump();
  EXPECT_TRUE(j["pid"].is_null()) << j.dump();
  EXPECT_EQ(j["last_exit"]["code"], 0) << j.dump();
  EXPECT_TRUE(eventually([&] { return !running(first); })) << "the process outlived hale stop";

  // Stopped already: the daemon's 409, in its words.
  r = cli({"stop", "web"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: cannot stop web: web is already stopped\n");

  // Start polls through "starting" (300 ms until READY=1) until ready, and names the new pid.
  r = cli({"start", "web"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  j = service_state(daemon(), "web");
  EXPECT_EQ(j["state"], "ready") << j.dump();
  EXPECT_EQ(j["wanted"], "start") << j.dump();
  ASSERT_TRUE(j["pid"].is_number()) << j.dump();
  const pid_t second = j["pid"].get<pid_t>();
  EXPECT_NE(second, first);
  EXPECT_TRUE(running(second));
  EXPECT_EQ(r.out, "web: ready (pid " + std::to_string(second) + ")\n");
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);

  r = cli({"start", "web"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: cannot start web: web is already ready\n");
  EXPECT_EQ(pid_of(daemon(), "web"), second) << "a refused start touched the process";
}

TEST_F(CliServices, RestartReplacesTheProcessAndNoWaitReturnsAtOnce) {
  const json before = wait_for_state("api", "running");
  const pid_t first = before["pid"].get<pid_t>();

  auto r = cli({"restart", "api"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = service_state(daemon(), "api");
  EXPECT_EQ(j["state"], "running") << j.dump();
  ASSERT_TRUE(j["pid"].is_number()) << j.dump();
  const pid_t second = j["pid"].get<pid_t>();
  EXPECT_NE(second, first) << "restart printed before the old process was replaced";
  EXPECT_EQ(r.out, "api: running (pid " + std::to_string(second) + ")\n");
  EXPECT_TRUE(eventually([&] { return !running(first); }));
  EXPECT_TRUE(running(second));

  // --no-wait: the state the daemon answered the POST with; the restart goes on without us.
  r = cli({"restart", "api", "--no-wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "api: stopping\n");
  std::optional<pid_t> third;
  EXPECT_TRUE(eventually([&] {
    third = pid_of(daemon(), "api");
    return third && *third != second && state_of(daemon(), "api") == "running";
  })) << service_state(daemon(), "api").dump();
  EXPECT_TRUE(eventually([&] { return !running(second); }));
}

TEST_F(CliServices, RestartThatCrashesFailsWithTheDaemonsReason) {
  const json before = wait_for_state("crashy", "backoff");
  EXPECT_EQ(before["last_exit"]["code"], 1) << before.dump();
  const auto first = read_pid_file(crashy_pid_file());
  ASSERT_TRUE(first.has_value());

  auto r = cli({"restart", "crashy"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const json j = service_state(daemon(), "crashy");
  EXPECT_EQ(j["state"], "backoff") << j.dump();
  EXPECT_EQ(j["last_exit"]["code"], 1) << j.dump();
  const auto second = read_pid_file(crashy_pid_file());
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(*second, *first) << "the restart did not run the service again";
  EXPECT_FALSE(running(*second));
  // The daemon's own reason, after the CLI's words.
  EXPECT_EQ(r.err, "hale: crashy did not restart: backoff: " + j["reason"].get<std::string>() + "\n");
  EXPECT_TRUE(contains(r.err, "exit code 1")) << r.err;
}

TEST_F(CliServices, TimeoutPrintsTheStateTheServiceIsStillIn) {
  const json before = wait_for_state("slow", "starting");
  const pid_t first = before["pid"].get<pid_t>();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = cli({"restart", "slow", "--timeout", "600ms"});
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.err, "hale: slow is still starting: waiting for READY=1 after 600ms\n");
  EXPECT_GE(took, 600ms);
  // It was restarted all the same: a new process, still waiting.
  const json j = service_state(daemon(), "slow");
  EXPECT_EQ(j["state"], "starting") << j.dump();
  EXPECT_EQ(j["reason"], "waiting for READY=1") << j.dump();
  ASSERT_TRUE(j["pid"].is_number()) << j.dump();
  EXPECT_NE(j["pid"].get<pid_t>(), first);
}

TEST_F(CliServices, RefusalsLeaveTheServiceAsItWas) {
  const json before = wait_for_state("steady", "running");
  const pid_t pid = before["pid"].get<pid_t>();
  TempDir other;
  const std::string listen = "[server]\nlisten = \"127.0.0.1:" + std::to_string(daemon().port()) + "\"\n";

  // A wrong token: the daemon's 401; the token is never shown.
  const std::string wrong = other.write("wrong.toml", listen + "admin_token = \"not-the-token\"\n");
  auto r = cli({"stop", "steady"}, wrong);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + address() + " refused the admin token from " + wrong +
                       " (401); does server.admin_token match the daemon's?\n");
  EXPECT_EQ(r.err.find("not-the-token"), std::string::npos);

  // No token in the config: the daemon's 401, said as what is missing.
  const std::string none = other.write("none.toml", listen);
  r = cli({"restart", "steady"}, none);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: " + none + " has no server.admin_token, and the daemon at " + address() +
                       " wants one for restart (401)\n");

  // A name the daemon does not know: a usage error.
  r = cli({"start", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no service named \"nope\" (the daemon at " + address() + " does not know it)\n");

  // A wildcard listen is reached over loopback: the same daemon answers.
  const std::string wildcard = other.write(
      "wildcard.toml", "[server]\nlisten = \"0.0.0.0:" + std::to_string(daemon().port()) + "\"\nadmin_token = \"" +
                           kToken + "\"\n");
  r = cli({"stop", "nope"}, wildcard);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no service named \"nope\" (the daemon at " + address() + " does not know it)\n");

  const json after = service_state(daemon(), "steady");
  EXPECT_EQ(after["state"], "running") << after.dump();
  EXPECT_EQ(after["wanted"], "start") << after.dump();
  EXPECT_EQ(after["pid"], pid) << after.dump();
  EXPECT_TRUE(running(pid));
}

TEST(CliServicesDaemon, WithoutAdminTokenActionsAreDisabled) {
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\nstate_dir = \"{STATE_DIR}\"\n\n[services.web]\ncommand = " +
                   child_command({}) + "\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> pid;
  ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "web")).has_value(); })) << hale.log();
  for (const char* action : {"stop", "restart"}) {
    auto r = run_hale({action, "web", "-c", hale.config_path()});
    EXPECT_EQ(r.exit_code, 1) << action;
    EXPECT_EQ(r.err, "hale: the daemon at 127.0.0.1:" + std::to_string(hale.port()) +
                         " has no admin_token, so start, stop and restart are disabled (403); set "
                         "server.admin_token in its config\n")
        << action;
  }
  EXPECT_EQ(state_of(hale, "web"), "running");
  EXPECT_EQ(pid_of(hale, "web"), pid);
  EXPECT_TRUE(running(*pid));
}

TEST(CliServicesDaemon, AnIntentTheDaemonCannotRecordIsItsOwnError) {
  // state_dir under a regular file: the daemon runs its services, but an operator's stop cannot
  // be made durable (SPEC §4), so it answers 500 and the CLI passes its message on.
  TempDir dir;
  const std::string blocker = dir.write("blocker", "");
  HaleProcess hale(std::string("[server]\nlisten = \"127.0.0.1:{PORT}\"\nadmin_token = \"") + kToken +
                   "\"\nstate_dir = \"" + blocker + "/state\"\n\n[services.web]\ncommand = " + child_command({}) + "\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  std::optional<pid_t> pid;
  ASSERT_TRUE(eventually([&] { return (pid = pid_of(hale, "web")).has_value(); })) << hale.log();
  auto r = run_hale({"stop", "web", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at 127.0.0.1:" + std::to_string(hale.port()) +
                       " answered 500 to stop web: the state store (state_dir) is not available, so the intent "
                       "could not be recorded\n");
  EXPECT_EQ(state_of(hale, "web"), "running");
  EXPECT_EQ(pid_of(hale, "web"), pid);
}

TEST(CliServicesFake, A404WithoutAJsonErrorIsAnOlderHale) {
  // Fake: every hale with a services API answers an unknown path with a JSON error; a bare 404
  // comes only from something older (or not hale at all), which no test can start.
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = dir.write("hale.toml", "[server]\nlisten = \"127.0.0.1:" + std::to_string(fake.port()) +
                                              "\"\nadmin_token = \"" + kToken + "\"\n");
  auto r = run_hale({"start", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at 127.0.0.1:" + std::to_string(fake.port()) +
                       " has no services API (404); is it an older hale?\n");
}

TEST(CliServicesDaemon, NoDaemonRunningIsOneClearLine) {
  TempDir dir;
  const std::string at = "127.0.0.1:" + std::to_string(closed_loopback_port());
  const auto cfg = dir.write("hale.toml", "[server]\nlisten = \"" + at + "\"\nadmin_token = \"" + kToken + "\"\n");
  const std::string expected = "hale: no hale daemon answers at " + at + " (listen from " + cfg +
                               "); is \"hale run -c " + cfg + "\" running?\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"start", "api", "-c", cfg}, std::vector<std::string>{"status", "-c", cfg}}) {
    auto r = run_hale(args, std::chrono::seconds(15));
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_EQ(r.err, expected) << args[0];
    EXPECT_EQ(r.err.find(kToken), std::string::npos);
  }
}

TEST(CliServicesDaemon, BadUsageAndBadConfigExit2) {
  TempDir dir;
  const auto cfg = dir.write("hale.toml", "[server]\nlisten = \"127.0.0.1:" + std::to_string(closed_loopback_port()) +
                                              "\"\n");
  // Usage errors are found before any connection: not "no hale daemon answers".
  auto bad_timeout = run_hale({"start", "api", "-c", cfg, "--timeout", "soon"});
  EXPECT_EQ(bad_timeout.exit_code, 2);
  EXPECT_EQ(bad_timeout.err, "hale start: invalid --timeout \"soon\" (e.g. 10s, 2m)\n");
  EXPECT_EQ(run_hale({"start", "-c", cfg}).exit_code, 2);  // NAME missing
  const auto broken = dir.write("broken.toml", "[server]\nlisten = 8099\n");
  auto r = run_hale({"status", "-c", broken});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(broken + ":2:"), std::string::npos) << r.err;
}

TEST(CliServicesDaemon, HelpListsTheServiceCommands) {
  auto h = run_hale({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* word : {"start ", "stop ", "restart ", "status ", "logs ", "hale logs api -f"}) {
    EXPECT_NE(h.out.find(word), std::string::npos) << word;
  }
  EXPECT_EQ(run_hale({"logs", "web", "-n", "-1"}).exit_code, 2);
  EXPECT_EQ(run_hale({"logs"}).exit_code, 2);
}

// ---- status ----

TEST_F(CliServices, StatusPrintsTheDaemonsChecksServicesAndHeartbeats) {
  HaleProcess& hale = daemon();
  // The heartbeats' runs: backup succeeded without output (down), report is overdue a second
  // after its ping (late), sync succeeded (up).
  ASSERT_EQ(http_request("POST", hale.url("/ping/backup"), {}, "").status, 200);
  ASSERT_EQ(http_request("POST", hale.url("/ping/report"), {}, "report sent").status, 200);
  ASSERT_EQ(http_request("POST", hale.url("/ping/sync"), {}, "synced").status, 200);
  const json steady = wait_for_state("steady", "running");
  wait_for_state("crashy", "backoff");

  CommandResult r;
  ASSERT_TRUE(eventually([&] {
    r = cli({"status"});
    return row(r.out, "report").size() > 1 && row(r.out, "report")[1] == "late" && row(r.out, "openai").size() > 1 &&
           row(r.out, "openai")[1] == "fail" && row(r.out, "db").size() > 1 && row(r.out, "db")[1] == "ok";
  })) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0) << "degraded is healthy enough: " << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("hale at " + address() + ": degraded (up ", 0), 0u) << r.out;
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "no colour when stdout is not a terminal";

  // Checks: db answers (its latency), openai is refused (since when, why).
  EXPECT_EQ(joined(row(r.out, "CHECK")), "CHECK STATUS LATENCY SINCE DETAIL");
  const auto db = row(r.out, "db");
  ASSERT_EQ(db.size(), 4u) << r.out;
  EXPECT_TRUE(db[2].ends_with("ms")) << db[2];
  EXPECT_EQ(db[3], "-") << r.out;
  const auto openai = row(r.out, "openai");
  ASSERT_GE(openai.size(), 5u) << r.out;
  EXPECT_EQ(openai[4], "ago") << r.out;
  EXPECT_TRUE(contains(joined(openai, 5), "refused")) << r.out;
  // Columns line up: STATUS starts at the same offset in the header and every row.
  const auto col = line_starting(r.out, "CHECK").find("STATUS");
  EXPECT_EQ(line_starting(r.out, "db").find("ok"), col);
  EXPECT_EQ(line_starting(r.out, "openai").find("fail"), col);

  // Services: the pid and restarts the daemon has, and why crashy waits.
  EXPECT_EQ(joined(row(r.out, "SERVICE")), "SERVICE STATE PID RESTARTS UP/NEXT DETAIL");
  const auto st = row(r.out, "steady");
  ASSERT_GE(st.size(), 6u) << r.out;
  EXPECT_EQ(st[1], "running") << r.out;
  EXPECT_EQ(st[2], std::to_string(steady["pid"].get<int>()));
  EXPECT_EQ(st[3], "0") << r.out;
  EXPECT_EQ(st[4], "up") << r.out;
  const json crashy = service_state(hale, "crashy");
  const auto cr = row(r.out, "crashy");
  ASSERT_GE(cr.size(), 7u) << r.out;
  EXPECT_EQ(cr[1], "backoff") << r.out;
  EXPECT_EQ(cr[2], "-") << r.out;
  EXPECT_EQ(cr[3], std::to_string(crashy["restarts"].get<int>()));
  EXPECT_EQ(cr[4] + " " + cr[5], "restart in");
  EXPECT_TRUE(contains(joined(cr, 7), "exit code 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "\nno orphans: ")) << r.out;

  // Heartbeats: last ping, next run, and why.
  EXPECT_EQ(joined(row(r.out, "HEARTBEAT")), "HEARTBEAT STATE LAST PING NEXT RUN DETAIL");
  const auto backup = row(r.out, "backup");
  ASSERT_GE(backup.size(), 6u) << r.out;
  EXPECT_EQ(backup[1], "down") << r.out;
  EXPECT_EQ(backup[3], "ago") << r.out;
  EXPECT_EQ(backup[4], "in") << r.out;
  EXPECT_TRUE(r.out.find("completed with no output\n") != std::string::npos) << r.out;
  const auto report = row(r.out, "report");
  ASSERT_GE(report.size(), 8u) << r.out;
  EXPECT_EQ(report[3], "ago") << r.out;
  EXPECT_EQ(report[5], "overdue") << r.out;
  EXPECT_EQ(report[6] + " " + report[7], "late: expected") << r.out;
  const auto sync = row(r.out, "sync");
  ASSERT_GE(sync.size(), 8u) << r.out;
  EXPECT_EQ(sync[1], "up") << r.out;
  EXPECT_EQ(sync[4], "in") << r.out;
  EXPECT_EQ(joined(sync, 6), "last run: success") << r.out;
}

TEST(CliServicesDaemon, StatusOfAFailingDaemonWithoutServicesExits1) {
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\n[checks.down]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
                   std::to_string(closed_loopback_port()) + "\"\ninterval = \"100ms\"\nfailure_threshold = 1\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  CommandResult r;
  const bool failed = eventually([&] {
    r = run_hale({"status", "-c", hale.config_path()});
    return r.exit_code == 1 && row(r.out, "down").size() > 1 && row(r.out, "down")[1] == "fail";
  });
  ASSERT_TRUE(failed) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("hale at 127.0.0.1:" + std::to_string(hale.port()) + ": fail (up ", 0), 0u) << r.out;
  EXPECT_EQ(r.out.find("SERVICE"), std::string::npos) << "no services table without services: " << r.out;
  EXPECT_EQ(r.out.find("HEARTBEAT"), std::string::npos) << r.out;
}

TEST(CliServicesDaemon, StatusShowsWhatAPingSentWithItsControlCharactersEscaped) {
  // Issue 17: an unauthenticated ping whose body matches fail_if_output_matches put its line,
  // ESC and NUL included, raw into `hale status`: it could erase lines and draw a fake row.
  TempDir state;
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\nstate_dir = \"" + state.path().string() +
                   "\"\n\n[heartbeats.job]\nperiod = \"1h\"\nfail_if_output_matches = \"FAIL\"\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::string payload = std::string("\x1b[2K\x1b[1Ajob up success") + '\0' + "\x9b" "2J FAIL\r\n";
  ASSERT_EQ(http_request("POST", hale.url("/ping/job"), {}, payload).status, 200);
  CommandResult r;
  ASSERT_TRUE(eventually([&] {
    r = run_hale({"status", "-c", hale.config_path()});
    return line_starting(r.out, "job").find("down") != std::string::npos;
  })) << r.out << r.err;
  for (char c : {'\x1b', '\0', '\r'}) {
    EXPECT_EQ(r.out.find(c), std::string::npos) << "a raw control character reached the terminal: " << r.out;
  }
  EXPECT_EQ(r.out.find("\x9b"), std::string::npos) << "a raw 8-bit CSI reached the terminal";
  EXPECT_NE(r.out.find("\\e[2K\\e[1Ajob up success\\x00"), std::string::npos) << r.out;
}

// ---- logs: what the supervisor wrote ----

// What one run of `logger` prints: ten lines naming its pid.
std::string logger_run(pid_t pid) {
  std::string out;
  for (int i = 1; i <= 10; ++i) {
    out += "run " + std::to_string(pid) + " line " + std::to_string(i) + ": some output of the logger service\n";
  }
  return out;
}

class CliServicesLogs : public CliServices {
 protected:
  static fs::path logs() { return fs::path(daemon().state_dir()) / "logs"; }
  // Everything the supervisor kept of `name`'s output, oldest first.
  static std::string kept(const std::string& name) {
    std::string out;
    for (const char* suffix : {".log.3", ".log.2", ".log.1", ".log"}) out += file_text(logs() / (name + suffix));
    return out;
  }
  // Waits until logger runs and its run's output is in its logs (perhaps across a rotation); its
  // pid.
  static pid_t logger_settled() {
    wait_for_state("logger", "running");
    const pid_t pid = pid_of(daemon(), "logger").value_or(-1);
    EXPECT_TRUE(eventually([&] { return kept("logger").ends_with(logger_run(pid)); }))
        << pid << ": " << kept("logger");
    return pid;
  }
  // Restarts logger through the API; the new run's pid once its output is in the log.
  static pid_t restart_logger() {
    const auto before = pid_of(daemon(), "logger");
    EXPECT_EQ(service_action(daemon(), "logger", "restart", kToken).status, 200);
    EXPECT_TRUE(eventually([&] {
      const auto now = pid_of(daemon(), "logger");
      return now && now != before && state_of(daemon(), "logger") == "running";
    })) << service_state(daemon(), "logger").dump();
    return logger_settled();
  }
  static ino_t inode(const fs::path& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
  }
};

TEST_F(CliServicesLogs, LastLinesComeFromTheServiceAndContinueIntoRotatedFiles) {
  // 500 bytes a run, 1 KB files: a few restarts fill logger.log, logger.log.1 and .2.
  pid_t pid = logger_settled();
  for (int i = 0; i < 12 && !fs::exists(logs() / "logger.log.2"); ++i) pid = restart_logger();
  ASSERT_TRUE(fs::exists(logs() / "logger.log.2")) << "the supervisor did not rotate";

  const std::string written = kept("logger");
  auto r = cli({"logs", "logger", "-n", "1000"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, written);
  EXPECT_TRUE(r.out.ends_with(logger_run(pid))) << "the latest run is last";
  // More lines than logger.log holds: the rest from logger.log.1.
  const std::string current = file_text(logs() / "logger.log");
  const auto in_current = static_cast<std::size_t>(std::count(current.begin(), current.end(), '\n'));
  r = cli({"logs", "logger", "-n", std::to_string(in_current + 3)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, last_lines(written, in_current + 3));
  EXPECT_EQ(cli({"logs", "logger", "-n", "1"}).out, last_lines(written, 1));
  EXPECT_EQ(cli({"logs", "logger"}).out, last_lines(written, 50)) << "50 lines by default";
}

TEST_F(CliServicesLogs, TailOfALogLargerThanOneReadChunkAndItsUnfinishedLine) {
  // chatty printed 20,000 lines (~560 KB) and "partial" without a newline, then went on running.
  wait_for_state("chatty", "running");
  ASSERT_TRUE(eventually([&] { return file_text(logs() / "chatty.log").ends_with("\npartial"); }))
      << file_text(logs() / "chatty.log").size();
  auto three = cli({"logs", "chatty", "-n", "3"});
  EXPECT_EQ(three.exit_code, 0) << three.err;
  EXPECT_EQ(three.out, "line 19999 of the web service\nline 20000 of the web service\npartial");
  auto many = cli({"logs", "chatty", "-n", "5000"});
  EXPECT_EQ(std::count(many.out.begin(), many.out.end(), '\n'), 4999);
  EXPECT_EQ(many.out.rfind("line 15002 of the web service\n", 0), 0u) << many.out.substr(0, 80);
}

TEST_F(CliServicesLogs, AnUnknownServiceExits2AndAServiceWithoutOutputSaysSo) {
  auto r = cli({"logs", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("hale: no service named \"nope\" in " + daemon().config_path(), 0), 0u) << r.err;

  // quiet runs and has printed nothing: the supervisor has made no file for it.
  wait_for_state("quiet", "running");
  r = cli({"logs", "quiet"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "no output from quiet yet (" + (logs() / "quiet.log").string() + " does not exist)\n");
}

TEST_F(CliServicesLogs, FollowPrintsEachRunAsTheSupervisorWritesItAcrossRotations) {
  const pid_t first = logger_settled();
  const ino_t inode_before = inode(logs() / "logger.log");
  TestProcess follow(hale_argv({"logs", "logger", "-f", "-n", "1", "-c", daemon().config_path()}));
  std::string expected = last_lines(logger_run(first), 1);
  ASSERT_TRUE(follow.wait_for_out(expected)) << follow.out() << follow.err();
  // Runs until the supervisor has rotated logger.log at least once, and one more.
  bool rotated = false;
  for (int i = 0; i < 8 && !rotated; ++i) {
    const pid_t pid = restart_logger();
    expected += logger_run(pid);
    ASSERT_TRUE(follow.wait_for_out(expected)) << "expected:\n" << expected << "got:\n" << follow.out();
    rotated = inode(logs() / "logger.log") != inode_before;
  }
  ASSERT_TRUE(rotated) << "the supervisor did not rotate logger.log";
  expected += logger_run(restart_logger());
  ASSERT_TRUE(follow.wait_for_out(expected)) << "expected:\n" << expected << "got:\n" << follow.out();
  EXPECT_EQ(follow.out(), expected) << "a line lost or repeated";
  EXPECT_TRUE(follow.stop(SIGTERM).has_value());
}

TEST_F(CliServicesLogs, FollowStartsOverWhenTheLogIsTruncatedUnderTheSupervisor) {
  // What logrotate's copytruncate does: the supervisor goes on appending to the emptied file. A
  // poll-based follower (as tail -F) sees a truncation when the file is shorter than where it
  // was: logger.log holds more than one run before it is emptied, so that the run after it never
  // reaches that offset between two polls.
  // The file is made longer than one run by hand (logger is idle after its ten lines): growing it
  // by restarts depends on where the 1 KB rotation falls, which a slow machine moved (TSan).
  const pid_t first = logger_settled();
  std::string padding;
  for (int i = 1; i <= 12; ++i) padding += "padding line " + std::to_string(i) + " written by the test\n";
  std::ofstream(logs() / "logger.log", std::ios::app) << padding;
  ASSERT_GT(fs::file_size(logs() / "logger.log"), logger_run(first).size() + 50);
  TestProcess follow(hale_argv({"logs", "logger", "-f", "-n", "1", "-c", daemon().config_path()}));
  std::string expected = last_lines(padding, 1);
  ASSERT_TRUE(follow.wait_for_out(expected)) << follow.out() << follow.err();
  fs::resize_file(logs() / "logger.log", 0);
  expected += logger_run(restart_logger());
  ASSERT_TRUE(follow.wait_for_out(expected)) << "expected:\n" << expected << "got:\n" << follow.out();
  EXPECT_EQ(follow.out(), expected);
  EXPECT_TRUE(follow.stop(SIGTERM).has_value());
}

TEST_F(CliServicesLogs, FollowWaitsForTheServicesFirstOutput) {
  wait_for_state("late", "running");
  ASSERT_FALSE(fs::exists(logs() / "late.log"));
  TestProcess follow(hale_argv({"logs", "late", "-f", "-c", daemon().config_path()}));
  ASSERT_TRUE(eventually([&] { return contains(follow.err(), "no output from late yet"); })) << follow.err();
  // late reads a line from its FIFO, then prints "first".
  int fd = -1;
  ASSERT_TRUE(eventually([&] { return (fd = ::open(late_fifo().c_str(), O_WRONLY | O_NONBLOCK)) >= 0; }));
  ASSERT_EQ(::write(fd, "go\n", 3), 3);
  ::close(fd);
  ASSERT_TRUE(follow.wait_for_out("first\n")) << follow.out() << follow.err();
  EXPECT_EQ(follow.out(), "first\n");
  EXPECT_TRUE(follow.stop(SIGTERM).has_value());
}

}  // namespace
}  // namespace hale::testing
