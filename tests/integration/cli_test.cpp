// The hale CLI as a user runs it: validate, probe, version, help, exit codes.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

TEST(Cli, ValidateGoodConfigPrintsSummary) {
  TempDir dir;
  auto path = dir.write("hale.toml", R"([checks.db]
type = "tcp"
target = "127.0.0.1:5432"

[checks.web]
type = "http"
url = "http://127.0.0.1:8080/"
critical = false

[heartbeats.backup]
schedule = "0 3 * * *"
)");
  auto r = run_hale({"validate", "-c", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(path + ": ok: 2 checks (1 critical; http, tcp), 0 services, 1 heartbeat, 0 custom groups, "
                              "0 notifiers, 0 alert rules, listen 127.0.0.1:8099\n"),
            std::string::npos)
      << r.out;
}

TEST(Cli, MatrixRendersTheConfigsDegradedModeInEachFormatAndRefusesABadOne) {
  TempDir dir;
  auto path = dir.write("hale.toml", R"([checks.guard]
type = "tcp"
target = "127.0.0.1:8000"

[services.agent]
command = ["./agent"]
require = ["guard"]
)");
  auto text = run_hale({"matrix", "-c", path});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out,
            "when check guard is down (critical):\n"
            "  /health   503\n"
            "  /livez    200\n"
            "  /readyz   503\n"
            "  guards    /guard/guard: guard_not_ready, /guard/agent: agent_not_ready\n"
            "  services  agent: stopped (held: guard fail) until every requirement is usable\n"
            "  blocked   -\n"
            "  alerted   nobody\n");
  auto md = run_hale({"matrix", "-c", path, "--format", "markdown"});
  EXPECT_EQ(md.exit_code, 0);
  EXPECT_EQ(md.out.rfind("| down | /health |", 0), 0u) << md.out;
  auto json = run_hale({"matrix", "-c", path, "--format", "json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"readyz\": \"503\""), std::string::npos) << json.out;
  auto bad_format = run_hale({"matrix", "-c", path, "--format", "xml"});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_EQ(bad_format.err, "hale matrix: unknown format \"xml\" (text, markdown, json)\n");
  auto bad_config = run_hale({"matrix", "-c", dir.write("bad.toml", "[services.agent]\ncommand = [\"./a\"]\nrequire = [\"gaurd\"]\n")});
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.err.find("bad.toml:3:12: `require` names \"gaurd\", which is neither a check nor a heartbeat"),
            std::string::npos)
      << bad_config.err;
}

TEST(Cli, ValidateSummaryCountsNotifiersRulesAndSilences) {
  TempDir dir;
  auto path = dir.write("hale.toml", R"([checks.db]
type = "tcp"
target = "127.0.0.1:5432"

[notifiers.ops]
type = "webhook"
url = "https://hooks.internal/hale"

[notifiers.mail]
type = "email"
url = "smtp://127.0.0.1:25"
from = "hale@localhost"
to = "root@localhost"

[[alerts]]
match = "db"
notify = "ops"

[[silences]]
schedule = "0 2 * * 0"
duration = "2h"
)");
  auto r = run_hale({"validate", "-c", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(path + ": ok: 1 check (1 critical; tcp), 0 services, 0 heartbeats, 0 custom groups, "
                              "2 notifiers, 1 alert rule, 1 silence, listen 127.0.0.1:8099\n"),
            std::string::npos)
      << r.out;
}

TEST(Cli, ValidateBadConfigPrintsPositionsAndExits2) {
  TempDir dir;
  auto path = dir.write("hale.toml", R"([checks.db]
type = "tcp"
target = "127.0.0.1:5432"
intervall = "10s"
timeout = "soon"
)");
  auto r = run_hale({"validate", "-c", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":4:1: unknown key `intervall` in [checks.db]; did you mean `interval`?"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":5:11:"), std::string::npos) << r.err;
}

TEST(Cli, ValidateOfADeviceOrAFifoEndsAtOnceWithExit2) {
  // Issue 17: `hale validate -c /dev/zero` never ended (1.5 GB after 1.5 s); a FIFO blocked.
  TempDir dir;
  const std::string fifo = (dir.path() / "config.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {std::string("/dev/zero"), fifo}) {
    const auto r = run_hale({"validate", "-c", path}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 2) << path << r.err;
    EXPECT_NE(r.err.find(path + ": cannot read file: not a regular file"), std::string::npos) << r.err;
  }
}

TEST(Cli, ValidateRefusesNamesThatAreAPathOrAnOptionAndPortsOutOfRange) {
  // Issue 17: a service named ".." passed and could not be stopped from the CLI; port 99999 passed.
  TempDir dir;
  auto path = dir.write("hale.toml", "[services.\"..\"]\ncommand = [\"/bin/true\"]\n\n[checks.\"-v\"]\ntype = \"tcp\"\n"
                                     "target = \"127.0.0.1:1\"\n\n[checks.web]\ntype = \"http\"\nurl = \"http://127.0.0.1:99999/\"\n");
  const auto r = run_hale({"validate", "-c", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":1:1: service name \"..\": a name starts with a letter or a digit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":4:1: check name \"-v\": a name starts with a letter or a digit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":10:7: `url` has a port that is not a number from 1 to 65535"), std::string::npos) << r.err;
}

TEST(Cli, RunWithBadConfigExits2) {
  TempDir dir;
  auto path = dir.write("hale.toml", "[checks.x]\ntype = \"nope\"\n");
  auto r = run_hale({"run", "-c", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":2:8:"), std::string::npos) << r.err;
}

TEST(Cli, MissingConfigFileIsAClearError) {
  auto r = run_hale({"validate", "-c", "/nonexistent/hale.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/hale.toml"), std::string::npos);
}

TEST(Cli, ProbeTcpExitCodes) {
  TcpListener up;
  auto ok = run_hale({"probe", "127.0.0.1:" + std::to_string(up.port())});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.rfind("ok 127.0.0.1:", 0), 0u) << ok.out;
  auto down = run_hale({"probe", "127.0.0.1:" + std::to_string(free_port()), "--timeout", "2s"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.out.find("fail"), std::string::npos);
  EXPECT_NE(down.out.find("connection refused"), std::string::npos) << down.out;
  EXPECT_EQ(std::count(down.out.begin(), down.out.end(), '\n'), 1);
}

TEST(Cli, ProbeHttpAgainstARunningHale) {
  TcpListener up;
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\n[checks.up]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
                   std::to_string(up.port()) + "\"\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));
  auto r = run_hale({"probe", hale.url("/readyz")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto missing = run_hale({"probe", hale.url("/readyz/nope")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("404"), std::string::npos) << missing.out;
}

TEST(Cli, ProbeRejectsBadArguments) {
  EXPECT_EQ(run_hale({"probe", "not-a-target"}).exit_code, 2);
  EXPECT_EQ(run_hale({"probe", "127.0.0.1:1", "--timeout", "fast"}).exit_code, 2);
}

TEST(Cli, VersionAndHelp) {
  auto v = run_hale({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("hale ", 0), 0u);
  auto h = run_hale({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* word : {"run", "validate", "probe", "version"}) {
    EXPECT_NE(h.out.find(word), std::string::npos) << word;
  }
  EXPECT_EQ(run_hale({"frobnicate"}).exit_code, 2);
}

}  // namespace
}  // namespace hale::testing
