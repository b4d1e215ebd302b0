// The grpc probe against real gRPC servers in the test process (support/test_grpc_server.h, the
// default grpc.health.v1 service): SERVING, NOT_SERVING, unknown services, status flips, no
// server, a server that never answers, TLS, cancel and destruction in flight, and a grpc check
// through the real hale binary next to a supervised service and an exec check (fork/exec while
// gRPC's threads run).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <boost/asio/steady_timer.hpp>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/probe_harness.h"
#include "support/service_helpers.h"
#include "support/test_grpc_server.h"
#include "support/test_pki.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using testing::ProbeHarness;
using testing::TestGrpcServer;

GrpcCheck grpc_check(const std::string& target, const std::string& service = "") {
  return GrpcCheck{.target = target, .service = service};
}

// A port that completes TCP handshakes (the kernel's backlog) but never accepts: a gRPC client
// connects and then waits forever for the server's HTTP/2 SETTINGS.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd_, 16) == 0;
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  bool ok() const { return ok_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::uint16_t port_ = 0;
};

class GrpcProbeTest : public ::testing::Test {
 protected:
  ProbeResult probe(Probe& p, Duration timeout = 2s) {
    auto r = harness_.run(p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }
  ProbeResult probe(const GrpcCheck& spec, Duration timeout = 2s) {
    auto p = make_probe(spec, harness_.ctx());
    EXPECT_NE(p, nullptr);
    if (!p) return {};
    return probe(*p, timeout);
  }

  // Runs the loop for `d` even when nothing of the probe's is left in it (after a cancel), so
  // that late completions from gRPC's threads have the time to arrive and be dropped.
  void idle_for(Duration d) {
    boost::asio::steady_timer timer(harness_.io(), d);
    timer.async_wait([](const boost::system::error_code&) {});
    harness_.run_for(d + 100ms);
  }

  ProbeHarness harness_;
};

TEST_F(GrpcProbeTest, ServingPasses) {
  TestGrpcServer server;
  ASSERT_TRUE(server.ok());
  ProbeResult r = probe(grpc_check(server.target()));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(r.reason, "SERVING");
  EXPECT_EQ(to_string(r.error), "");
}

TEST_F(GrpcProbeTest, NamedServiceServingPasses) {
  TestGrpcServer server;
  server.set_serving("hale.test.Api", true);
  ProbeResult r = probe(grpc_check(server.target(), "hale.test.Api"));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(r.reason, "SERVING");
}

TEST_F(GrpcProbeTest, NotServingFails) {
  TestGrpcServer server;
  server.set_serving("hale.test.Api", false);
  ProbeResult r = probe(grpc_check(server.target(), "hale.test.Api"));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "NOT_SERVING");
  EXPECT_EQ(to_string(r.error), "grpc_not_serving");
}

TEST_F(GrpcProbeTest, WholeServerNotServingFails) {
  TestGrpcServer server;
  server.set_serving("", false);
  ProbeResult r = probe(grpc_check(server.target()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "NOT_SERVING");
}

TEST_F(GrpcProbeTest, UnknownServiceFailsWithTheReason) {
  TestGrpcServer server;
  ProbeResult r = probe(grpc_check(server.target(), "no.such.Service"));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "grpc_service_unknown") << r.reason;
  EXPECT_EQ(r.reason.rfind("SERVICE_UNKNOWN (NOT_FOUND", 0), 0u) << r.reason;
}

TEST_F(GrpcProbeTest, StatusFlipsBetweenProbesOnOneChannel) {
  TestGrpcServer server;
  server.set_serving("hale.test.Api", true);
  auto p = make_probe(grpc_check(server.target(), "hale.test.Api"), harness_.ctx());
  EXPECT_EQ(probe(*p).verdict, Verdict::kPass);
  server.set_serving("hale.test.Api", false);
  ProbeResult down = probe(*p);
  EXPECT_EQ(down.verdict, Verdict::kFail);
  EXPECT_EQ(down.reason, "NOT_SERVING");
  server.set_serving("hale.test.Api", true);
  ProbeResult up = probe(*p);
  EXPECT_EQ(up.verdict, Verdict::kPass) << up.reason;
}

