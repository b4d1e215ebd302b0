// `hale alerts` and `hale silence add|list|rm` as a user runs them, against the real daemon:
// checks that fail against closed loopback ports, webhook notifiers whose receivers are real
// loopback HTTP servers, and each command's effect checked in the daemon itself (GET
// /api/v1/silences, /api/v1/alerts) and at the receivers (what was delivered, what was not).
//
// One daemon serves most tests (CliAlerts::daemon()); each test uses subjects and silences of
// its own in it, so that the tests do not depend on each other's order. A few tests need a
// daemon configured otherwise (every kind of delivery at once, no notifiers, no admin_token, an
// unusable state_dir) and start their own. Only answers no real hale can give (a 404 without a
// JSON error, a 503 for alerting not running, a 500, a body that is not JSON) come from a fake,
// in CliAlertsFake.
#include <gtest/gtest.h>

#include <signal.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kSilences = "/api/v1/silences";

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream words(line);
  std::vector<std::string> w;
  for (std::string x; words >> x;) w.push_back(x);
  return w;
}

// The words of the first line of `out` whose first word is `first`; empty when there is none.
std::vector<std::string> row(const std::string& out, const std::string& first) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto w = words_of(line);
    if (!w.empty() && w[0] == first) return w;
  }
  return {};
}

std::string joined(const std::vector<std::string>& words, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool is_hex_id(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A row of the deliveries table: "12s ago  check/db/fail  hook  sent  1  "connection refused"".
struct DeliveryRow {
  std::string key, notifier, state, attempts, detail;
  std::string text() const { return key + " " + notifier + " " + state + " " + attempts + " " + detail; }
};

// The deliveries table of `hale alerts` output, in its order.
std::vector<DeliveryRow> delivery_rows(const std::string& out) {
  std::vector<DeliveryRow> rows;
  std::istringstream lines(out);
  std::string line;
  bool in_table = false;
  while (std::getline(lines, line)) {
    const auto w = words_of(line);
    if (!w.empty() && w[0] == "WHEN") {
      in_table = true;
      continue;
    }
    if (!in_table || w.size() < 6 || w[1] != "ago") continue;
    rows.push_back({w[2], w[3], w[4], w[5], joined(w, 6)});
  }
  return rows;
}

std::string describe(const std::vector<DeliveryRow>& rows) {
  std::string out;
  for (const auto& r : rows) out += r.text() + "\n";
  return out;
}

// How many rows have `key`, `notifier`, `state`, `attempts` and a detail that starts with
// `detail`.
std::size_t count_rows(const std::vector<DeliveryRow>& rows, const std::string& key, const std::string& notifier,
                       const std::string& state, const std::string& attempts, const std::string& detail) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](const DeliveryRow& r) {
    return r.key == key && r.notifier == notifier && r.state == state && r.attempts == attempts &&
           r.detail.starts_with(detail);
  }));
}

// "2026-04-18T18:00:00Z" of a system time, and back (seconds since the epoch; -1 if unreadable).
std::string iso_utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
std::time_t parse_utc(const std::string& iso) {
  std::tm tm{};
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return end && std::string(end) == "Z" ? timegm(&tm) : -1;
}

// The daemon's silences (GET /api/v1/silences), active, pending and expired.
std::vector<json> silences_of(const HaleProcess& hale) {
  const json j = get_json(hale, kSilences);
  std::vector<json> out;
  if (j.is_object() && j["silences"].is_array()) out.assign(j["silences"].begin(), j["silences"].end());
  return out;
}

json silence_of(const HaleProcess& hale, const std::string& id) { return get_json(hale, kSilences + "/" + id); }

// ---- the daemon most tests share ----

// db and web fail at once (closed ports); cache is up until a test closes it. db and web alert
// to hook (web muted by an always-open window), cache to hook2; both at one receiver.
struct SharedDaemon {
  TcpListener cache;
  TestHttpServer receiver;
  std::unique_ptr<HaleProcess> hale;

  SharedDaemon() {
    receiver.set("/alerts", TestResponse::ok());
    receiver.set("/cache", TestResponse::ok());
    hale = std::make_unique<HaleProcess>(
        alert_server_section() + tcp_check("db", closed_loopback_port()) + tcp_check("web", closed_loopback_port()) +
        tcp_check("cache", cache.port(), "100ms") + webhook_notifier("hook", receiver.url("/alerts")) +
        webhook_notifier("hook2", receiver.url("/cache")) +
        "\n[[alerts]]\nmatch = [\"db\", \"web\"]\nnotify = [\"hook\"]\n"
        "\n[[alerts]]\nmatch = [\"cache\"]\nnotify = [\"hook2\"]\n"
        "\n[[silences]]\nmatch = [\"web\"]\nkind = [\"check\"]\nschedule = \"* * * * *\"\ntz = \"Europe/Berlin\"\n"
        "duration = \"1h\"\ncomment = \"always on\"\n");
  }
};

