// Checks of every kind through the daemon: Debian's monitoring-plugins unmodified through
// exec, and a hung target that must not delay other checks or the endpoints.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

// How many processes whose parent is `parent` run the program `comm` (from /proc; a zombie
// counts too: it was not reaped).
int children_named(pid_t parent, const std::string& comm) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    pid_t ppid;
    if (rest >> state >> ppid && ppid == parent && line.substr(open + 1, close - open - 1) == comm) ++n;
  }
  return n;
}

TEST(DaemonProbes, MonitoringPluginsThroughExec) {
  TcpListener target;
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[defaults]
interval = "300ms"
timeout = "5s"
failure_threshold = 1

[checks.dummy-ok]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_dummy", "0", "all good"]

[checks.dummy-warn]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_dummy", "1", "getting full"]

[checks.dummy-crit]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_dummy", "2", "on fire"]
critical = false

[checks.tcp-plugin]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_tcp", "-H", "127.0.0.1", "-p", ")" +
                   std::to_string(target.port()) + R"("]
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json h;
  ASSERT_TRUE(eventually([&] {
    h = nlohmann::json::parse(http_get(hale.url("/health")).body, nullptr, false);
    if (!h.is_object()) return false;
    for (auto& [name, c] : h["checks"].items()) {
      if (c["status"] == "unknown") return false;
    }
    return true;
  })) << h.dump();
  EXPECT_EQ(h["checks"]["dummy-ok"]["status"], "ok");
  EXPECT_EQ(h["checks"]["dummy-warn"]["status"], "degraded");
  EXPECT_EQ(h["checks"]["dummy-crit"]["status"], "fail");
  EXPECT_EQ(h["checks"]["tcp-plugin"]["status"], "ok");
  EXPECT_EQ(h["status"], "degraded");
  auto ok = nlohmann::json::parse(http_get(hale.url("/health/dummy-ok")).body);
  EXPECT_EQ(ok["message"], "OK: all good");
  auto crit = nlohmann::json::parse(http_get(hale.url("/health/dummy-crit")).body);
  EXPECT_EQ(crit["error"], "CRITICAL: on fire");
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
}

TEST(DaemonProbes, AnExecCheckShowsItsFirstLineOnlyBoundedMaskedAndWithoutControlCharacters) {
  // Issue 17, decided with SPEC §2 (a Nagios plugin's first line is the reason): the first line
  // with text, without perfdata, control characters dropped, at most 200 bytes, every configured
  // secret masked; nothing else of the output, anywhere.
  setenv("HALE_TEST_EXEC_SECRET", "s3cret-in-the-output", 1);
  const std::string long_tail(300, 'x');
  HaleProcess hale(std::string("[server]\nlisten = \"127.0.0.1:{PORT}\"\nadmin_token = \"env:HALE_TEST_EXEC_SECRET\"\n") +
                   "\n[checks.job]\ntype = \"exec\"\ninterval = \"200ms\"\ncommand = [\"/usr/bin/printf\", "
                   "\"\\\\n\\\\033[2Jdisk ok: %s %s|used=1\\\\nSECOND-LINE-never-shown\\\\n\", "
                   "\"s3cret-in-the-output\", \"" + long_tail + "\"]\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = nlohmann::json::parse(http_get(hale.url("/health/job")).body, nullptr, false);
    return j.is_object() && j.value("status", "") == "ok";
  })) << hale.log();
  const std::string message = j["message"];
  EXPECT_EQ(message.rfind("[2Jdisk ok: ", 0), 0u) << message;
  EXPECT_LE(message.size(), 200u) << message;
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << "a control character survived";
  EXPECT_EQ(message.find("s3cret-in-the-output"), std::string::npos) << "the secret was not masked: " << message;
  EXPECT_EQ(message.find('|'), std::string::npos) << "perfdata shown";
  for (const char* where : {"/health", "/health/job", "/metrics", "/api/v1/checks"}) {
    const std::string body = http_get(hale.url(where)).body;
    EXPECT_EQ(body.find("SECOND-LINE"), std::string::npos) << where;
    EXPECT_EQ(body.find("s3cret-in-the-output"), std::string::npos) << where;
  }
  EXPECT_EQ(hale.log().find("SECOND-LINE"), std::string::npos);
  EXPECT_EQ(hale.log().find("s3cret-in-the-output"), std::string::npos);
}

TEST(DaemonProbes, HungTargetDelaysNothingElse) {
  TcpListener target;
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[checks.hung]
type = "exec"
command = ["/bin/sleep", "30"]
interval = "400ms"
timeout = "300ms"
failure_threshold = 1
critical = false

[checks.fast]
type = "tcp"
target = "127.0.0.1:)" + std::to_string(target.port()) + R"("
interval = "100ms"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto j = nlohmann::json::parse(http_get(hale.url("/health/hung")).body, nullptr, false);
    return j.is_object() && j["status"] == "fail";
  }));
  auto hung = nlohmann::json::parse(http_get(hale.url("/health/hung")).body);
  EXPECT_EQ(hung["error"], "timeout after 300ms");
  EXPECT_EQ(hung["error_code"], "timeout");
  // While `hung` keeps timing out, `fast` keeps probing every 100 ms: its probe count grows
  // several times per hung attempt.
  auto count = [&](const std::string& check) {
    auto m = http_get(hale.url("/metrics")).body;
    auto key = "hale_check_probes_total{check=\"" + check + "\"} ";
    auto p = m.find(key);
    return p == std::string::npos ? 0 : std::stoi(m.substr(p + key.size()));
  };
  const int fast0 = count("fast"), hung0 = count("hung");
  ASSERT_TRUE(eventually([&] { return count("hung") >= hung0 + 3; }, 10s));
  EXPECT_GE(count("fast") - fast0, 6);
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  // SPEC §2: each timed-out probe was killed and reaped: of all the `sleep 30` hale started,
  // only the one in flight is still its child (none left running, none a zombie).
  EXPECT_LE(children_named(hale.pid(), "sleep"), 1) << "timed-out exec probes left behind";
  hale.signal(SIGTERM);
  ASSERT_TRUE(hale.wait_exit().has_value());
}

