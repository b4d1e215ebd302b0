// The service commands of the CLI as a user runs them: start / stop / restart and status against
// a loopback fake of the daemon's API (canned JSON on the routes of SPEC §4), and logs against
// files written here the way the supervisor rotates them.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "hale/config.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_process.h"

namespace hale::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "s3cret-token-xyz";
const std::string kApi = "/api/v1/services/api";

// hale.toml whose [server] listen points at `port`; `server_extra` goes into [server] too.
std::string write_config(const TempDir& dir, const std::string& listen,
                         const std::string& server_extra = std::string("admin_token = \"") + kToken + "\"\n") {
  return dir.write("hale.toml", "[server]\nlisten = \"" + listen + "\"\n" + server_extra);
}

std::string loopback(const TestHttpServer& s) { return "127.0.0.1:" + std::to_string(s.port()); }

TestResponse json_answer(int status, const json& body) {
  return TestResponse::with_status(status, body.dump()).header("Content-Type", "application/json");
}

json service(const std::string& state, const json& pid = nullptr, const std::string& reason = "") {
  return {{"name", "api"},
          {"state", state},
          {"reason", reason},
          {"wanted", state == "stopped" || state == "stopping" ? "stop" : "start"},
          {"pid", pid},
          {"restarts", 0},
          {"restarts_by_reason", json::object()},
          {"last_exit", nullptr},
          {"next_restart_at", nullptr},
          {"budget_left", 5},
          {"since", "2026-04-18T17:59:00Z"},
          {"started_at", nullptr},
          {"liveness", nullptr},
          {"readiness", nullptr},
          {"status_text", nullptr}};
}

json action_answer(const std::string& action, const std::string& state) {
  return {{"name", "api"}, {"action", action}, {"state", state}};
}

json api_error(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

// ---- start / stop / restart ----

TEST(CliServices, StartPostsWithTokenAndPollsUntilReady) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/start", json_answer(200, action_answer("start", "starting")));
  fake.set(kApi, json_answer(200, service("starting", 1234, "waiting for readiness check api")));
  // The service turns ready only after the CLI has seen "starting" three times.
  std::thread flip([&] {
    eventually([&] { return fake.request_count(kApi) >= 3; });
    fake.set(kApi, json_answer(200, service("ready", 1234)));
  });
  auto r = run_hale({"start", "api", "-c", cfg});
  flip.join();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "api: ready (pid 1234)\n");
  EXPECT_GE(fake.request_count(kApi), 4u);
  EXPECT_EQ(fake.request_count(kApi + "/start"), 1u);
  auto post = fake.last_request(kApi + "/start");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->method, "POST");
  EXPECT_EQ(post->header("Authorization").value_or(""), std::string("Bearer ") + kToken);
  auto get = fake.last_request(kApi);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->method, "GET");
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
}

TEST(CliServices, StopWaitsUntilStoppedAndShowsHowItEnded) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/stop", json_answer(200, action_answer("stop", "stopping")));
  fake.set(kApi, json_answer(200, service("stopping", 1234)));
  std::thread flip([&] {
    eventually([&] { return fake.request_count(kApi) >= 2; });
    json stopped = service("stopped");
    stopped["last_exit"] = {{"code", nullptr}, {"signal", "SIGTERM"}, {"at", "2026-04-18T17:59:30Z"}};
    fake.set(kApi, json_answer(200, stopped));
  });
  auto r = run_hale({"stop", "api", "-c", cfg});
  flip.join();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "api: stopped (signal SIGTERM)\n");
  EXPECT_GE(fake.request_count(kApi), 3u);
}