TEST_F(GrpcProbeTest, NothingListeningIsRefused) {
  ProbeResult r = probe(grpc_check("127.0.0.1:" + std::to_string(testing::closed_loopback_port())));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "UNAVAILABLE: connection refused");
  EXPECT_EQ(to_string(r.error), "refused");
}

TEST_F(GrpcProbeTest, ServerBackOnTheSamePortPassesOnTheNextProbe) {
  // The probe keeps its channel; after the refused attempt it must connect afresh at once, not
  // fail fast on the old channel's reconnect backoff (1 s and growing).
  const std::uint16_t port = testing::closed_loopback_port();
  auto p = make_probe(grpc_check("127.0.0.1:" + std::to_string(port)), harness_.ctx());
  ProbeResult refused = probe(*p);
  EXPECT_EQ(to_string(refused.error), "refused") << refused.reason;
  TestGrpcServer::Options options;
  options.port = port;
  TestGrpcServer server(options);
  ASSERT_TRUE(server.ok());
  ProbeResult back = probe(*p);
  EXPECT_EQ(back.verdict, Verdict::kPass) << back.reason;
}

TEST_F(GrpcProbeTest, ServerGoneAfterPassingFailsThenRecovers) {
  const std::uint16_t port = testing::closed_loopback_port();
  TestGrpcServer::Options options;
  options.port = port;
  auto p = make_probe(grpc_check("127.0.0.1:" + std::to_string(port)), harness_.ctx());
  {
    TestGrpcServer server(options);
    ASSERT_TRUE(server.ok());
    EXPECT_EQ(probe(*p).verdict, Verdict::kPass);
  }
  ProbeResult gone = probe(*p);
  EXPECT_EQ(gone.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(gone.error), "refused") << gone.reason;
  TestGrpcServer again(options);
  ASSERT_TRUE(again.ok());
  ProbeResult back = probe(*p);
  EXPECT_EQ(back.verdict, Verdict::kPass) << back.reason;
}

TEST_F(GrpcProbeTest, ServerWithoutHealthServiceIsUnimplemented) {
  TestGrpcServer::Options options;
  options.health_service = false;
  TestGrpcServer server(options);
  ASSERT_TRUE(server.ok());
  ProbeResult r = probe(grpc_check(server.target()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "UNIMPLEMENTED: the server has no grpc.health.v1.Health service");
  EXPECT_EQ(to_string(r.error), "grpc_unimplemented");
}

TEST_F(GrpcProbeTest, SilentServerTimesOut) {
  SilentListener silent;
  ASSERT_TRUE(silent.ok());
  ProbeResult r = probe(grpc_check(silent.target()), 300ms);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "timeout");
  EXPECT_EQ(to_string(r.error), "timeout");
  EXPECT_EQ(timeout_reason(300ms), "timeout after 300ms");  // what the engine makes of it
}