class CliAlerts : public ::testing::Test {
 protected:
  static HaleProcess& daemon() {
    if (!shared_) {
      shared_ = std::make_unique<SharedDaemon>();
      EXPECT_TRUE(shared_->hale->start()) << shared_->hale->log();
    }
    return *shared_->hale;
  }
  static SharedDaemon& shared() {
    daemon();
    return *shared_;
  }
  static void TearDownTestSuite() { shared_.reset(); }

  // `hale ARGS... -c CONFIG` (the shared daemon's config by default).
  static CommandResult cli(std::vector<std::string> args, const std::string& config = "",
                           const std::vector<std::pair<std::string, std::string>>& env = {}) {
    args.insert(args.end(), {"-c", config.empty() ? daemon().config_path() : config});
    return run_hale(args, 30s, env);
  }
  static std::string address() { return "127.0.0.1:" + std::to_string(daemon().port()); }

 private:
  static inline std::unique_ptr<SharedDaemon> shared_;
};

TEST_F(CliAlerts, ShowsWhatTheReceiverAcceptedAndWhatTheWindowMuted) {
  HaleProcess& hale = daemon();
  CommandResult r;
  ASSERT_TRUE(eventually([&] {
    r = cli({"alerts"});
    const auto rows = delivery_rows(r.out);
    // "sent" once recorded so ("accepted" the milliseconds before: issue 21).
    return count_rows(rows, "check/db/fail", "hook", "sent", "1", "") == 1 &&
           count_rows(rows, "check/web/fail", "hook", "silenced", "0", "") == 1 && row(r.out, "hook").size() > 4 &&
           row(r.out, "hook")[4] == "0";
  })) << r.out << r.err << hale.log();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // The receiver has db's alert, and nothing about web.
  const auto got = received_alerts(shared().receiver, "/alerts");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["key"], "check/db/fail");

  EXPECT_EQ(r.out.rfind("hale at " + address() + ": 2 notifiers, ", 0), 0u) << r.out;
  EXPECT_TRUE(contains(r.out, "\nNOTIFIER  TYPE     SENT  FAILED  PENDING  OLDEST  RETRYING\n")) << r.out;
  EXPECT_EQ(row(r.out, "hook"), (std::vector<std::string>{"hook", "webhook", "1", "0", "0", "-", "-"})) << r.out;
  EXPECT_EQ(joined(row(r.out, "WHEN")), "WHEN KEY NOTIFIER STATE ATTEMPTS DETAIL") << r.out;
  const auto rows = delivery_rows(r.out);
  EXPECT_EQ(count_rows(rows, "check/db/fail", "hook", "sent", "1", "\"connection refused\""), 1u) << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/web/fail", "hook", "silenced", "0", "\"connection refused\""), 1u)
      << describe(rows);

  // Filtered, and limited.
  r = cli({"alerts", "--state", "silenced", "-n", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto silenced = delivery_rows(r.out);
  ASSERT_EQ(silenced.size(), 1u) << r.out;
  EXPECT_EQ(silenced[0].state, "silenced");
  r = cli({"alerts", "--state", "failed"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\nno failed deliveries\n")) << r.out;

  // The window, in the list of silences.
  r = cli({"silence", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(joined(row(r.out, "WINDOW")), "WINDOW MATCH KIND SCHEDULE ENDS COMMENT") << r.out;
  const auto w = row(r.out, "#1");
  ASSERT_EQ(w.size(), 13u) << r.out;
  EXPECT_EQ(joined(std::vector<std::string>(w.begin(), w.begin() + 9)), "#1 web check * * * * * (Europe/Berlin)")
      << r.out;
  EXPECT_EQ(w[9], "in");
  EXPECT_EQ(w[11] + " " + w[12], "always on");

  // Neither the admin token nor a receiver's URL is ever shown.
  for (const std::string& out : {r.out, cli({"alerts"}).out}) {
    EXPECT_FALSE(contains(out, kAlertAdminToken));
    EXPECT_FALSE(contains(out, shared().receiver.url("/alerts")));
  }
}

TEST_F(CliAlerts, SilenceMutesTheAlertUntilItIsRemovedThenItIsDelivered) {
  HaleProcess& hale = daemon();
  ASSERT_TRUE(wait_for_check(hale, "cache", "ok")) << hale.log();
  auto r = cli({"silence", "add", "--match", "subject=cache", "--for", "1h", "--comment", "cache resize"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string id = r.out.substr(0, r.out.size() - 1);
  ASSERT_TRUE(is_hex_id(id)) << r.out;
  EXPECT_EQ(silence_of(hale, id)["state"], "active");

  // cache fails: the daemon records the alert as silenced, a decision made; the receiver has
  // nothing.
  shared().cache.close();
  ASSERT_TRUE(wait_for_delivery_states(hale, "hook2", "check/cache/fail", {"silenced"}))
      << get_json(hale, "/api/v1/alerts").dump() << hale.log();
  EXPECT_EQ(shared().receiver.request_count("/cache"), 0u);
  r = cli({"alerts", "--state", "silenced"});
  EXPECT_EQ(count_rows(delivery_rows(r.out), "check/cache/fail", "hook2", "silenced", "0", "\"connection refused\""),
            1u)
      << r.out;

  // Removed while cache still fails: the alert goes out now.
  r = cli({"silence", "rm", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": expired\n");
  EXPECT_EQ(silence_of(hale, id)["state"], "expired");
  ASSERT_TRUE(eventually([&] { return shared().receiver.request_count("/cache") >= 1; })) << hale.log();
  const auto got = received_alerts(shared().receiver, "/cache");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["key"], "check/cache/fail");
  EXPECT_EQ(got[0]["resolved"], false);
  shared().cache.reopen();
}

TEST_F(CliAlerts, SilenceAddSendsWhatTheFlagsSay) {
  HaleProcess& hale = daemon();
  auto r = cli({"silence", "add", "--match", "subject=db*", "--match", "status=fail", "--for", "90m", "--comment",
                "failover drill", "--author", "alice"},
               "", {{"USER", "someone-else"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.out.size(), 33u) << r.out;
  const std::string id = r.out.substr(0, 32);
  EXPECT_TRUE(is_hex_id(id)) << r.out;
  EXPECT_EQ(r.out, id + "\n") << "only the id, for scripts";
  json s = silence_of(hale, id);
  EXPECT_EQ(s["matchers"], (json{{{"name", "subject"}, {"value", "db*"}}, {{"name", "status"}, {"value", "fail"}}}));
  EXPECT_EQ(s["comment"], "failover drill");
  EXPECT_EQ(s["author"], "alice");
  EXPECT_EQ(s["state"], "active");
  EXPECT_EQ(parse_utc(s["ends_at"]) - parse_utc(s["starts_at"]), 90 * 60) << s.dump();

  // --until with an offset reaches the daemon as that instant; the author defaults to $USER.
  const std::time_t until = std::time(nullptr) + 3 * 3600;
  std::tm local{};
  const std::time_t shifted = until + 2 * 3600;
  gmtime_r(&shifted, &local);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S+02:00", &local);
  r = cli({"silence", "add", "--match", "key=heartbeat/*", "--until", text, "--comment", "backup host rebuild"}, "",
          {{"USER", "bob"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  s = silence_of(hale, r.out.substr(0, 32));
  EXPECT_EQ(s["ends_at"], iso_utc(until)) << text;
  EXPECT_EQ(s["author"], "bob");
  EXPECT_EQ(s["matchers"], (json{{{"name", "key"}, {"value", "heartbeat/*"}}}));

  // A value may contain '='.
  r = cli({"silence", "add", "--match", "subject=a=b", "--for", "1h", "--comment", "equals"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(silence_of(hale, r.out.substr(0, 32))["matchers"][0]["value"], "a=b");
  EXPECT_FALSE(contains(r.out + r.err, kAlertAdminToken));
}

TEST_F(CliAlerts, SilenceListShowsActivePendingAndOnRequestExpired) {
  HaleProcess& hale = daemon();
  const std::vector<std::pair<std::string, std::string>> env = {{"USER", "tester"}};
  auto r = cli({"silence", "add", "--match", "subject=db", "--match", "kind=check", "--for", "2h", "--comment",
                "db migration"},
               "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string active = r.out.substr(0, 32);
  // One that starts later is made through the API; this one has no author.
  const std::time_t now = std::time(nullptr);
  const HttpReply made = admin_request("POST", hale.url(kSilences),
                                       json{{"matchers", {{{"name", "key"}, {"value", "heartbeat/*"}}}},
                                            {"starts_at", iso_utc(now + 4 * 3600)},
                                            {"ends_at", iso_utc(now + 8 * 3600)},
                                            {"comment", "backup host rebuild"}}
                                           .dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string pending = json::parse(made.body)["id"];
  r = cli({"silence", "add", "--match", "status=flapping", "--for", "1h", "--comment", "noisy"}, "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string expired = r.out.substr(0, 32);
  ASSERT_EQ(cli({"silence", "rm", expired}).exit_code, 0);

  r = cli({"silence", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(joined(row(r.out, "ID")), "ID STATE MATCHERS STARTS ENDS AUTHOR COMMENT") << r.out;
  EXPECT_EQ(r.out.rfind("ID                                STATE    MATCHERS ", 0), 0u) << r.out;
  const auto a = row(r.out, active);
  ASSERT_EQ(a.size(), 10u) << r.out;
  EXPECT_EQ(a[1], "active");
  EXPECT_EQ(a[2], "subject=db,kind=check");
  EXPECT_EQ(a[4], "ago");
  EXPECT_EQ(a[5], "in");
  EXPECT_TRUE(a[6] == "2h" || a[6] == "1h59m") << a[6];
  EXPECT_EQ(joined(a, 7), "tester db migration");
  const auto p = row(r.out, pending);
  ASSERT_EQ(p.size(), 11u) << r.out;
  EXPECT_EQ(p[1], "pending");
  EXPECT_EQ(p[2], "key=heartbeat/*");
  EXPECT_EQ(p[3], "in");
  EXPECT_TRUE(p[4] == "4h" || p[4] == "3h59m") << p[4];
  EXPECT_EQ(p[5], "in");
  EXPECT_TRUE(p[6] == "8h" || p[6] == "7h59m") << p[6];
  EXPECT_EQ(joined(p, 7), "- backup host rebuild") << "no author: -";
  EXPECT_TRUE(row(r.out, expired).empty()) << "expired ones only with --all: " << r.out;
  EXPECT_EQ(r.out.find('\033'), std::string::npos);

  r = cli({"silence", "list", "-a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GE(row(r.out, expired).size(), 2u) << r.out;
  EXPECT_EQ(row(r.out, expired)[1], "expired");
  EXPECT_EQ(row(r.out, expired)[2], "status=flapping");
}

TEST_F(CliAlerts, SilenceRmByPrefixMustNameExactlyOne) {
  HaleProcess& hale = daemon();
  // Seventeen silences: two of them start with the same hex digit.
  std::vector<std::string> mine;
  for (int i = 0; i < 17; ++i) {
    const HttpReply made = admin_request(
        "POST", hale.url(kSilences),
        json{{"matchers", {{{"name", "subject"}, {"value", "nothing-" + std::to_string(i)}}}},
             {"duration", "1h"},
             {"comment", "prefix test"}}
            .dump());
    ASSERT_EQ(made.status, 201) << made.body;
    mine.push_back(json::parse(made.body)["id"].get<std::string>());
  }
  std::string prefix;
  for (const std::string& a : mine) {
    for (const std::string& b : mine) {
      if (a != b && a[0] == b[0]) prefix = a.substr(0, 1);
    }
  }
  ASSERT_FALSE(prefix.empty());
  // Every active or pending one with that start, in the daemon's order.
  std::vector<std::string> candidates;
  for (const json& s : silences_of(hale)) {
    const std::string id = s["id"];
    if (id.starts_with(prefix) && s["state"] != "expired") candidates.push_back(id);
  }
  std::string listed;
  for (const std::string& c : candidates) listed += (listed.empty() ? "" : ", ") + c;
  auto r = cli({"silence", "rm", prefix});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: \"" + prefix + "\" is the start of " + std::to_string(candidates.size()) +
                       " silences' ids (" + listed + "); give more of it\n");
  for (const std::string& c : candidates) EXPECT_NE(silence_of(hale, c)["state"], "expired") << c;

  // Enough of one: that one ends.
  const std::string target = candidates.front();
  const std::string enough = target.substr(0, 31);
  r = cli({"silence", "rm", enough});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, target + ": expired\n");
  EXPECT_EQ(silence_of(hale, target)["state"], "expired");
  EXPECT_EQ(silence_of(hale, candidates.back())["state"], "active");

  // An expired one is no candidate any more; its full id is the daemon's 404.
  r = cli({"silence", "rm", enough});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no active or pending silence with an id starting with \"" + enough + "\" (the daemon at " +
                       address() + ")\n");
  for (const std::string& id : {target, std::string(32, 'e')}) {
    r = cli({"silence", "rm", id});
    EXPECT_EQ(r.exit_code, 2) << id;
    EXPECT_EQ(r.err, "hale: no active or pending silence with id \"" + id + "\" (the daemon at " + address() + ")\n");
  }
  for (const std::string& id : mine) admin_request("DELETE", hale.url(kSilences + "/" + id));
}

TEST_F(CliAlerts, RefusalsSayWhyAndAddNothing) {
  HaleProcess& hale = daemon();
  const std::size_t before = silences_of(hale).size();
  // The daemon's 400s, in the flags' words.
  auto r = cli({"silence", "add", "--match", "subject=db", "--for", "100000d", "--comment", "refused"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: the daemon at " + address() +
                       " refused the silence: --for is too long: the silence would end after 2262\n");
  r = cli({"silence", "add", "--match", "subject=db", "--until", "2020-01-01T00:00:00Z", "--comment", "refused"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: the daemon at " + address() + " refused the silence: --until must be after now\n");
  EXPECT_EQ(r.out, "");

  // Without the token, or with a wrong one: the daemon's 401.
  TempDir other;
  const std::string listen = "[server]\nlisten = \"127.0.0.1:" + std::to_string(hale.port()) + "\"\n";
  const std::string wrong = other.write("wrong.toml", listen + "admin_token = \"not-the-token\"\n");
  const std::string none = other.write("none.toml", listen);
  const std::vector<std::string> add = {"silence", "add", "--match", "subject=db", "--for", "1h", "--comment",
                                        "refused"};
  r = cli(add, wrong);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + address() + " refused the admin token from " + wrong +
                       " (401); does server.admin_token match the daemon's?\n");
  EXPECT_FALSE(contains(r.err, "not-the-token"));
  r = cli(add, none);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: " + none + " has no server.admin_token, and the daemon at " + address() +
                       " wants one to add a silence (401)\n");
  r = cli({"silence", "rm", std::string(32, 'a')}, none);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: " + none + " has no server.admin_token, and the daemon at " + address() +
                       " wants one to remove a silence (401)\n");
  // Reading needs no token.
  EXPECT_EQ(cli({"silence", "list"}, none).exit_code, 0);
  EXPECT_EQ(cli({"alerts"}, none).exit_code, 0);

  EXPECT_EQ(silences_of(hale).size(), before) << "a refused silence was added";
}

TEST_F(CliAlerts, BadUsageExits2AndAddsNothing) {
  HaleProcess& hale = daemon();
  const std::size_t before = silences_of(hale).size();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"alerts", "--state", "bogus"}, "--state: bogus not in {pending,accepted,sent,failed,silenced}"},
      {{"alerts", "-n", "0"}, "--limit: Value 0 not in range 1 to 1000"},
      {{"alerts", "-n", "1001"}, "--limit: Value 1001 not in range 1 to 1000"},
      {{"silence"}, "A subcommand is required"},
      {{"silence", "rm"}, "id is required"},
      {{"silence", "rm", ""}, "hale silence rm: ID must not be empty"},
      {{"silence", "add", "--for", "1h", "--comment", "usage"}, "--match is required"},
      {{"silence", "add", "--match", "subject=db", "--for", "1h"}, "--comment is required"},
      {{"silence", "add", "--match", "subject=db", "--for", "1h", "--comment", ""},
       "hale silence add: --comment must say why the alerts are muted"},
      {{"silence", "add", "--match", "subject=db", "--comment", "usage"},
       "hale silence add: give one of --for DURATION (e.g. 2h) and --until TIME (ISO 8601)"},
      {{"silence", "add", "--match", "subject=db", "--for", "1h", "--until", "2030-01-01T00:00:00Z", "--comment",
        "usage"},
       "--for excludes --until"},
      {{"silence", "add", "--match", "host=db", "--for", "1h", "--comment", "usage"},
       "hale silence add: --match \"host=db\" must be NAME=GLOB with NAME one of subject, kind, status, key (e.g. "
       "--match subject=db)"},
      {{"silence", "add", "--match", "subject=", "--for", "1h", "--comment", "usage"}, "--match \"subject=\" must be"},
      {{"silence", "add", "--match", "db", "--for", "1h", "--comment", "usage"}, "--match \"db\" must be"},
      {{"silence", "add", "--match", "subject=db", "--for", "2x", "--comment", "usage"},
       "hale silence add: invalid --for \"2x\" (e.g. 30m, 2h, 1d)"},
      {{"silence", "add", "--match", "subject=db", "--for", "0s", "--comment", "usage"}, "invalid --for \"0s\""},
      {{"silence", "add", "--match", "subject=db", "--until", "tomorrow", "--comment", "usage"},
       "hale silence add: invalid --until \"tomorrow\" (an ISO 8601 time"},
  };
  for (const auto& [args, message] : cases) {
    auto r = cli(args);
    const std::string shown = joined(args);
    EXPECT_EQ(r.exit_code, 2) << shown << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << shown << ": " << r.err;
    EXPECT_EQ(r.out, "") << shown;
  }
  EXPECT_EQ(silences_of(hale).size(), before) << "a bad command line added a silence";
}

// ---- daemons configured otherwise ----

// Four notifiers that answer differently, subjects that fail, recover, flap and are muted: every
// kind of row `hale alerts` has, as the daemon makes them.
std::string tables_config(std::uint16_t cache, std::uint16_t flappy, const TestHttpServer& receivers, bool with_old) {
  return "[server]\nlisten = \"127.0.0.1:{PORT}\"\nstate_dir = \"{STATE_DIR}\"\n" +
         tcp_check("db", closed_loopback_port(), "100ms") + tcp_check("web", closed_loopback_port(), "100ms") +
         tcp_check("cache", cache, "100ms") + tcp_check("flappy", flappy, "100ms") +
         webhook_notifier("chat", receivers.url("/chat")) +
         webhook_notifier("oncall", receivers.url("/oncall"), "retry = { base = \"1h\", max = \"1h\" }\n") +
         webhook_notifier("pager", receivers.url("/pager")) +
         (with_old ? webhook_notifier("old", receivers.url("/old")) : "") +
         "\n[[alerts]]\nmatch = \"db\"\nnotify = [\"chat\"]\nrepeat = \"1s\"\n"
         "\n[[alerts]]\nmatch = \"db\"\nnotify = [\"oncall\", \"pager\"" + (with_old ? ", \"old\"" : "") + "]\n" +
         "\n[[alerts]]\nmatch = [\"cache\", \"web\"]\nnotify = [\"chat\", \"oncall\"]\n"
         "\n[[alerts]]\nmatch = \"flappy\"\nnotify = [\"chat\"]\nflapping = { max_changes = 1, window = \"10m\" }\n"
         "\n[[silences]]\nmatch = [\"web\"]\nschedule = \"* * * * *\"\nduration = \"1h\"\ncomment = \"web rebuild\"\n";
}

TEST(CliAlertsDaemon, TablesOfEveryKindOfDeliveryAndNotifier) {
  TcpListener cache, flappy;
  TestHttpServer receivers;
  receivers.set("/chat", TestResponse::ok());
  receivers.set("/oncall", TestResponse::with_status(503, "busy"));
  receivers.set("/pager", TestResponse::with_status(404, "no such hook"));
  receivers.set("/old", TestResponse::ok());
  HaleProcess hale(tables_config(cache.port(), flappy.port(), receivers, true));
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::string at = "127.0.0.1:" + std::to_string(hale.port());
  ASSERT_TRUE(wait_for_check(hale, "cache", "ok") && wait_for_check(hale, "flappy", "ok")) << hale.log();
  // oncall refused db's alert: it backs off (an hour), and what comes next waits behind it.
  ASSERT_TRUE(eventually([&] {
    const auto d = deliveries(hale, "oncall", "check/db/fail");
    return d.size() == 1 && d[0].value("attempts", 0) >= 1;
  })) << get_json(hale, "/api/v1/alerts").dump() << hale.log();
  // cache fails and recovers; flappy too, which is a change too many for its rule.
  for (TcpListener* l : {&cache, &flappy}) {
    const std::string name = l == &cache ? "cache" : "flappy";
    l->close();
    ASSERT_TRUE(wait_for_check(hale, name, "fail")) << hale.log();
    l->reopen();
    ASSERT_TRUE(wait_for_check(hale, name, "ok")) << hale.log();
  }

  CommandResult r;
  std::vector<DeliveryRow> rows;
  ASSERT_TRUE(eventually([&] {
    r = run_hale({"alerts", "-c", hale.config_path(), "-n", "100"});
    rows = delivery_rows(r.out);
    return count_rows(rows, "check/cache/fail", "chat", "sent", "1", "resolved") == 1 &&
           count_rows(rows, "check/flappy/flapping", "chat", "sent", "1", "flapping") == 1 &&
           count_rows(rows, "check/db/fail", "chat", "sent", "1", "reminder 1;") == 1 &&
           count_rows(rows, "check/db/fail", "pager", "failed", "1", "") == 1 &&
           count_rows(rows, "check/db/fail", "old", "sent", "1", "") == 1 &&
           count_rows(rows, "check/cache/fail", "oncall", "pending", "0", "resolved") == 1;
  }, 15s)) << r.out << r.err << hale.log();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");

  EXPECT_EQ(r.out.rfind("hale at " + at + ": 4 notifiers, 3 deliveries pending\n\n", 0), 0u) << r.out;
  EXPECT_TRUE(contains(r.out, "\nNOTIFIER  TYPE     SENT  FAILED  PENDING  OLDEST  RETRYING\n")) << r.out;
  const auto chat = row(r.out, "chat");
  ASSERT_EQ(chat.size(), 7u) << r.out;
  EXPECT_EQ(chat[1], "webhook");
  EXPECT_GE(std::stoi(chat[2]), 5) << r.out;  // db, its reminders, cache and its resolution, flappy
  EXPECT_EQ(joined(chat, 3), "0 0 - -") << r.out;
  const auto oncall = row(r.out, "oncall");
  ASSERT_EQ(oncall.size(), 8u) << r.out;
  EXPECT_EQ(joined(std::vector<std::string>(oncall.begin() + 1, oncall.begin() + 5)), "webhook 0 0 3") << r.out;
  EXPECT_EQ(oncall[6], "in") << "backing off: " << r.out;
  EXPECT_EQ(row(r.out, "pager"), (std::vector<std::string>{"pager", "webhook", "0", "1", "0", "-", "-"})) << r.out;
  EXPECT_EQ(row(r.out, "old"), (std::vector<std::string>{"old", "webhook", "1", "0", "0", "-", "-"})) << r.out;

  // Pending first, oldest first: db's refused one, then cache's two waiting behind it.
  ASSERT_GE(rows.size(), 3u) << r.out;
  EXPECT_TRUE(rows[0].text().starts_with("check/db/fail oncall pending 1 HTTP 503")) << describe(rows);
  EXPECT_TRUE(contains(rows[0].detail, "; next attempt in ")) << describe(rows);
  EXPECT_EQ(rows[1].text(), "check/cache/fail oncall pending 0 not tried yet") << describe(rows);
  EXPECT_EQ(rows[2].text(), "check/cache/fail oncall pending 0 resolved; not tried yet") << describe(rows);
  // Then the finished ones: the alert's own message in quotes, or what ended it.
  EXPECT_EQ(count_rows(rows, "check/db/fail", "chat", "sent", "1", "\"connection refused\""), 1u) << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/db/fail", "chat", "sent", "1", "reminder 1; \"connection refused\""), 1u)
      << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/cache/fail", "chat", "sent", "1", "\"connection refused\""), 1u) << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/flappy/flapping", "chat", "sent", "1", "flapping; \""), 1u) << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/web/fail", "chat", "silenced", "0", "\"connection refused\""), 1u)
      << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/web/fail", "oncall", "silenced", "0", "\"connection refused\""), 1u)
      << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/db/fail", "pager", "failed", "1", "HTTP 404"), 1u) << describe(rows);
  EXPECT_EQ(count_rows(rows, "check/db/fail", "old", "sent", "1", "\"connection refused\""), 1u) << describe(rows);
  // What the receivers got agrees: pager and oncall refused, web muted.
  for (const json& a : received_alerts(receivers, "/chat", 200)) EXPECT_NE(a["key"], "check/web/fail");

  r = run_hale({"alerts", "-c", hale.config_path(), "--state", "failed"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rows = delivery_rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0].notifier, "pager");
  r = run_hale({"alerts", "-c", hale.config_path(), "-n", "2"});
  EXPECT_EQ(delivery_rows(r.out).size(), 2u) << r.out;

  // This daemon has no admin_token: silences cannot be added or removed (reading works).
  const std::string no_token = "hale: the daemon at " + at +
                               " has no admin_token, so silences cannot be added or removed (403); set "
                               "server.admin_token in its config\n";
  r = run_hale({"silence", "add", "-c", hale.config_path(), "--match", "subject=db", "--for", "1h", "--comment", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, no_token);
  r = run_hale({"silence", "rm", "-c", hale.config_path(), std::string(32, 'a')});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, no_token);
  r = run_hale({"silence", "list", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("no active or pending silences\n\nWINDOW ", 0), 0u) << r.out;

  // A reload takes notifier old away: its rows stay, under its name, without a type.
  hale.rewrite_config(tables_config(cache.port(), flappy.port(), receivers, false));
  hale.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return !log_events(hale, "reloaded").empty(); })) << hale.log();
  ASSERT_TRUE(eventually([&] {
    r = run_hale({"alerts", "-c", hale.config_path(), "-n", "100"});
    return row(r.out, "old").size() > 1 && row(r.out, "old")[1] == "(removed)";
  })) << r.out << hale.log();
  EXPECT_EQ(count_rows(delivery_rows(r.out), "check/db/fail", "old", "sent", "1", ""), 1u) << r.out;
}

TEST(CliAlertsDaemon, NothingConfiguredNothingYet) {
  HaleProcess hale(alert_server_section());
  ASSERT_TRUE(hale.start()) << hale.log();
  const std::string at = "127.0.0.1:" + std::to_string(hale.port());
  auto r = run_hale({"alerts", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hale at " + at +
                       ": 0 notifiers, 0 deliveries pending\n"
                       "\n"
                       "no notifiers configured\n"
                       "\n"
                       "no alert deliveries yet\n");
  r = run_hale({"alerts", "-c", hale.config_path(), "--state", "silenced"});
  EXPECT_TRUE(contains(r.out, "\nno silenced deliveries\n")) << r.out;

  r = run_hale({"silence", "list", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no active or pending silences\n");
  r = run_hale({"silence", "add", "-c", hale.config_path(), "--match", "subject=db", "--for", "1h", "--comment",
                "short-lived"},
               30s, {{"USER", "tester"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string id = r.out.substr(0, 32);
  r = run_hale({"silence", "rm", "-c", hale.config_path(), id.substr(0, 6)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": expired\n");
  r = run_hale({"silence", "list", "-c", hale.config_path()});
  EXPECT_EQ(r.out, "no active or pending silences (1 expired: hale silence list --all)\n");
  r = run_hale({"silence", "list", "-c", hale.config_path(), "--all"});
  const auto expired = row(r.out, id);
  ASSERT_GE(expired.size(), 8u) << r.out;
  EXPECT_EQ(expired[1], "expired");
  EXPECT_EQ(joined(expired, expired.size() - 2), "tester short-lived") << r.out;
  // Gone already: a usage error, as an unknown service is for hale stop.
  r = run_hale({"silence", "rm", "-c", hale.config_path(), id});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hale: no active or pending silence with id \"" + id + "\" (the daemon at " + at + ")\n");
}

TEST(CliAlertsDaemon, AnOutboxInMemoryOnlyIsSaid) {
  // state_dir under a regular file: alerts are sent, but a restart would lose the pending ones.
  TempDir dir;
  const std::string blocker = dir.write("blocker", "");
  WebhookReceiver hook;
  TcpListener db;
  HaleProcess hale(alert_server_section(blocker + "/state") + tcp_check("db", db.port()) + hook.notifier("hook") +
                   alert_rule("db", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();
  auto r = run_hale({"alerts", "-c", hale.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("hale at 127.0.0.1:" + std::to_string(hale.port()) +
                            ": 1 notifier, 0 deliveries pending (outbox in memory only: state_dir is unusable)\n",
                        0),
            0u)
      << r.out;
}

TEST(CliAlertsDaemon, NoDaemonIsOneClearLine) {
  TempDir dir;
  const std::string closed = "127.0.0.1:" + std::to_string(closed_loopback_port());
  const auto nobody = dir.write("nobody.toml", "[server]\nlisten = \"" + closed + "\"\n");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"alerts"}, {"silence", "list"}, {"silence", "rm", "abc"}, {"silence", "rm", std::string(32, 'a')},
           {"silence", "add", "--match", "subject=db", "--for", "1h", "--comment", "x"}}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"-c", nobody});
    auto r = run_hale(a);
    EXPECT_EQ(r.exit_code, 1) << joined(args);
    EXPECT_EQ(r.err, "hale: no hale daemon answers at " + closed + " (listen from " + nobody + "); is \"hale run -c " +
                         nobody + "\" running?\n")
        << joined(args);
    EXPECT_EQ(r.out, "");
  }
}

// ---- answers no real hale gives ----

json api_error(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

TestResponse json_answer(int status, const json& body) {
  return TestResponse::with_status(status, body.dump()).header("Content-Type", "application/json");
}

TEST(CliAlertsFake, AnswersNoRealDaemonGives) {
  // Fake: each answer below is one that a hale with the alerts API never gives (it is there in
  // every build, alerting always runs, its errors are JSON), but an older hale, another server
  // on the port or a broken proxy could.
  TestHttpServer fake;
  TempDir dir;
  const std::string at = "127.0.0.1:" + std::to_string(fake.port());
  const auto cfg = dir.write("hale.toml", "[server]\nlisten = \"" + at + "\"\nadmin_token = \"fake-token\"\n");
  const std::vector<std::string> add = {"silence", "add", "-c", cfg, "--match", "subject=db", "--for", "1h",
                                        "--comment", "x"};

  // A bare 404 everywhere: an older hale.
  auto r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + at + " has no alerts API (404); is it an older hale?\n");
  r = run_hale({"silence", "list", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + at + " has no silences API (404); is it an older hale?\n");

  // 503: alerting not running (a daemon of the library embedded without it).
  fake.set("/api/v1/alerts", json_answer(503, api_error("alerting_unavailable", "alerting is not running")));
  r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + at + " answered 503 to GET /api/v1/alerts: alerting is not running\n");
  fake.set(kSilences, json_answer(503, api_error("alerting_unavailable", "alerting is not running")));
  r = run_hale(add);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: alerting is not running in the daemon at " + at + " (503): alerting is not running\n");

  // Any other status: its number and the daemon's message.
  fake.set(kSilences, json_answer(500, api_error("internal", "boom")));
  r = run_hale(add);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hale: the daemon at " + at + " answered 500 when asked to add a silence: boom\n");
  EXPECT_EQ(r.out, "");

  // Not JSON.
  fake.set("/api/v1/alerts", TestResponse::ok("<html>"));
  r = run_hale({"alerts", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "not a JSON object")) << r.err;
  EXPECT_FALSE(contains(r.err, "fake-token"));
}

}  // namespace
}  // namespace hale::testing
