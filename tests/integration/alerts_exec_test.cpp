// The exec notifier end to end (SPEC §6, docs/alerts.md "exec"): hale runs the command (argv,
// no shell) with the webhook object and a newline on stdin; exit 0 is accepted, any other exit
// is retried with backoff.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/file_text.h"
#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/tcp_listener.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(AlertsExec, TheCommandReadsOneJsonLinePerAlert) {
  TempDir out_dir;
  const std::string out = (out_dir.path() / "alerts.jsonl").string();
  TcpListener db;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port()) +
                   "\n[notifiers.pager]\ntype = \"exec\"\ncommand = [\"/usr/bin/tee\", \"-a\", \"" + out + "\"]\n" +
                   alert_rule("db", "pager"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();
  db.close();
  ASSERT_TRUE(eventually([&] { return lines_of(file_text(out)).size() >= 1; })) << hale.log();
  db.reopen();
  ASSERT_TRUE(eventually([&] { return lines_of(file_text(out)).size() >= 2; })) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "pager", "", {"sent", "sent"})) << hale.log();

  const std::string text = file_text(out);
  EXPECT_EQ(text.back(), '\n');
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 2u) << text;
  const nlohmann::json a = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(a["key"], "check/db/fail");
  EXPECT_EQ(a["status"], "fail");
  EXPECT_EQ(a["previous"], "ok");
  EXPECT_EQ(a["resolved"], false);
  EXPECT_TRUE(is_delivery_id(a.value("id", "")));
  const nlohmann::json r = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(r["key"], "check/db/fail");
  EXPECT_EQ(r["resolved"], true);
  EXPECT_EQ(r["status"], "ok");
  // The API's ids are the ones the command read.
  std::set<std::string> api_ids;
  for (const auto& d : deliveries(hale, "pager")) api_ids.insert(d["id"].get<std::string>());
  EXPECT_EQ(api_ids, (std::set<std::string>{a["id"].get<std::string>(), r["id"].get<std::string>()}));
}

TEST(AlertsExec, ACommandThatExitsOneIsRetried) {
  TempDir out_dir;
  const std::string flag = (out_dir.path() / "failed-once").string();
  const std::string out = (out_dir.path() / "alerts.jsonl").string();
  // Fails (exit 1, saying why) the first time, accepts the second. /bin/sh is the test's
  // choice of argv[0], not hale's: hale runs argv without a shell.
  const std::string script = "if [ -e " + flag + " ]; then cat >> " + out + "; else touch " + flag +
                             "; echo 'pager: no route to oncall'; exit 1; fi";
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   "\n[notifiers.pager]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"-c\", \"" + script +
                   "\"]\nretry = { base = \"200ms\", max = \"1s\" }\n" + alert_rule("db", "pager"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "pager", "check/db/fail", {"sent"})) << hale.log();
  const nlohmann::json d = deliveries(hale, "pager", "check/db/fail")[0];
  EXPECT_EQ(d["attempts"], 2);
  const auto retries = log_events(hale, "alert_delivery_retry");
  ASSERT_EQ(retries.size(), 1u) << hale.log();
  EXPECT_EQ(retries[0]["reason"], "exit status 1: pager: no route to oncall");
  const std::vector<std::string> lines = lines_of(file_text(out));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["id"], d["id"]);
}

// Whether a process with exactly this argv is running (from /proc/*/cmdline).
bool running_with_argv(const std::vector<std::string>& argv) {
  std::string wanted;
  for (const auto& a : argv) wanted += a + '\0';
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (file_text((entry.path() / "cmdline").string()) == wanted) return true;
  }
  return false;
}

TEST(AlertsExec, ACommandThatHangsIsKilledAtItsTimeoutRetriedAndDiesWithHale) {
  // A duration no other test uses, so that /proc finds only this one.
  const std::vector<std::string> argv{"/bin/sleep", "31.7"};
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   "\n[notifiers.pager]\ntype = \"exec\"\ncommand = [\"" + argv[0] + "\", \"" + argv[1] +
                   "\"]\ntimeout = \"500ms\"\nretry = { base = \"200ms\", max = \"500ms\" }\n" +
                   alert_rule("db", "pager"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return log_events(hale, "alert_delivery_retry").size() >= 2; })) << hale.log();
  const auto retries = log_events(hale, "alert_delivery_retry");
  EXPECT_EQ(retries[0]["reason"], "timeout") << retries[0].dump();
  const nlohmann::json d = deliveries(hale, "pager", "check/db/fail")[0];
  EXPECT_EQ(d["state"], "pending");
  EXPECT_GE(d["attempts"].get<int>(), 2);
  // Killed at each timeout, and with hale: not even a kill -9 of hale leaves one behind.
  hale.signal(SIGKILL);
  ASSERT_TRUE(hale.wait_exit().has_value());
  EXPECT_TRUE(eventually([&] { return !running_with_argv(argv); }, 5s)) << "a notifier command outlived hale";
}

}  // namespace
}  // namespace hale::testing