TEST_F(GrpcProbeTest, PlaintextCheckOfATlsServerFails) {
  testing::TestPki pki;
  ASSERT_TRUE(pki.ok());
  auto cert = pki.leaf("grpc", std::chrono::hours(24 * 90), {"grpc.test"});
  TestGrpcServer::Options options;
  options.cert_chain_file = cert.chain_file;
  options.key_file = cert.key_file;
  TestGrpcServer server(options);
  ASSERT_TRUE(server.ok());
  ProbeResult r = probe(grpc_check(server.target()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_NE(to_string(r.error), "");
  EXPECT_EQ(r.reason.find('\n'), std::string::npos) << r.reason;
}

TEST_F(GrpcProbeTest, TlsWithTheRightCaAndNamePasses) {
  testing::TestPki pki;
  ASSERT_TRUE(pki.ok());
  auto cert = pki.leaf("grpc", std::chrono::hours(24 * 90), {"grpc.test"});
  TestGrpcServer::Options options;
  options.cert_chain_file = cert.chain_file;
  options.key_file = cert.key_file;
  TestGrpcServer server(options);
  ASSERT_TRUE(server.ok());
  GrpcCheck spec = grpc_check(server.target());
  spec.tls = true;
  spec.ca_file = pki.ca_file();
  spec.server_name = "grpc.test";
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(r.reason, "SERVING");

  // The same server, verified against gRPC's default roots (the system store): the test CA is
  // not in it.
  spec.ca_file.clear();
  ProbeResult untrusted = probe(spec);
  EXPECT_EQ(untrusted.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(untrusted.error), "tls") << untrusted.reason;

  // The right CA, the wrong name.
  spec.ca_file = pki.ca_file();
  spec.server_name = "other.test";
  ProbeResult wrong_name = probe(spec);
  EXPECT_EQ(wrong_name.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(wrong_name.error), "tls") << wrong_name.reason;
}

TEST_F(GrpcProbeTest, UnreadableCaFileFailsFromTheLoop) {
  GrpcCheck spec = grpc_check("127.0.0.1:1");
  spec.tls = true;
  spec.ca_file = "/nonexistent/ca.pem";
  auto p = make_probe(spec, harness_.ctx());
  bool called_inside_start = false;
  bool in_start = true;
  std::optional<ProbeResult> result;
  p->start(1s, [&](ProbeResult r) {
    called_inside_start = in_start;
    result = std::move(r);
  });
  in_start = false;
  ASSERT_TRUE(testing::eventually([&] {
    harness_.run_for(5ms);
    return result.has_value();
  }));
  EXPECT_FALSE(called_inside_start);
  EXPECT_EQ(result->verdict, Verdict::kFail);
  EXPECT_EQ(result->reason, "cannot read ca_file /nonexistent/ca.pem");
  EXPECT_EQ(to_string(result->error), "tls");
}

TEST_F(GrpcProbeTest, CancelInFlightNeverReports) {
  SilentListener silent;
  ASSERT_TRUE(silent.ok());
  auto p = make_probe(grpc_check(silent.target()), harness_.ctx());
  int calls = 0;
  p->start(400ms, [&](ProbeResult) { ++calls; });
  harness_.run_for(100ms);
  p->cancel();
  // Past the gRPC deadline: the cancelled call's completion (and the deadline's) come and go.
  idle_for(700ms);
  EXPECT_EQ(calls, 0);
  // The same probe works again afterwards, against a real server.
  TestGrpcServer server;
  auto q = make_probe(grpc_check(server.target()), harness_.ctx());
  EXPECT_EQ(probe(*q).verdict, Verdict::kPass);
}

TEST_F(GrpcProbeTest, StartWhileInFlightReplacesTheAttempt) {
  TestGrpcServer server;
  SilentListener silent;
  auto p = make_probe(grpc_check(silent.target()), harness_.ctx());
  int first_calls = 0;
  p->start(5s, [&](ProbeResult) { ++first_calls; });
  harness_.run_for(50ms);
  ProbeResult second = probe(*p, 300ms);
  EXPECT_EQ(to_string(second.error), "timeout");
  idle_for(100ms);
  EXPECT_EQ(first_calls, 0);
}

TEST_F(GrpcProbeTest, DestroyedInFlightIsSafe) {
  SilentListener silent;
  std::optional<ProbeResult> result;
  {
    auto p = make_probe(grpc_check(silent.target()), harness_.ctx());
    p->start(300ms, [&](ProbeResult r) { result = std::move(r); });
    harness_.run_for(50ms);
  }
  idle_for(600ms);
  EXPECT_FALSE(result.has_value());
}

TEST_F(GrpcProbeTest, ManyProbesOnOneLoopAllReport) {
  TestGrpcServer server;
  server.set_serving("down", false);
  std::vector<std::unique_ptr<Probe>> probes;
  std::vector<std::optional<ProbeResult>> results(20);
  for (int i = 0; i < 20; ++i) {
    probes.push_back(make_probe(grpc_check(server.target(), i % 2 ? "down" : ""), harness_.ctx()));
    probes.back()->start(2s, [&results, i](ProbeResult r) { results[i] = std::move(r); });
  }
  ASSERT_TRUE(testing::eventually([&] {
    harness_.run_for(20ms);
    return std::all_of(results.begin(), results.end(), [](const auto& r) { return r.has_value(); });
  }, 5s));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(results[i]->verdict, i % 2 ? Verdict::kFail : Verdict::kPass) << i << ": " << results[i]->reason;
  }
}

TEST(GrpcThroughHale, HealthShowsTheGrpcCheckBesideAServiceAndAnExecCheck) {
  TestGrpcServer server;
  ASSERT_TRUE(server.ok());
  server.set_serving("hale.test.Api", true);
  testing::TempDir state;
  testing::HaleProcess hale(testing::server_section(state.path().string()) + R"(
[defaults]
interval = "200ms"
timeout = "1s"
failure_threshold = 1

[checks.api]
type = "grpc"
target = ")" + server.target() + R"("
service = "hale.test.Api"

[checks.gone]
type = "grpc"
target = "127.0.0.1:)" + std::to_string(testing::closed_loopback_port()) + R"("
critical = false

[checks.plugin]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_dummy", "0", "fine"]

[services.worker]
command = )" + testing::child_command({"--print-line", "up"}) + R"(
)");
  ASSERT_TRUE(hale.start()) << hale.log();
  auto check = [&](const std::string& name) {
    return nlohmann::json::parse(testing::http_get(hale.url("/health/" + name)).body, nullptr, false);
  };
  nlohmann::json api, gone, plugin;
  ASSERT_TRUE(testing::eventually([&] {
    api = check("api");
    gone = check("gone");
    plugin = check("plugin");
    return api.is_object() && api["status"] == "ok" && gone.is_object() && gone["status"] == "fail" &&
           plugin.is_object() && plugin["status"] != "unknown";
  }, 5s)) << api.dump() << "\n" << gone.dump() << "\n" << hale.log();
  EXPECT_EQ(testing::http_get(hale.url("/readyz")).status, 200);
  EXPECT_EQ(api["type"], "grpc");
  EXPECT_EQ(api["target"], server.target() + " service=hale.test.Api");
  ASSERT_FALSE(api["recent"].empty());
  EXPECT_EQ(api["recent"].back()["reason"], "SERVING") << api.dump();
  EXPECT_EQ(gone["error_code"], "refused") << gone.dump();
  EXPECT_EQ(gone["error"], "UNAVAILABLE: connection refused") << gone.dump();

  // Flipped to NOT_SERVING, the check fails (failure_threshold = 1) and /readyz with it; flipped
  // back, both recover.
  server.set_serving("hale.test.Api", false);
  ASSERT_TRUE(testing::eventually([&] { return check("api")["status"] == "fail"; }, 5s)) << hale.log();
  EXPECT_EQ(check("api")["error"], "NOT_SERVING");
  EXPECT_EQ(testing::http_get(hale.url("/readyz")).status, 503);
  server.set_serving("hale.test.Api", true);
  ASSERT_TRUE(testing::eventually([&] { return check("api")["status"] == "ok"; }, 5s)) << hale.log();
  EXPECT_EQ(testing::http_get(hale.url("/readyz")).status, 200);

  // fork/exec and posix_spawn with gRPC's threads about: the service runs, the exec check passes.
  EXPECT_EQ(testing::state_of(hale, "worker"), "running") << hale.log();
  EXPECT_EQ(check("plugin")["status"], "ok") << hale.log();
  // gRPC writes nothing of its own to hale's stderr: every line of the log is hale's JSON.
  std::istringstream lines(hale.log());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    EXPECT_EQ(line.front(), '{') << line;
  }
}

