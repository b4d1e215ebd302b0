// `hale alerts` and `hale silence add|list|rm` as a user runs them: against the real daemon (a
// webhook notifier pointed at a loopback receiver, a check that fails at once), and against a
// loopback fake of the daemon's API for the exact tables, the requests sent, and every refusal.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kToken = "alerts-s3cret-token";
const std::string kSilences = "/api/v1/silences";

std::string loopback(const TestHttpServer& s) { return "127.0.0.1:" + std::to_string(s.port()); }

TestResponse json_answer(int status, const json& body) {
  return TestResponse::with_status(status, body.dump()).header("Content-Type", "application/json");
}

json api_error(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

// The whitespace-separated words of the first line of `out` that starts with `first`; empty
// when there is none.
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

// The words of the first line that has `word` as one of them.
std::vector<std::string> row_with(const std::string& out, const std::string& word) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (std::find(w.begin(), w.end(), word) != w.end()) return w;
  }
  return {};
}

bool is_hex_id(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// ---- the real daemon ----

// A webhook notifier "hook" at `receiver`, every subject alerting to it, and check db at a
// closed port failing on its first probe. `extra` is appended.
std::string daemon_config(const TempDir& state, const TestHttpServer& receiver, const std::string& extra = "") {
  return "[server]\nlisten = \"127.0.0.1:{PORT}\"\nadmin_token = \"" + std::string(kToken) + "\"\nstate_dir = \"" +
         state.path().string() + "\"\n\n[checks.db]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
         std::to_string(closed_loopback_port()) +
         "\"\ninterval = \"200ms\"\nfailure_threshold = 1\n\n"
         "[notifiers.hook]\ntype = \"webhook\"\nurl = \"" +
         receiver.url("/alerts") + "\"\n\n[[alerts]]\nmatch = [\"*\"]\nnotify = [\"hook\"]\n" + extra;
}

TEST(CliAlerts, RealDaemonShowsTheDeliveryTheReceiverAccepted) {
  TestHttpServer receiver;
  receiver.set("/alerts", TestResponse::ok());
  TempDir state;
  HaleProcess hale(daemon_config(state, receiver));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return receiver.request_count("/alerts") >= 1; })) << hale.log();
  const auto post = receiver.last_request("/alerts");
  ASSERT_TRUE(post);
  EXPECT_EQ(json::parse(post->body).value("key", ""), "check/db/fail");

  // The receiver has it; the daemon marks it sent when the answer is in.
  CommandResult r;
  ASSERT_TRUE(eventually([&] {
    r = run_hale({"alerts", "-c", hale.config_path()});
    // Counted as sent, and recorded so ("accepted" the milliseconds before: issue 21).
    const auto d = row_with(r.out, "check/db/fail");
    return row(r.out, "hook").size() > 2 && row(r.out, "hook")[2] == "1" && d.size() > 4 && d[4] == "sent";
  })) << r.out << r.err << hale.log();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("hale at 127.0.0.1:" + std::to_string(hale.port()) + ": 1 notifier, 0 deliveries pending\n", 0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("NOTIFIER  TYPE     SENT  FAILED  PENDING  OLDEST  RETRYING\n"), std::string::npos) << r.out;
  EXPECT_EQ(row(r.out, "hook"), (std::vector<std::string>{"hook", "webhook", "1", "0", "0", "-", "-"})) << r.out;
  const auto delivery = row(r.out, "WHEN");
  EXPECT_EQ(delivery, (std::vector<std::string>{"WHEN", "KEY", "NOTIFIER", "STATE", "ATTEMPTS", "DETAIL"})) << r.out;
  // "0s ago  check/db/fail  hook  sent  1  "connection refused"": WHEN is two words.
  const std::vector<std::string> sent = row_with(r.out, "check/db/fail");
  ASSERT_GE(sent.size(), 6u) << r.out;
  EXPECT_EQ(std::vector<std::string>(sent.begin() + 1, sent.begin() + 6),
            (std::vector<std::string>{"ago", "check/db/fail", "hook", "sent", "1"}))
      << r.out;
  EXPECT_NE(r.out.find("\"connection refused\"\n"), std::string::npos) << "the alert's message: " << r.out;

  // Filtered, and limited.
  r = run_hale({"alerts", "-c", hale.config_path(), "--state", "pending"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nno pending deliveries\n"), std::string::npos) << r.out;
  r = run_hale({"alerts", "-c", hale.config_path(), "--state", "sent", "-n", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("check/db/fail"), std::string::npos) << r.out;

  // Neither the admin token nor the receiver's URL is ever shown.
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  EXPECT_EQ(r.out.find(receiver.url("/alerts")), std::string::npos);
}

TEST(CliAlerts, RealDaemonSilenceAddListRmRoundTrip) {
  TestHttpServer receiver;
  receiver.set("/alerts", TestResponse::ok());
  TempDir state;
  HaleProcess hale(daemon_config(state, receiver));
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::vector<std::pair<std::string, std::string>> env = {{"USER", "tester"}};

  auto r = run_hale({"silence", "add", "-c", hale.config_path(), "--match", "subject=db", "--match", "kind=check",
                     "--for", "2h", "--comment", "db migration"},
                    10s, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(r.out.size(), 33u) << r.out;
  const std::string id = r.out.substr(0, 32);
  EXPECT_TRUE(is_hex_id(id)) << r.out;
  EXPECT_EQ(r.out, id + "\n") << "only the id, for scripts";

  // The daemon has it as given, author from $USER.
  const HttpReply got = http_get(hale.url(kSilences + "/" + id));
  ASSERT_EQ(got.status, 200) << got.body;
  const json s = json::parse(got.body);
  EXPECT_EQ(s["matchers"], (json{{{"name", "subject"}, {"value", "db"}}, {{"name", "kind"}, {"value", "check"}}}));
  EXPECT_EQ(s["comment"], "db migration");
  EXPECT_EQ(s["author"], "tester");
  EXPECT_EQ(s["state"], "active");

  r = run_hale({"silence", "list", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ID                                STATE   MATCHERS               STARTS  ENDS", 0), 0u) << r.out;
  auto listed = row(r.out, id);
  ASSERT_GE(listed.size(), 9u) << r.out;
  EXPECT_EQ(listed[1], "active");
  EXPECT_EQ(listed[2], "subject=db,kind=check");
  EXPECT_EQ(listed[5], "in");
  EXPECT_TRUE(listed[6] == "2h" || listed[6] == "1h59m") << listed[6];
  EXPECT_EQ(listed[7], "tester");
  EXPECT_EQ(r.out.find("db migration\n") != std::string::npos, true) << r.out;

  // rm with the start of the id.
  r = run_hale({"silence", "rm", "-c", hale.config_path(), id.substr(0, 8)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": expired\n");
  EXPECT_EQ(json::parse(http_get(hale.url(kSilences + "/" + id)).body)["state"], "expired");

  r = run_hale({"silence", "list", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no active or pending silences (1 expired: hale silence list --all)\n");
  r = run_hale({"silence", "list", "-c", hale.config_path(), "--all"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GE(row(r.out, id).size(), 2u) << r.out;
  EXPECT_EQ(row(r.out, id)[1], "expired");

  // Gone already: a usage error, as an unknown service is for hale stop.
  r = run_hale({"silence", "rm", "-c", hale.config_path(), id});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no active or pending silence with id \"" + id + "\" (the daemon at 127.0.0.1:" +
                       std::to_string(hale.port()) + ")\n");

  // An end in the past: the daemon's refusal, in the CLI's words.
  r = run_hale({"silence", "add", "-c", hale.config_path(), "--match", "subject=db", "--until",
                "2020-01-01T00:00:00Z", "--comment", "too late"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: the daemon at 127.0.0.1:" + std::to_string(hale.port()) +
                       " refused the silence: --until must be after now\n");

  // Without the token, or with a wrong one.
  TempDir other;
  const std::string listen = "[server]\nlisten = \"127.0.0.1:" + std::to_string(hale.port()) + "\"\n";
  const std::string wrong = other.write("wrong.toml", listen + "admin_token = \"nope\"\n");
  const std::string none = other.write("none.toml", listen);
  const std::vector<std::string> add = {"silence", "add", "--match", "subject=db", "--for", "1h", "--comment", "x"};
  auto with_config = [&](std::vector<std::string> args, const std::string& cfg) {
    args.insert(args.end(), {"-c", cfg});
    return args;
  };
  r = run_hale(with_config(add, wrong));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refused the admin token from " + wrong + " (401)"), std::string::npos) << r.err;
  r = run_hale(with_config(add, none));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(none + " has no server.admin_token, and the daemon at"), std::string::npos) << r.err;
  r = run_hale(with_config({"silence", "rm", id}, none));
  EXPECT_EQ(r.exit_code, 1);
  // Listing needs no token.
  EXPECT_EQ(run_hale(with_config({"silence", "list"}, none)).exit_code, 0);
  EXPECT_EQ(run_hale(with_config({"alerts"}, none)).exit_code, 0);
}

TEST(CliAlerts, RealDaemonWindowMutesAndShowsInTheLists) {
  TestHttpServer receiver;
  receiver.set("/alerts", TestResponse::ok());
  TempDir state;
  // A window that is always on: every minute, for an hour.
  HaleProcess hale(daemon_config(state, receiver, R"(
[[silences]]
match = ["db"]
kind = ["check"]
schedule = "* * * * *"
duration = "1h"
comment = "always on"
)"));
  ASSERT_TRUE(hale.start()) << hale.log();
  CommandResult r;
  ASSERT_TRUE(eventually([&] {
    r = run_hale({"alerts", "-c", hale.config_path(), "--state", "silenced"});
    return r.out.find("check/db/fail") != std::string::npos;
  })) << r.out << r.err << hale.log();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(receiver.request_count("/alerts"), 0u) << "muted: recorded, not sent";

  r = run_hale({"silence", "list", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("no active or pending silences\n\nWINDOW  MATCH  KIND   SCHEDULE", 0), 0u) << r.out;
  const auto w = row(r.out, "#1");
  ASSERT_GE(w.size(), 4u) << r.out;
  EXPECT_EQ(w[1], "db");
  EXPECT_EQ(w[2], "check");
  EXPECT_NE(r.out.find("* * * * * (UTC)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("always on\n"), std::string::npos) << r.out;
}

// ---- a fake daemon: exact tables, requests, refusals ----

// hale.toml whose [server] listen points at `fake`; `server_extra` goes into [server] too.
std::string fake_config(const TempDir& dir, const TestHttpServer& fake,
                        const std::string& server_extra = std::string("admin_token = \"") + kToken + "\"\n") {
  return dir.write("hale.toml", "[server]\nlisten = \"" + loopback(fake) + "\"\n" + server_extra);
}

json alerts_doc() {
  auto notifier = [](std::string name, json type, int sent, int failed, int pending, json oldest, json retry_at) {
    return json{{"name", name},       {"type", type},         {"sent", sent},
                {"failed", failed},   {"retries", 0},         {"silenced", 0},
                {"pending", pending}, {"in_flight", 0},       {"oldest_pending_age_seconds", oldest},
                {"consecutive_failures", pending ? 3 : 0},    {"retry_at", retry_at}};
  };
  auto delivery = [](std::string key, std::string notifier, std::string state, std::string created, int attempts) {
    return json{{"id", "0123456789abcdef0123456789abcdef"},
                {"notifier", notifier},
                {"key", key},
                {"kind", "check"},
                {"subject", "db"},
                {"status", "fail"},
                {"previous", "ok"},
                {"resolved", false},
                {"flapping", false},
                {"severity", "critical"},
                {"sequence", 0},
                {"message", "connection refused"},
                {"since", created},
                {"state", state},
                {"attempts", attempts},
                {"created_at", created},
                {"last_attempt_at", nullptr},
                {"next_attempt_at", nullptr},
                {"done_at", nullptr},
                {"last_error", nullptr}};
  };
  json d1 = delivery("check/db/fail", "oncall", "pending", "2026-04-18T17:58:25Z", 3);
  d1["last_error"] = "HTTP 503";
  d1["next_attempt_at"] = "2026-04-18T18:00:04Z";
  json d2 = delivery("service/api/failed", "oncall", "pending", "2026-04-18T17:59:10Z", 0);
  json d3 = delivery("check/db/fail", "chat", "sent", "2026-04-18T17:59:50Z", 1);
  json d4 = delivery("check/cache/degraded", "chat", "sent", "2026-04-18T17:40:00Z", 2);
  d4["resolved"] = true;
  d4["status"] = "ok";
  d4["message"] = "";
  json d5 = delivery("heartbeat/backup/down", "chat", "failed", "2026-04-18T15:30:00Z", 1);
  d5["last_error"] = "HTTP 404: channel_not_found";
  json d6 = delivery("check/db/flapping", "chat", "silenced", "2026-04-17T17:00:00Z", 0);
  d6["flapping"] = true;
  d6["sequence"] = 2;
  d6["message"] = "6 changes in 10m";
  return {{"timestamp", "2026-04-18T18:00:00Z"},
          {"durable", true},
          {"notifiers",
           {notifier("chat", "slack", 30, 1, 0, nullptr, nullptr),
            notifier("old", nullptr, 0, 0, 0, nullptr, nullptr),
            notifier("oncall", "webhook", 12, 0, 2, 95, "2026-04-18T18:00:12Z")}},
          {"pending", 2},
          {"deliveries", {d1, d2, d3, d4, d5, d6}}};
}

TEST(CliAlerts, TablesOfNotifiersAndDeliveries) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  fake.set("/api/v1/alerts", json_answer(200, alerts_doc()));
  auto r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "hale at " + loopback(fake) +
                ": 3 notifiers, 2 deliveries pending\n"
                "\n"
                "NOTIFIER  TYPE       SENT  FAILED  PENDING  OLDEST  RETRYING\n"
                "chat      slack      30    1       0        -       -\n"
                "old       (removed)  0     0       0        -       -\n"
                "oncall    webhook    12    0       2        1m35s   in 12s\n"
                "\n"
                "WHEN       KEY                    NOTIFIER  STATE     ATTEMPTS  DETAIL\n"
                "1m35s ago  check/db/fail          oncall    pending   3         HTTP 503; next attempt in 4s\n"
                "50s ago    service/api/failed     oncall    pending   0         not tried yet\n"
                "10s ago    check/db/fail          chat      sent      1         \"connection refused\"\n"
                "20m ago    check/cache/degraded   chat      sent      2         resolved\n"
                "2h30m ago  heartbeat/backup/down  chat      failed    1         HTTP 404: channel_not_found\n"
                "1d1h ago   check/db/flapping      chat      silenced  0         flapping; reminder 2; \"6 changes in 10m\"\n");
  const auto get = fake.last_request("/api/v1/alerts");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->method, "GET");
  EXPECT_EQ(get->target, "/api/v1/alerts?limit=20");
  EXPECT_FALSE(get->header("Authorization")) << "reading needs no token, so none is sent";

  r = run_hale({"alerts", "-c", cfg, "--state", "failed", "-n", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.last_request("/api/v1/alerts")->target, "/api/v1/alerts?limit=5&state=failed");
}

TEST(CliAlerts, EmptyListsAndAnOutboxInMemory) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  fake.set("/api/v1/alerts", json_answer(200, {{"timestamp", "2026-04-18T18:00:00Z"},
                                               {"durable", false},
                                               {"notifiers", json::array()},
                                               {"pending", 0},
                                               {"deliveries", json::array()}}));
  auto r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hale at " + loopback(fake) +
                       ": 0 notifiers, 0 deliveries pending (outbox in memory only: state_dir is unusable)\n"
                       "\n"
                       "no notifiers configured\n"
                       "\n"
                       "no alert deliveries yet\n");
  r = run_hale({"alerts", "-c", cfg, "--state", "silenced"});
  EXPECT_NE(r.out.find("\nno silenced deliveries\n"), std::string::npos) << r.out;
}

TEST(CliAlerts, NoDaemonOlderDaemonAndErrorsExit1) {
  TempDir dir;
  const std::string closed = "127.0.0.1:" + std::to_string(closed_loopback_port());
  const auto nobody = dir.write("nobody.toml", "[server]\nlisten = \"" + closed + "\"\n");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"alerts"}, {"silence", "list"}, {"silence", "rm", "abc"}, {"silence", "rm", std::string(32, 'a')},
           {"silence", "add", "--match", "subject=db", "--for", "1h", "--comment", "x"}}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"-c", nobody});
    auto r = run_hale(a);
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << args.back();
    EXPECT_EQ(r.err, "hale: no hale daemon answers at " + closed + " (listen from " + nobody + "); is \"hale run -c " +
                         nobody + "\" running?\n")
        << args[0];
    EXPECT_EQ(r.out, "");
  }

  TestHttpServer fake;  // answers 404 everywhere: an older hale
  const auto cfg = fake_config(dir, fake);
  auto r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + loopback(fake) + " has no alerts API (404); is it an older hale?\n");
  r = run_hale({"silence", "list", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + loopback(fake) + " has no silences API (404); is it an older hale?\n");

  fake.set("/api/v1/alerts", json_answer(503, api_error("alerting_unavailable", "alerting is not running")));
  r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + loopback(fake) + " answered 503 to GET /api/v1/alerts: alerting is not running\n");
  fake.set("/api/v1/alerts", TestResponse::ok("<html>"));
  r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a JSON object"), std::string::npos) << r.err;
}

TEST(CliAlerts, BadUsageExits2AndSendsNothing) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"alerts", "--state", "bogus"}, "--state: bogus not in {pending,accepted,sent,failed,silenced}"},
      {{"alerts", "-n", "0"}, "--limit: Value 0 not in range 1 to 1000"},
      {{"alerts", "-n", "1001"}, "--limit: Value 1001 not in range 1 to 1000"},
      {{"silence"}, "A subcommand is required"},
      {{"silence", "rm"}, "id is required"},
      {{"silence", "rm", ""}, "hale silence rm: ID must not be empty"},
      {{"silence", "add", "--for", "1h", "--comment", "x"}, "--match is required"},
      {{"silence", "add", "--match", "subject=db", "--for", "1h"}, "--comment is required"},
      {{"silence", "add", "--match", "subject=db", "--for", "1h", "--comment", ""},
       "hale silence add: --comment must say why the alerts are muted"},
      {{"silence", "add", "--match", "subject=db", "--comment", "x"},
       "hale silence add: give one of --for DURATION (e.g. 2h) and --until TIME (ISO 8601)"},
      {{"silence", "add", "--match", "subject=db", "--for", "1h", "--until", "2030-01-01T00:00:00Z", "--comment", "x"},
       "--for excludes --until"},
      {{"silence", "add", "--match", "host=db", "--for", "1h", "--comment", "x"},
       "hale silence add: --match \"host=db\" must be NAME=GLOB with NAME one of subject, kind, status, key (e.g. "
       "--match subject=db)"},
      {{"silence", "add", "--match", "subject=", "--for", "1h", "--comment", "x"}, "--match \"subject=\" must be"},
      {{"silence", "add", "--match", "db", "--for", "1h", "--comment", "x"}, "--match \"db\" must be"},
      {{"silence", "add", "--match", "subject=db", "--for", "2x", "--comment", "x"},
       "hale silence add: invalid --for \"2x\" (e.g. 30m, 2h, 1d)"},
      {{"silence", "add", "--match", "subject=db", "--for", "0s", "--comment", "x"}, "invalid --for \"0s\""},
      {{"silence", "add", "--match", "subject=db", "--until", "tomorrow", "--comment", "x"},
       "hale silence add: invalid --until \"tomorrow\" (an ISO 8601 time"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"-c", cfg});
    auto r = run_hale(a);
    std::string shown;
    for (const auto& x : args) shown += x + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << shown << ": " << r.err;
  }
  EXPECT_EQ(fake.request_count(), 0u);
}

