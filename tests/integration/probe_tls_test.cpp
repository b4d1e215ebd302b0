// The tls probe against real TLS servers on 127.0.0.1 serving certificates the test makes
// (support/test_pki.h): expiry thresholds, verification, SNI, the file mode and timeouts.
#include <gtest/gtest.h>

#include <fstream>

#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/probe_harness.h"
#include "support/tcp_queues.h"
#include "support/test_pki.h"
#include "support/test_tls_server.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;
using testing::ProbeHarness;
using testing::TestPki;
using testing::TestTlsServer;

constexpr std::chrono::seconds kDay{86400};

TlsCheck tls_check(const std::string& target) {
  return TlsCheck{.target = target};  // warn_before 14d, fail_before 3d: the defaults
}

class TlsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "could not make the test CA"; }

  // A server for `cert` (its chain file and key).
  TestTlsServer& serve(const TestPki::Issued& cert) {
    EXPECT_GE(cert.index, 0) << "could not issue the certificate";
    servers_.push_back(std::make_unique<TestTlsServer>(cert.chain_file, cert.key_file));
    EXPECT_TRUE(servers_.back()->ok());
    return *servers_.back();
  }

  ProbeResult probe(const TlsCheck& spec, Duration timeout = 3s) {
    auto p = make_probe(spec, harness_.ctx());
    auto r = harness_.run(*p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }

  // A check of `server` that trusts the test CA.
  TlsCheck trusted(const TestTlsServer& server) {
    TlsCheck s = tls_check(server.target());
    s.ca_file = pki_.ca_file();
    return s;
  }

  TestPki pki_;
  ProbeHarness harness_;
  std::vector<std::unique_ptr<TestTlsServer>> servers_;
};

TEST_F(TlsProbeTest, FarFromExpiryPasses) {
  auto& server = serve(pki_.leaf("far", 100 * kDay));
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(r.reason.rfind("certificate CN=far.test expires in 99d (", 0), 0u) << r.reason;
  EXPECT_EQ(to_string(r.error), "");
}

TEST_F(TlsProbeTest, WithinWarnBeforeWarns) {
  auto& server = serve(pki_.leaf("soon", 10 * kDay));
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kWarn) << r.reason;
  EXPECT_EQ(r.reason.rfind("certificate CN=soon.test expires in 9d (", 0), 0u) << r.reason;
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST_F(TlsProbeTest, WithinFailBeforeFails) {
  auto& server = serve(pki_.leaf("close", 2 * kDay));
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_EQ(r.reason.rfind("certificate CN=close.test expires in 1d (", 0), 0u) << r.reason;
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST_F(TlsProbeTest, ThresholdsComeFromTheCheck) {
  auto& server = serve(pki_.leaf("custom", 10 * kDay));
  TlsCheck s = trusted(server);
  s.warn_before = 5 * kDay;
  s.fail_before = 1 * kDay;
  EXPECT_EQ(probe(s).verdict, Verdict::kPass);
  s.warn_before = 30 * kDay;
  s.fail_before = 20 * kDay;
  EXPECT_EQ(probe(s).verdict, Verdict::kFail);
}

TEST_F(TlsProbeTest, ExpiredFailsWithHowLongAgo) {
  auto& server = serve(pki_.leaf("old", -(2 * kDay + std::chrono::hours(1))));
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason.rfind("certificate CN=old.test expired 2d ago (", 0), 0u) << r.reason;
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST_F(TlsProbeTest, UnknownCaFailsWithTheVerifyReason) {
  auto& server = serve(pki_.leaf("private", 100 * kDay));
  ProbeResult r = probe(tls_check(server.target()));  // the system store only
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate verify failed: unable to get local issuer certificate");
  EXPECT_EQ(to_string(r.error), "tls");
}

TEST_F(TlsProbeTest, SelfSignedFailsWithTheVerifyReason) {
  const auto now = std::chrono::system_clock::now();
  auto& server = serve(pki_.self_signed("self", {"self.test", {"localhost"}, {"127.0.0.1"}, now - kDay,
                                                  now + 100 * kDay, false}));
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate verify failed: self-signed certificate");
  EXPECT_EQ(to_string(r.error), "tls");
}

TEST_F(TlsProbeTest, InsecureSkipVerifyStillJudgesExpiry) {
  const auto now = std::chrono::system_clock::now();
  auto& server = serve(pki_.self_signed("selfsoon", {"selfsoon.test", {"localhost"}, {"127.0.0.1"}, now - kDay,
                                                      now + 10 * kDay, false}));
  TlsCheck s = tls_check(server.target());
  s.insecure_skip_verify = true;
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kWarn) << r.reason;
  EXPECT_EQ(r.reason.rfind("certificate CN=selfsoon.test expires in 9d", 0), 0u) << r.reason;
}