TEST(CliServices, NoWaitReturnsTheStateFromThePost) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/restart", json_answer(200, action_answer("restart", "stopping")));
  auto r = run_hale({"restart", "api", "-c", cfg, "--no-wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "api: stopping\n");
  EXPECT_EQ(fake.request_count(kApi + "/restart"), 1u);
  EXPECT_EQ(fake.request_count(kApi), 0u);
}

TEST(CliServices, RestartFailsWhenTheServiceLandsInBackoff) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/restart", json_answer(200, action_answer("restart", "stopping")));
  fake.set(kApi, json_answer(200, service("backoff", nullptr, "crashed: exit code 1; restarting in 2s")));
  auto r = run_hale({"restart", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "hale: api did not restart: backoff: crashed: exit code 1; restarting in 2s\n");
}

TEST(CliServices, TimeoutPrintsTheCurrentState) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/start", json_answer(200, action_answer("start", "starting")));
  fake.set(kApi, json_answer(200, service("starting", 77, "waiting for readiness check api")));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_hale({"start", "api", "-c", cfg, "--timeout", "600ms"});
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: api is still starting: waiting for readiness check api after 600ms\n");
  EXPECT_GE(took, std::chrono::milliseconds(600));
  EXPECT_LT(took, std::chrono::seconds(5));
  // Polled about every 100 ms: several times, not a busy loop.
  EXPECT_GE(fake.request_count(kApi), 3u);
  EXPECT_LE(fake.request_count(kApi), 12u);
}

TEST(CliServices, WrongTokenIs401WithoutShowingTheToken) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/stop", json_answer(401, api_error("unauthorized", "missing or wrong bearer token")));
  auto r = run_hale({"stop", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refused the admin token from " + cfg + " (401)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(kToken), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(fake.request_count(kApi), 0u);
}

TEST(CliServices, MissingTokenIs401AndSaysTheConfigHasNone) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake), "");
  fake.set(kApi + "/start", json_answer(401, api_error("unauthorized", "missing bearer token")));
  auto r = run_hale({"start", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + " has no server.admin_token"), std::string::npos) << r.err;
  auto post = fake.last_request(kApi + "/start");
  ASSERT_TRUE(post);
  EXPECT_FALSE(post->header("Authorization").has_value());
}

TEST(CliServices, ApiDisabledIs403) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/restart", json_answer(403, api_error("api_disabled", "the admin API is disabled")));
  auto r = run_hale({"restart", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("start, stop and restart are disabled (403)"), std::string::npos) << r.err;
}

TEST(CliServices, UnknownServiceIs404AndExit2) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set("/api/v1/services/nope/start", json_answer(404, api_error("not_found", "no service named \"nope\"")));
  auto r = run_hale({"start", "nope", "-c", cfg});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no service named \"nope\" (the daemon at " + loopback(fake) + " does not know it)\n");
}