// gRPC lives in libhale_grpc.so, loaded by the first grpc probe: without it, grpc checks fail with
// the reason and every other check runs as usual.
TEST(GrpcThroughHale, MissingModuleFailsGrpcChecksWithTheReason) {
  testing::TempDir state;
  testing::HaleProcess hale(testing::server_section(state.path().string()) + R"(
[defaults]
interval = "200ms"
timeout = "1s"
failure_threshold = 1

[checks.api]
type = "grpc"
target = "127.0.0.1:1"

[checks.plugin]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_dummy", "0", "fine"]
)");
  hale.set_env("HALE_GRPC_MODULE", "/nonexistent/libhale_grpc.so");
  ASSERT_TRUE(hale.start()) << hale.log();
  auto check = [&](const std::string& name) {
    return nlohmann::json::parse(testing::http_get(hale.url("/health/" + name)).body, nullptr, false);
  };
  nlohmann::json api;
  ASSERT_TRUE(testing::eventually([&] {
    api = check("api");
    return api.is_object() && api["status"] == "fail" && check("plugin")["status"] == "ok";
  }, 5s)) << api.dump() << "\n" << hale.log();
  EXPECT_EQ(api["error_code"], "grpc_module_unavailable") << api.dump();
  const std::string error = api["error"].get<std::string>();
  EXPECT_EQ(error.rfind("grpc support is not available: cannot load /nonexistent/libhale_grpc.so: ", 0), 0u)
      << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_EQ(error.find("/nonexistent"), error.rfind("/nonexistent")) << error;  // the path said once
  // Said once in the log, not once per probe.
  const std::string event = "\"event\":\"grpc_module_unavailable\"";
  EXPECT_TRUE(hale.wait_for_log(event)) << hale.log();
  const std::string log = hale.log();
  EXPECT_EQ(log.find(event), log.rfind(event)) << log;
}