TEST_F(TlsProbeTest, SendsServerNameAsSniAndVerifiesIt) {
  auto& server = serve(pki_.leaf("named", 100 * kDay, {"api.internal.test"}));
  TlsCheck s = trusted(server);
  s.server_name = "api.internal.test";
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  ASSERT_TRUE(testing::eventually([&] { return server.hellos() > 0; }));
  EXPECT_EQ(server.last_sni(), "api.internal.test");
}

TEST_F(TlsProbeTest, HostOfTargetIsTheDefaultSni) {
  auto& server = serve(pki_.leaf("local", 100 * kDay));
  TlsCheck s = trusted(server);
  s.target = "localhost:" + std::to_string(server.port());
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  ASSERT_TRUE(testing::eventually([&] { return server.hellos() > 0; }));
  EXPECT_EQ(server.last_sni(), "localhost");
}

TEST_F(TlsProbeTest, IpTargetSendsNoSniButVerifiesTheAddress) {
  auto& server = serve(pki_.leaf("ip", 100 * kDay));
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  ASSERT_TRUE(testing::eventually([&] { return server.hellos() > 0; }));
  EXPECT_EQ(server.last_sni(), "");
}

TEST_F(TlsProbeTest, WrongNameFails) {
  auto& server = serve(pki_.leaf("wrongname", 100 * kDay));
  TlsCheck s = trusted(server);
  s.server_name = "other.test";
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate verify failed: hostname mismatch");
  EXPECT_EQ(to_string(r.error), "tls");
}

TEST_F(TlsProbeTest, AnExpiredCertificateFromTheTrustStoreFailsThoughTheServerNeverSentIt) {
  const auto now = std::chrono::system_clock::now();
  auto inter = pki_.issue("old-inter", {"hale old intermediate", {}, {}, now - 30 * kDay, now - 2 * kDay, true});
  ASSERT_GE(inter.index, 0);
  auto leaf = pki_.issue("orphan", {"orphan.test", {"localhost"}, {"127.0.0.1"}, now - kDay, now + 100 * kDay, false},
                         &inter);
  // The server sends only its leaf; the (expired) intermediate sits in the trust store.
  servers_.push_back(std::make_unique<TestTlsServer>(leaf.cert_file, leaf.key_file));
  ASSERT_TRUE(servers_.back()->ok());
  const std::string store = pki_.dir() + "/store-with-expired-intermediate.pem";
  {
    std::ofstream out(store);
    std::ifstream a(pki_.ca_file()), b(inter.cert_file);
    out << a.rdbuf() << b.rdbuf();
  }
  TlsCheck s = tls_check(servers_.back()->target());
  s.ca_file = store;
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_EQ(to_string(r.error), "tls");
  EXPECT_NE(r.reason.find("expired"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("trust store"), std::string::npos) << r.reason;
}

TEST_F(TlsProbeTest, IntermediateExpiringFirstIsNamed) {
  const auto now = std::chrono::system_clock::now();
  auto inter = pki_.issue("inter", {"hale intermediate", {}, {}, now - kDay, now + 5 * kDay, true});
  ASSERT_GE(inter.index, 0);
  auto leaf = pki_.issue("behind", {"behind.test", {"localhost"}, {"127.0.0.1"}, now - kDay, now + 100 * kDay, false},
                         &inter);
  auto& server = serve(leaf);
  ProbeResult r = probe(trusted(server));
  EXPECT_EQ(r.verdict, Verdict::kWarn) << r.reason;
  EXPECT_EQ(r.reason.rfind("certificate CN=hale intermediate expires in 4d (", 0), 0u) << r.reason;
}

TEST_F(TlsProbeTest, FileChainIsJudgedWithoutVerification) {
  auto leaf = pki_.leaf("onfile", 10 * kDay);
  TlsCheck s = tls_check("");
  s.file = leaf.chain_file;
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kWarn) << r.reason;
  EXPECT_EQ(r.reason.rfind("certificate CN=onfile.test expires in 9d (", 0), 0u) << r.reason;
}

TEST_F(TlsProbeTest, FileChainWithCaFileIsVerified) {
  auto leaf = pki_.leaf("fileok", 100 * kDay);
  TlsCheck s = tls_check("");
  s.file = leaf.chain_file;
  s.ca_file = pki_.ca_file();
  EXPECT_EQ(probe(s).verdict, Verdict::kPass);

  // A CA that did not sign it (another name: same-named CAs would read as a bad signature).
  const auto now = std::chrono::system_clock::now();
  auto other = pki_.self_signed("otherca", {"other test CA", {}, {}, now - kDay, now + 100 * kDay, true});
  ASSERT_GE(other.index, 0);
  s.ca_file = other.cert_file;
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "certificate verify failed: unable to get local issuer certificate");
  EXPECT_EQ(to_string(r.error), "tls");
}

TEST_F(TlsProbeTest, MissingFileFails) {
  TlsCheck s = tls_check("");
  s.file = pki_.dir() + "/nope.pem";
  ProbeResult r = probe(s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "cannot read " + s.file + ": No such file or directory");
  EXPECT_EQ(to_string(r.error), "tls");
}

