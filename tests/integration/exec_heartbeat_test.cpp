// `hale exec` against a real `hale run` (SPEC §5 end to end): a real successful, failing,
// silent and "successful but unauthorized" command, each judged by the daemon from what hale exec
// sent; and a token that only the environment carries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPingToken = "exec-ping-token-93be";

class ExecHeartbeatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hale_.set_env("HALE_TEST_EXEC_TOKEN", kPingToken);
    ASSERT_TRUE(hale_.start()) << hale_.log();
  }

  CommandResult exec(const std::string& heartbeat, const std::vector<std::string>& command,
                     const std::string& token = "") {
    std::vector<std::string> args = {"exec", "--heartbeat", heartbeat, "--url", hale_.url(""), "--"};
    args.insert(args.end(), command.begin(), command.end());
    return run_hale(args, 30s, {{"HALE_URL", ""}, {"HALE_PING_TOKEN", token}});
  }

  nlohmann::json heartbeat(const std::string& name) {
    const HttpReply r = http_get(hale_.url("/api/v1/heartbeats/" + name));
    return r.status == 200 ? nlohmann::json::parse(r.body) : nlohmann::json();
  }

  TempDir state_;
  HaleProcess hale_{server_section(state_.path().string()) + R"(
[heartbeats.backup]
period = "1h"
require_output = true
fail_if_output_matches = "(?i)401|unauthorized"

[heartbeats.secured]
period = "1h"
token = "env:HALE_TEST_EXEC_TOKEN"
)"};
};

TEST_F(ExecHeartbeatTest, ASuccessfulJobIsUpWithItsOutputAndDuration) {
  const CommandResult r = exec("backup", {"sh", "-c", "echo backed up 3 files; sleep 0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "backed up 3 files\n");  // passed through
  const nlohmann::json h = heartbeat("backup");
  EXPECT_EQ(h["state"], "up");
  ASSERT_EQ(h["runs"].size(), 1u);
  const nlohmann::json& run = h["runs"][0];
  EXPECT_EQ(run["verdict"], "success");
  EXPECT_EQ(run["exit_code"], 0);
  EXPECT_EQ(run["output"], "backed up 3 files\n");
  EXPECT_FALSE(run["started"].is_null()) << "hale exec sent /start";
  EXPECT_GE(run["duration_ms"].get<int>(), 200);
}

TEST_F(ExecHeartbeatTest, AFailingJobIsDownWithItsExitCodeAndKeepsIt) {
  const CommandResult r = exec("backup", {"sh", "-c", "echo dumping; echo 'pg_dump: connection refused' >&2; exit 4"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err.find("pg_dump: connection refused"), 0u) << r.err;  // stderr passed through
  const nlohmann::json h = heartbeat("backup");
  EXPECT_EQ(h["state"], "down");
  EXPECT_EQ(h["reason"], "exit code 4");
  EXPECT_EQ(h["runs"][0]["exit_code"], 4);
  const std::string output = h["runs"][0]["output"];
  EXPECT_NE(output.find("dumping\n"), std::string::npos);
  EXPECT_NE(output.find("pg_dump: connection refused\n"), std::string::npos);
  EXPECT_EQ(http_get(hale_.url("/health/backup")).status, 503);
}

TEST_F(ExecHeartbeatTest, ASilentSuccessIsCaught) {
  const CommandResult r = exec("backup", {"true"});
  EXPECT_EQ(r.exit_code, 0) << "hale exec keeps the job's code; the daemon judges the run";
  const nlohmann::json h = heartbeat("backup");
  EXPECT_EQ(h["state"], "down");
  EXPECT_EQ(h["reason"], "completed with no output");
}

TEST_F(ExecHeartbeatTest, ASuccessThatSaysUnauthorizedIsCaught) {
  const CommandResult r = exec("backup", {"sh", "-c", "echo fetching; echo 'HTTP/1.1 401 Unauthorized'; exit 0"});
  EXPECT_EQ(r.exit_code, 0);
  const nlohmann::json h = heartbeat("backup");
  EXPECT_EQ(h["state"], "down");
  EXPECT_EQ(h["reason"], "output matched: HTTP/1.1 401 Unauthorized");
}

TEST_F(ExecHeartbeatTest, TheTokenComesFromTheEnvironmentOnly) {
  // Without it the job still runs, hale exec says why the ping was refused, nothing is recorded.
  CommandResult r = exec("secured", {"sh", "-c", "echo ran"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_NE(r.err.find("token"), std::string::npos) << r.err;
  EXPECT_EQ(heartbeat("secured")["state"], "new");

  r = exec("secured", {"sh", "-c", "echo ran"}, kPingToken);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(heartbeat("secured")["state"], "up");
  for (const std::string& text : {r.out, r.err, hale_.log(), http_get(hale_.url("/health")).body}) {
    EXPECT_EQ(text.find(kPingToken), std::string::npos);
  }
}

TEST_F(ExecHeartbeatTest, AnUnknownHeartbeatStillRunsTheJob) {
  const CommandResult r = exec("nightly", {"sh", "-c", "echo still ran; exit 2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "still ran\n");
  EXPECT_NE(r.err.find("nightly"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hale::testing