TEST(CliServices, DaemonWithoutServicesApiIsNotAnUnknownService) {
  TestHttpServer fake;  // every path answers 404 without a JSON error, like an older hale
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  auto r = run_hale({"start", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has no services API (404)"), std::string::npos) << r.err;
}

TEST(CliServices, ConflictIs409WithTheDaemonsMessage) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set(kApi + "/start", json_answer(409, api_error("conflict", "api is already running")));
  auto r = run_hale({"start", "api", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: cannot start api: api is already running\n");
  EXPECT_EQ(fake.request_count(kApi), 0u);
}

TEST(CliServices, NoDaemonRunningIsOneClearLine) {
  TempDir dir;
  const std::string at = "127.0.0.1:" + std::to_string(closed_loopback_port());
  const auto cfg = write_config(dir, at);
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

TEST(CliServices, WildcardListenIsReachedOnLoopback) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, "0.0.0.0:" + std::to_string(fake.port()));
  fake.set(kApi + "/stop", json_answer(200, action_answer("stop", "stopping")));
  auto r = run_hale({"stop", "api", "-c", cfg, "--no-wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.request_count(kApi + "/stop"), 1u);
}

TEST(CliServices, BadUsageAndBadConfigExit2) {
  TempDir dir;
  const auto cfg = write_config(dir, "127.0.0.1:" + std::to_string(closed_loopback_port()));
  auto bad_timeout = run_hale({"start", "api", "-c", cfg, "--timeout", "soon"});
  EXPECT_EQ(bad_timeout.exit_code, 2);
  EXPECT_NE(bad_timeout.err.find("invalid --timeout \"soon\""), std::string::npos) << bad_timeout.err;
  EXPECT_EQ(run_hale({"start", "-c", cfg}).exit_code, 2);  // NAME missing
  const auto broken = dir.write("broken.toml", "[server]\nlisten = 8099\n");
  auto r = run_hale({"status", "-c", broken});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(broken + ":2:"), std::string::npos) << r.err;
}

TEST(CliServices, HelpListsTheServiceCommands) {
  auto h = run_hale({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* word : {"start ", "stop ", "restart ", "status ", "logs ", "hale logs api -f"}) {
    EXPECT_NE(h.out.find(word), std::string::npos) << word;
  }
  EXPECT_EQ(run_hale({"logs", "web", "-n", "-1"}).exit_code, 2);
  EXPECT_EQ(run_hale({"logs"}).exit_code, 2);
}

// ---- status ----

json health_doc(const std::string& status) {
  json doc = {{"status", status},
              {"service", "hale"},
              {"version", "test"},
              {"uptime_seconds", 3725},
              {"timestamp", "2026-04-18T18:00:00Z"}};
  doc["checks"] = {
      {"db", {{"status", "ok"}, {"critical", true}, {"latency_ms", 4}}},
      {"openai",
       {{"status", status == "fail" ? "fail" : "degraded"},
        {"critical", status == "fail"},
        {"error", "timeout after 1s"},
        {"since", "2026-04-18T17:56:48Z"},
        {"consecutive_failures", 4}}},
  };
  json api = service("ready", 4242);
  api["started_at"] = "2026-04-18T17:57:00Z";
  json worker = service("backoff", nullptr, "crashed: exit code 1");
  worker["name"] = "worker";
  worker["restarts"] = 3;
  worker["next_restart_at"] = "2026-04-18T18:00:04Z";
  doc["services"] = {{"api", api}, {"worker", worker}};
  return doc;
}

// The line of `out` that starts with `first_column`, or "".
std::string line_starting(const std::string& out, const std::string& first_column) {
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto end = out.find('\n', pos);
    std::string line = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (line.rfind(first_column + " ", 0) == 0) return line;
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

// A line's words, spaces collapsed (column widths are the table's business).
std::string words(const std::string& line) {
  std::string out;
  for (char c : line) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

TEST(CliServices, StatusPrintsChecksAndServicesTables) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set("/health", json_answer(200, health_doc("degraded")));
  auto r = run_hale({"status", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("hale at " + loopback(fake) + ": degraded (up 1h2m)\n", 0), 0u) << r.out;
  EXPECT_EQ(words(line_starting(r.out, "CHECK")), "CHECK STATUS LATENCY SINCE DETAIL");
  EXPECT_EQ(words(line_starting(r.out, "db")), "db ok 4ms -");
  EXPECT_EQ(words(line_starting(r.out, "openai")), "openai degraded - 3m12s ago timeout after 1s");
  EXPECT_EQ(words(line_starting(r.out, "SERVICE")), "SERVICE STATE PID RESTARTS UP/NEXT DETAIL");
  EXPECT_EQ(words(line_starting(r.out, "api")), "api ready 4242 0 up 3m");
  EXPECT_EQ(words(line_starting(r.out, "worker")), "worker backoff - 3 restart in 4s crashed: exit code 1");
  // Columns line up: STATUS starts at the same offset in the header and every row.
  const auto col = line_starting(r.out, "CHECK").find("STATUS");
  EXPECT_EQ(line_starting(r.out, "db").find("ok"), col);
  EXPECT_EQ(line_starting(r.out, "openai").find("degraded"), col);
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST(CliServices, StatusExits1WhenHealthFails) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  fake.set("/health", json_answer(503, health_doc("fail")));
  auto r = run_hale({"status", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(words(line_starting(r.out, "openai")), "openai fail - 3m12s ago timeout after 1s");
  EXPECT_NE(r.out.find(": fail (up"), std::string::npos) << r.out;
}

TEST(CliServices, StatusWithoutServicesShowsOnlyChecks) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  json doc = health_doc("ok");
  doc.erase("services");
  doc["checks"].erase("openai");
  fake.set("/health", json_answer(200, doc));
  auto r = run_hale({"status", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(words(line_starting(r.out, "db")), "db ok 4ms -");
  EXPECT_EQ(r.out.find("SERVICE"), std::string::npos) << r.out;
}

TEST(CliServices, StatusPrintsHeartbeatsWithLastPingAndNextRun) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = write_config(dir, loopback(fake));
  json doc = health_doc("degraded");
  doc["heartbeats"] = {
      {"backup",
       {{"status", "fail"},
        {"state", "down"},
        {"error", "completed with no output"},
        {"last_ping", "2026-04-18T17:40:00Z"},
        {"next_expected", "2026-04-19T03:00:00Z"}}},
      {"report",
       {{"status", "degraded"},
        {"state", "late"},
        {"error", "late: expected at 2026-04-18T17:55:00Z"},
        {"last_ping", nullptr},
        {"next_expected", "2026-04-18T17:55:00Z"}}},
      {"sync",
       {{"status", "ok"},
        {"state", "up"},
        {"last_ping", "2026-04-18T17:59:30Z"},
        {"next_expected", "2026-04-18T18:04:30Z"},
        {"last_run", {{"verdict", "success"}}}}},
  };
  fake.set("/health", json_answer(200, doc));
  auto r = run_hale({"status", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(words(line_starting(r.out, "HEARTBEAT")), "HEARTBEAT STATE LAST PING NEXT RUN DETAIL");
  EXPECT_EQ(words(line_starting(r.out, "backup")), "backup down 20m ago in 9h completed with no output");
  EXPECT_EQ(words(line_starting(r.out, "report")), "report late never 5m overdue late: expected at 2026-04-18T17:55:00Z");
  EXPECT_EQ(words(line_starting(r.out, "sync")), "sync up 30s ago in 4m30s last run: success");
}

TEST(CliServices, StatusShowsWhatAPingSentWithItsControlCharactersEscaped) {
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

TEST(CliServices, StatusAgainstARealDaemon) {
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\n[checks.down]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
                   std::to_string(closed_loopback_port()) + "\"\ninterval = \"100ms\"\nfailure_threshold = 1\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  std::string out;
  const bool failed = eventually([&] {
    auto r = run_hale({"status", "-c", hale.config_path()});
    out = r.out + r.err;
    return r.exit_code == 1 && words(line_starting(r.out, "down")).rfind("down fail", 0) == 0;
  });
  EXPECT_TRUE(failed) << out;
}

// ---- logs ----

// A config with one service whose state_dir is `dir`/state (the daemon is not needed).
std::string logs_config(const TempDir& dir) {
  const std::string text = "[server]\nstate_dir = \"" + (dir.path() / "state").string() +
                           "\"\n\n[services.web]\ncommand = [\"/bin/true\"]\n";
  const auto path = dir.write("hale.toml", text);
  EXPECT_TRUE(load_config_file(path).config.has_value());
  std::filesystem::create_directories(dir.path() / "state" / "logs");
  return path;
}

std::string log_path(const TempDir& dir, const std::string& suffix = "") {
  return (dir.path() / "state" / "logs" / ("web.log" + suffix)).string();
}

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

TEST(CliServices, LogsLastLinesContinueIntoRotatedFiles) {
  TempDir dir;
  auto cfg = logs_config(dir);
  append(log_path(dir, ".2"), "one\ntwo\n");
  append(log_path(dir, ".1"), "three\nfour\n");
  append(log_path(dir), "five\n");
  auto r = run_hale({"logs", "web", "-c", cfg, "-n", "4"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "two\nthree\nfour\nfive\n");
  auto all = run_hale({"logs", "web", "-c", cfg});
  EXPECT_EQ(all.out, "one\ntwo\nthree\nfour\nfive\n");
  auto one = run_hale({"logs", "web", "-c", cfg, "-n", "1"});
  EXPECT_EQ(one.out, "five\n");
}

TEST(CliServices, LogsTailOfAFileLargerThanOneReadChunk) {
  TempDir dir;
  auto cfg = logs_config(dir);
  std::string text;
  for (int i = 1; i <= 20000; ++i) text += "line " + std::to_string(i) + " of the web service\n";
  append(log_path(dir), text + "partial");  // ~560 KB, the last line still being written
  auto three = run_hale({"logs", "web", "-c", cfg, "-n", "3"});
  EXPECT_EQ(three.out, "line 19999 of the web service\nline 20000 of the web service\npartial");
  auto many = run_hale({"logs", "web", "-c", cfg, "-n", "5000"});
  EXPECT_EQ(std::count(many.out.begin(), many.out.end(), '\n'), 4999);
  EXPECT_EQ(many.out.rfind("line 15002 of the web service\n", 0), 0u) << many.out.substr(0, 80);
}

TEST(CliServices, LogsOfAnUnknownServiceExit2) {
  TempDir dir;
  auto cfg = logs_config(dir);
  auto r = run_hale({"logs", "nope", "-c", cfg});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("hale: no service named \"nope\" in " + cfg, 0), 0u) << r.err;
}

TEST(CliServices, LogsWithoutOutputYetSaysSo) {
  TempDir dir;
  auto cfg = logs_config(dir);
  auto r = run_hale({"logs", "web", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "no output from web yet (" + log_path(dir) + " does not exist)\n");
}

TEST(CliServices, LogsFollowPrintsAppendedLinesAndFollowsRotation) {
  TempDir dir;
  auto cfg = logs_config(dir);
  append(log_path(dir), "old-1\nold-2\n");
  TestProcess child(hale_argv({"logs", "web", "-f", "-n", "1", "-c", cfg}));
  ASSERT_TRUE(child.wait_for_out("old-2\n")) << child.out() << child.err();
  EXPECT_EQ(child.out(), "old-2\n");
  append(log_path(dir), "new-1\n");
  ASSERT_TRUE(child.wait_for_out("new-1\n")) << child.out();
  // Rotation as RotatingLog does it: the last bytes go to the old file, which is renamed, and a
  // new file starts.
  append(log_path(dir), "before-rotate\n");
  std::filesystem::rename(log_path(dir), log_path(dir, ".1"));
  append(log_path(dir), "after-rotate\n");
  ASSERT_TRUE(child.wait_for_out("after-rotate\n")) << child.out();
  append(log_path(dir), "later\n");
  ASSERT_TRUE(child.wait_for_out("later\n")) << child.out();
  EXPECT_EQ(child.out(), "old-2\nnew-1\nbefore-rotate\nafter-rotate\nlater\n");
  EXPECT_TRUE(child.stop(SIGTERM).has_value());
}

TEST(CliServices, LogsFollowStartsOverWhenTheFileShrinks) {
  TempDir dir;
  auto cfg = logs_config(dir);
  append(log_path(dir), "a long first line before the truncation\n");
  TestProcess child(hale_argv({"logs", "web", "-f", "-c", cfg}));
  ASSERT_TRUE(child.wait_for_out("truncation\n")) << child.err();
  std::filesystem::resize_file(log_path(dir), 0);
  append(log_path(dir), "fresh\n");
  ASSERT_TRUE(child.wait_for_out("fresh\n")) << child.out();
  EXPECT_EQ(child.out(), "a long first line before the truncation\nfresh\n");
}

TEST(CliServices, LogsFollowWaitsForTheFileToAppear) {
  TempDir dir;
  auto cfg = logs_config(dir);
  TestProcess child(hale_argv({"logs", "web", "-f", "-c", cfg}));
  ASSERT_TRUE(eventually([&] { return child.err().find("no output from web yet") != std::string::npos; }))
      << child.err();
  append(log_path(dir), "first\n");
  ASSERT_TRUE(child.wait_for_out("first\n")) << child.out();
  EXPECT_EQ(child.out(), "first\n");
}

}  // namespace
}  // namespace hale::testing