TEST_F(TlsProbeTest, HungServerEndsAtTheTimeout) {
  // The kernel completes the TCP handshake from the backlog; nobody ever answers the ClientHello.
  tcp::acceptor silent(harness_.io(), tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const auto started = std::chrono::steady_clock::now();
  ProbeResult r = probe(tls_check("127.0.0.1:" + std::to_string(silent.local_endpoint().port())), 300ms);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "timeout");
  EXPECT_GE(took, 250ms);
  // Its own 300 ms timer ended it, not the harness's 10 s watchdog: a generous ceiling for a
  // loaded 2-core machine under the sanitizers, far from both.
  EXPECT_LT(took, 5s);
}

TEST_F(TlsProbeTest, RefusedIsAConnectFailure) {
  ProbeResult r = probe(tls_check("127.0.0.1:" + std::to_string(testing::closed_loopback_port())));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "connection refused");
  EXPECT_EQ(to_string(r.error), "refused");  // as for http, tcp and dns checks
}

TEST_F(TlsProbeTest, UnknownHostIsADnsFailure) {
  ProbeResult r = probe(tls_check("no-such-host.invalid:443"), 5s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "dns") << r.reason;
}

TEST_F(TlsProbeTest, CancelledProbeNeverReports) {
  tcp::acceptor silent(harness_.io(), tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = silent.local_endpoint().port();
  auto p = make_probe(tls_check("127.0.0.1:" + std::to_string(port)), harness_.ctx());
  bool called = false;
  p->start(30s, [&](ProbeResult) { called = true; });
  // In flight: connected (the kernel holds the connection in the silent server's accept queue).
  ASSERT_TRUE(testing::eventually([&] {
    harness_.run_for(5ms);
    const auto listening = testing::tcp_socket(port, 0);
    return listening && listening->rx_queue >= 1;
  }));
  p->cancel();
  harness_.run_for(200ms);  // room for a report that must not come: absence is shown by waiting
  EXPECT_FALSE(called);
}

// Through the real binary: /health shows each tls check's status and reason, and no secret.
TEST(DaemonTls, HealthShowsCertificateStatus) {
  TestPki pki;
  ASSERT_TRUE(pki.ok());
  auto far = pki.leaf("far", 100 * kDay);
  auto soon = pki.leaf("soon", 10 * kDay);
  auto close = pki.leaf("close", 2 * kDay);
  TestTlsServer far_server(far.chain_file, far.key_file), soon_server(soon.chain_file, soon.key_file);
  ASSERT_TRUE(far_server.ok() && soon_server.ok());
  const std::string token = "s3cret-admin-token-for-tls-test";
  testing::HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"
admin_token = "env:HALE_TLS_TEST_TOKEN"

[defaults]
interval = "300ms"
timeout = "2s"
failure_threshold = 1
ca_file = ")" + pki.ca_file() + R"("

[checks.far]
type = "tls"
target = ")" + far_server.target() + R"("

[checks.soon]
type = "tls"
target = "localhost:)" + std::to_string(soon_server.port()) + R"("
critical = false

[checks.close-file]
type = "tls"
file = ")" + close.chain_file + R"("
critical = false
)");
  hale.set_env("HALE_TLS_TEST_TOKEN", token);
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json h;
  std::string body;
  ASSERT_TRUE(testing::eventually([&] {
    body = testing::http_get(hale.url("/health")).body;
    h = nlohmann::json::parse(body, nullptr, false);
    return h.is_object() && h["checks"]["far"]["status"] != "unknown" && h["checks"]["soon"]["status"] != "unknown" &&
           h["checks"]["close-file"]["status"] != "unknown";
  })) << body;
  EXPECT_EQ(h["checks"]["far"]["status"], "ok") << body;
  EXPECT_EQ(h["checks"]["soon"]["status"], "degraded") << body;
  EXPECT_EQ(h["checks"]["close-file"]["status"], "fail") << body;
  const std::string close_reason = h["checks"]["close-file"].value("error", "");
  EXPECT_EQ(close_reason.rfind("certificate CN=close.test expires in 1d (", 0), 0u) << body;
  EXPECT_EQ(h["status"], "degraded");
  EXPECT_EQ(testing::http_get(hale.url("/readyz")).status, 200);
  EXPECT_EQ(body.find(token), std::string::npos);
  EXPECT_EQ(body.find("BEGIN CERTIFICATE"), std::string::npos);
  auto detail = nlohmann::json::parse(testing::http_get(hale.url("/health/soon")).body, nullptr, false);
  ASSERT_TRUE(detail.is_object());
  EXPECT_EQ(detail["type"], "tls");
  EXPECT_EQ(detail["error_code"], "expiry");
  EXPECT_EQ(detail.value("error", "").rfind("certificate CN=soon.test expires in 9d (", 0), 0u) << detail.dump();
  EXPECT_EQ(hale.log().find(token), std::string::npos);
}

}  // namespace
}  // namespace hale