TEST(CliAlerts, SilenceAddSendsTheBodyAndTheToken) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  const std::string id = "5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b";
  fake.set(kSilences, json_answer(201, {{"id", id}, {"state", "active"}}));
  auto r = run_hale({"silence", "add", "-c", cfg, "--match", "subject=db*", "--match", "status=fail", "--for",
                     "90m", "--comment", "failover drill", "--author", "alice"},
                    10s, {{"USER", "someone-else"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + "\n");
  auto post = fake.last_request(kSilences);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->method, "POST");
  EXPECT_EQ(post->header("Authorization").value_or(""), std::string("Bearer ") + kToken);
  EXPECT_EQ(post->header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(json::parse(post->body), (json{{"matchers",
                                            {{{"name", "subject"}, {"value", "db*"}},
                                             {{"name", "status"}, {"value", "fail"}}}},
                                           {"duration", "90m"},
                                           {"comment", "failover drill"},
                                           {"author", "alice"}}));

  // --until with an offset goes out in UTC; the author defaults to $USER.
  r = run_hale({"silence", "add", "-c", cfg, "--match", "key=heartbeat/*", "--until", "2026-04-18T22:00:00+02:00",
                "--comment", "backup host rebuild"},
               10s, {{"USER", "bob"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  post = fake.last_request(kSilences);
  ASSERT_TRUE(post);
  EXPECT_EQ(json::parse(post->body), (json{{"matchers", {{{"name", "key"}, {"value", "heartbeat/*"}}}},
                                           {"ends_at", "2026-04-18T20:00:00Z"},
                                           {"comment", "backup host rebuild"},
                                           {"author", "bob"}}));
  // A value may contain '='.
  r = run_hale({"silence", "add", "-c", cfg, "--match", "subject=a=b", "--for", "1h", "--comment", "x"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(fake.last_request(kSilences)->body)["matchers"][0]["value"], "a=b");
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
}

TEST(CliAlerts, SilenceRefusalsSayWhy) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  const std::vector<std::string> add = {"silence", "add", "-c", cfg, "--match", "subject=db", "--for", "1h",
                                        "--comment", "x"};
  const std::string at = loopback(fake);
  const std::vector<std::tuple<int, json, int, std::string>> cases = {
      {400, api_error("bad_request", "`duration` is too long: the silence would end after 2262"), 2,
       "hale: the daemon at " + at + " refused the silence: --for is too long: the silence would end after 2262\n"},
      {401, api_error("unauthorized", "missing or wrong bearer token"), 1,
       "hale: the daemon at " + at + " refused the admin token from " + cfg +
           " (401); does server.admin_token match the daemon's?\n"},
      {403, api_error("api_disabled", "mutating API calls are disabled: set server.admin_token"), 1,
       "hale: the daemon at " + at +
           " has no admin_token, so silences cannot be added or removed (403); set server.admin_token in its "
           "config\n"},
      {503, api_error("alerting_unavailable", "alerting is not running"), 1,
       "hale: alerting is not running in the daemon at " + at + " (503): alerting is not running\n"},
      {500, api_error("internal", "boom"), 1,
       "hale: the daemon at " + at + " answered 500 when asked to add a silence: boom\n"},
  };
  for (const auto& [status, body, code, message] : cases) {
    fake.set(kSilences, json_answer(status, body));
    auto r = run_hale(add);
    EXPECT_EQ(r.exit_code, code) << status;
    EXPECT_EQ(r.err, message) << status;
    EXPECT_EQ(r.out, "") << status;
  }
}

json silences_doc() {
  auto silence = [](std::string id, std::string state, json matchers, std::string starts, std::string ends,
                    std::string author, std::string comment) {
    return json{{"id", id},         {"matchers", matchers}, {"starts_at", starts},
                {"ends_at", ends},  {"comment", comment},   {"author", author},
                {"created_at", starts}, {"state", state}};
  };
  return {{"timestamp", "2026-04-18T18:00:00Z"},
          {"silences",
           {silence("5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b", "active",
                    {{{"name", "subject"}, {"value", "db"}}, {{"name", "kind"}, {"value", "check"}}},
                    "2026-04-18T17:55:00Z", "2026-04-18T19:55:00Z", "alice", "db migration"),
            silence("5f0c77777b7d4c2e8a6f1b3d5c7e9a0b", "pending", {{{"name", "key"}, {"value", "heartbeat/*"}}},
                    "2026-04-18T22:00:00Z", "2026-04-19T02:00:00Z", "", "backup host rebuild"),
            silence("99999999999999999999999999999999", "expired", {{{"name", "status"}, {"value", "flapping"}}},
                    "2026-04-18T10:00:00Z", "2026-04-18T12:00:00Z", "bob", "noisy")}},
          {"windows",
           {{{"index", 0},
             {"match", {"db*", "cache"}},
             {"kind", json::array()},
             {"schedule", "0 17 * * 6"},
             {"tz", "Europe/Berlin"},
             {"duration", "2h"},
             {"comment", "weekly maintenance"},
             {"starts_at", "2026-04-18T15:00:00Z"},
             {"ends_at", "2026-04-18T19:00:00Z"}}}}};
}

TEST(CliAlerts, SilenceListTables) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  fake.set(kSilences, json_answer(200, silences_doc()));
  auto r = run_hale({"silence", "list", "-c", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ID                                STATE    MATCHERS               STARTS  ENDS      AUTHOR  COMMENT\n"
            "5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b  active   subject=db,kind=check  5m ago  in 1h55m  alice   db migration\n"
            "5f0c77777b7d4c2e8a6f1b3d5c7e9a0b  pending  key=heartbeat/*        in 4h   in 8h     -       backup host rebuild\n"
            "\n"
            "WINDOW  MATCH      KIND  SCHEDULE                    ENDS   COMMENT\n"
            "#1      db*,cache  *     0 17 * * 6 (Europe/Berlin)  in 1h  weekly maintenance\n");
  r = run_hale({"silence", "list", "-c", cfg, "-a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GE(row(r.out, "99999999999999999999999999999999").size(), 2u) << r.out;
  EXPECT_EQ(row(r.out, "99999999999999999999999999999999")[1], "expired");
  EXPECT_FALSE(fake.last_request(kSilences)->header("Authorization")) << "listing sends no token";
}

TEST(CliAlerts, SilenceRmByPrefixMustBeUnique) {
  TestHttpServer fake;
  TempDir dir;
  const auto cfg = fake_config(dir, fake);
  fake.set(kSilences, json_answer(200, silences_doc()));
  const std::string full = "5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b";
  fake.set(kSilences + "/" + full, json_answer(200, {{"id", full}, {"state", "expired"}}));

  auto r = run_hale({"silence", "rm", "-c", cfg, "5f0c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "hale: \"5f0c\" is the start of 2 silences' ids (5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b, "
            "5f0c77777b7d4c2e8a6f1b3d5c7e9a0b); give more of it\n");
  r = run_hale({"silence", "rm", "-c", cfg, "9999"});
  EXPECT_EQ(r.exit_code, 2) << "an expired one is not a candidate";
  EXPECT_EQ(r.err, "hale: no active or pending silence with an id starting with \"9999\" (the daemon at " +
                       loopback(fake) + ")\n");
  EXPECT_EQ(fake.request_count(kSilences + "/" + full), 0u);

  r = run_hale({"silence", "rm", "-c", cfg, "5f0c3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, full + ": expired\n");
  const auto del = fake.last_request(kSilences + "/" + full);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->method, "DELETE");
  EXPECT_EQ(del->header("Authorization").value_or(""), std::string("Bearer ") + kToken);

  // A full id goes straight to DELETE; the daemon's 404 is a usage error.
  const std::string gone(32, 'e');
  fake.set(kSilences + "/" + gone,
           json_answer(404, api_error("not_found", "no active or pending silence with id \"" + gone + "\"")));
  r = run_hale({"silence", "rm", "-c", cfg, gone});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no active or pending silence with id \"" + gone + "\" (the daemon at " + loopback(fake) +
                       ")\n");
}

}  // namespace
}  // namespace hale::testing