std::string maps_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The point of the module: a hale without grpc checks maps none of gRPC's libraries; the first
// grpc check loads them (the module from next to the hale executable).
TEST(GrpcThroughHale, GrpcIsMappedOnlyWithAGrpcCheck) {
  testing::TempDir state;
  testing::HaleProcess plain(testing::server_section(state.path().string()) + R"(
[checks.tcp]
type = "tcp"
target = "127.0.0.1:1"
)");
  ASSERT_TRUE(plain.start()) << plain.log();
  const std::string plain_maps = maps_of(plain.pid());
  ASSERT_NE(plain_maps.find("libc.so"), std::string::npos) << plain_maps;
  EXPECT_EQ(plain_maps.find("libgrpc"), std::string::npos) << plain_maps;
  EXPECT_EQ(plain_maps.find("libhale_grpc"), std::string::npos) << plain_maps;

  testing::TempDir state2;
  testing::HaleProcess with_grpc(testing::server_section(state2.path().string()) + R"(
[defaults]
interval = "200ms"

[checks.api]
type = "grpc"
target = "127.0.0.1:1"
)");
  ASSERT_TRUE(with_grpc.start()) << with_grpc.log();
  ASSERT_TRUE(testing::eventually([&] {
    auto api = nlohmann::json::parse(testing::http_get(with_grpc.url("/health/api")).body, nullptr, false);
    return api.is_object() && api["status"] != "unknown";
  }, 5s)) << with_grpc.log();
  const std::string grpc_maps = maps_of(with_grpc.pid());
  EXPECT_NE(grpc_maps.find("/libhale_grpc.so"), std::string::npos) << grpc_maps;
  EXPECT_NE(grpc_maps.find("libgrpc++"), std::string::npos) << grpc_maps;
}

}  // namespace
}  // namespace hale