TEST(DaemonProbes, HttpChecksAgainstARealServer) {
  TestHttpServer web;
  web.set("/ok", TestResponse::ok(R"({"status":"ok","db":{"up":true}})"));
  web.set("/wrong", TestResponse::with_status(500, "boom"));
  web.set("/hang", TestResponse::hanging());
  web.set("/slow", TestResponse::ok("fine").delayed(std::chrono::milliseconds(150)));
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[defaults]
interval = "300ms"
timeout = "1s"
failure_threshold = 1

[checks.json]
type = "http"
url = ")" + web.url("/ok") + R"("
expect_json = { db = { up = true } }

[checks.wrong]
type = "http"
url = ")" + web.url("/wrong") + R"("
critical = false

[checks.hang]
type = "http"
url = ")" + web.url("/hang") + R"("
timeout = "300ms"
critical = false

[checks.slow]
type = "http"
url = ")" + web.url("/slow") + R"("
max_latency = "50ms"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json h;
  ASSERT_TRUE(eventually([&] {
    h = nlohmann::json::parse(http_get(hale.url("/health")).body, nullptr, false);
    return h.is_object() && h["checks"]["hang"]["status"] == "fail" &&
           h["checks"]["json"]["status"] != "unknown" && h["checks"]["slow"]["status"] != "unknown" &&
           h["checks"]["wrong"]["status"] != "unknown";
  })) << h.dump();
  EXPECT_EQ(h["checks"]["json"]["status"], "ok");
  EXPECT_EQ(h["checks"]["wrong"]["status"], "fail");
  EXPECT_EQ(h["checks"]["wrong"]["error"], "status 500 (expected 200-399)");
  EXPECT_EQ(h["checks"]["hang"]["error"], "timeout after 300ms");  // SPEC §2 wording
  EXPECT_EQ(h["checks"]["slow"]["status"], "degraded");
  EXPECT_EQ(h["status"], "degraded");
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  EXPECT_GT(web.request_count("/ok"), 0u);
}

TEST(DaemonProbes, CliProbeTimesOutOnAHungServer) {
  TestHttpServer web;
  web.set("/hang", TestResponse::hanging());
  auto r = run_hale({"probe", web.url("/hang"), "--timeout", "300ms"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("fail " + web.url("/hang") + ": timeout after 300ms (", 0), 0u) << r.out;
}

// A probe hale cannot make (the command of an exec check is not there) fails the check, closed,
// but says it is the prober's fault, as kubelet says "probe errored"; a target that refuses is
// the target's (issue 14).
TEST(DaemonProbes, AProbeHaleCannotMakeIsTheProbersFaultNotTheTargets) {
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[defaults]
interval = "300ms"
failure_threshold = 1

[checks.missing-tool]
type = "exec"
command = ["/opt/nowhere/check_thing"]

[checks.closed-port]
type = "tcp"
target = "127.0.0.1:1"
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json tool, port;
  ASSERT_TRUE(eventually([&] {
    tool = nlohmann::json::parse(http_get(hale.url("/health/missing-tool")).body, nullptr, false);
    port = nlohmann::json::parse(http_get(hale.url("/health/closed-port")).body, nullptr, false);
    return tool.is_object() && port.is_object() && tool["status"] == "fail" && port["status"] == "fail";
  })) << tool.dump() << port.dump();
  EXPECT_EQ(tool["error_code"], "spawn");
  EXPECT_EQ(tool["fault"], "prober");
  EXPECT_EQ(port["error_code"], "refused");
  EXPECT_FALSE(port.contains("fault")) << port.dump();
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"probe_errored\""));
  const std::string log = hale.log();
  const auto errored = log.find("\"event\":\"probe_errored\"");
  const std::string line = log.substr(log.rfind('\n', errored) + 1, log.find('\n', errored) - log.rfind('\n', errored));
  EXPECT_NE(line.find("\"check\":\"missing-tool\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"level\":\"error\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"fault\":\"prober\""), std::string::npos) << line;
  EXPECT_EQ(log.find("\"event\":\"probe_errored\",\"check\":\"closed-port\""), std::string::npos);
  EXPECT_NE(log.find("\"check\":\"closed-port\""), std::string::npos);
  // The metric counts it under its own code.
  const std::string metrics = http_get(hale.url("/metrics")).body;
  EXPECT_NE(metrics.find("hale_check_probe_errors_total{check=\"missing-tool\",code=\"spawn\"}"), std::string::npos);
}

}  // namespace
}  // namespace hale::testing
