// The dns probe against a real DNS server on 127.0.0.1 (tests/support/dns_test_server.h):
// record types, expected answers, NXDOMAIN, SERVFAIL, a server that never answers, and a dns
// check through the real hale binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/steady_timer.hpp>

#include "support/dns_test_server.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/probe_harness.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using testing::DnsTestServer;
using testing::ProbeHarness;

DnsCheck dns_check(const std::string& name, const std::string& type, const std::string& server,
                   std::vector<std::string> expect = {}) {
  return DnsCheck{.name = name, .record_type = type, .expect = std::move(expect), .server = server};
}

class DnsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.add("www.zone.test", 1, "127.0.0.1");
    server_.add("www.zone.test", 1, "10.0.0.2");
    server_.add("www.zone.test", 28, "::1");
    server_.add("www.zone.test", 16, "v=spf1 -all");
    server_.add("alias.zone.test", 5, "www.zone.test");
    server_.add("zone.test", 15, "10 mail.zone.test");
    server_.add("txtonly.zone.test", 16, "hello");
    server_.set_servfail("broken.zone.test");
    server_.set_silent("silent.zone.test");
  }

  ProbeResult probe(const DnsCheck& spec, Duration timeout = 2s) {
    auto p = make_probe(spec, harness_.ctx());
    EXPECT_NE(p, nullptr);
    if (!p) return {};
    auto r = harness_.run(*p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }

  DnsTestServer server_;
  ProbeHarness harness_;
};

TEST_F(DnsProbeTest, AAnswersPass) {
  ProbeResult r = probe(dns_check("www.zone.test", "A", server_.address()));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(to_string(r.error), "");
  EXPECT_EQ(r.reason.rfind("A 127.0.0.1, 10.0.0.2 (", 0), 0u) << r.reason;
  EXPECT_TRUE(r.reason.ends_with(" ms)")) << r.reason;
}

TEST_F(DnsProbeTest, AaaaAnswerPasses) {
  ProbeResult r = probe(dns_check("www.zone.test", "AAAA", server_.address(), {"0:0::1"}));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(r.reason.rfind("AAAA ::1 (", 0), 0u) << r.reason;
}

TEST_F(DnsProbeTest, ExpectedAnswersPresentPass) {
  ProbeResult r = probe(dns_check("www.zone.test", "A", server_.address(), {"10.0.0.2", "127.0.0.1"}));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
}

TEST_F(DnsProbeTest, ExpectedAnswerMissingFails) {
  ProbeResult r = probe(dns_check("www.zone.test", "A", server_.address(), {"127.0.0.1", "10.0.0.9"}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "dns_mismatch");
  EXPECT_EQ(r.reason, "missing expected answer 10.0.0.9; got 127.0.0.1, 10.0.0.2");
}

TEST_F(DnsProbeTest, NxdomainFails) {
  ProbeResult r = probe(dns_check("nope.zone.test", "A", server_.address()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "NXDOMAIN");
  EXPECT_EQ(to_string(r.error), "dns_nxdomain");
}

TEST_F(DnsProbeTest, NoAnswerOfTheTypeFails) {
  ProbeResult r = probe(dns_check("txtonly.zone.test", "A", server_.address()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "no A answer");
  EXPECT_EQ(to_string(r.error), "dns_nodata");
}

TEST_F(DnsProbeTest, ServfailFails) {
  ProbeResult r = probe(dns_check("broken.zone.test", "A", server_.address()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "SERVFAIL");
  EXPECT_EQ(to_string(r.error), "dns");
}

TEST_F(DnsProbeTest, TxtWorks) {
  ProbeResult r = probe(dns_check("www.zone.test", "TXT", server_.address(), {"v=spf1 -all"}));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  EXPECT_EQ(r.reason.rfind("TXT v=spf1 -all (", 0), 0u) << r.reason;
  ProbeResult wrong = probe(dns_check("www.zone.test", "TXT", server_.address(), {"v=spf1 ~all"}));
  EXPECT_EQ(wrong.verdict, Verdict::kFail);
  EXPECT_EQ(wrong.reason, "missing expected answer v=spf1 ~all; got v=spf1 -all");
}

TEST_F(DnsProbeTest, CnameAndMx) {
  ProbeResult cname = probe(dns_check("alias.zone.test", "CNAME", server_.address(), {"WWW.zone.test."}));
  EXPECT_EQ(cname.verdict, Verdict::kPass) << cname.reason;
  EXPECT_EQ(cname.reason.rfind("CNAME www.zone.test (", 0), 0u) << cname.reason;
  // An A query on the alias follows it.
  ProbeResult a = probe(dns_check("alias.zone.test", "A", server_.address(), {"10.0.0.2"}));
  EXPECT_EQ(a.verdict, Verdict::kPass) << a.reason;
  ProbeResult mx = probe(dns_check("zone.test", "MX", server_.address(), {"10 mail.zone.test"}));
  EXPECT_EQ(mx.verdict, Verdict::kPass) << mx.reason;
  EXPECT_EQ(mx.reason.rfind("MX 10 mail.zone.test (", 0), 0u) << mx.reason;
}

TEST_F(DnsProbeTest, SilentServerEndsAtTheTimeout) {
  const auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = probe(dns_check("silent.zone.test", "A", server_.address()), 300ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "timeout") << r.reason;
  EXPECT_GE(took, 250ms);
  // Its own 300 ms timer ended it, not the harness's 10 s watchdog: a generous ceiling for a
  // loaded 2-core machine under the sanitizers, far from both.
  EXPECT_LT(took, 5s);
  EXPECT_GE(server_.queries(), 1);
}

TEST_F(DnsProbeTest, SilentServerDelaysNoOtherCheck) {
  // Both on one loop: the hung one with a 60 s timeout, the good one must be done while it still
  // waits. Which finished first is the measure, not how fast: it holds at any machine speed.
  auto hung = make_probe(dns_check("silent.zone.test", "A", server_.address()), harness_.ctx());
  auto good = make_probe(dns_check("www.zone.test", "A", server_.address()), harness_.ctx());
  std::optional<ProbeResult> hung_result, good_result;
  hung->start(60s, [&](ProbeResult r) { hung_result = std::move(r); });
  good->start(60s, [&](ProbeResult r) {
    good_result = std::move(r);
    harness_.io().stop();
  });
  harness_.run_for(30s);  // until the good one's result (it stops the loop), at most 30 s
  ASSERT_TRUE(good_result.has_value());
  EXPECT_EQ(good_result->verdict, Verdict::kPass) << good_result->reason;
  EXPECT_FALSE(hung_result.has_value()) << "the good one waited for the hung one";  // it has 60 s
  // Cancelled, it never reports, and a new attempt on the same probe works.
  hung->cancel();
  harness_.run_for(100ms);  // room for a report that must not come: absence is shown by waiting
  EXPECT_FALSE(hung_result.has_value());
}

TEST_F(DnsProbeTest, CancelThenRestartOnTheSameProbe) {
  auto p = make_probe(dns_check("www.zone.test", "A", server_.address()), harness_.ctx());
  bool first_called = false;
  p->start(2s, [&](ProbeResult) { first_called = true; });
  p->cancel();
  auto r = harness_.run(*p, 2s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->verdict, Verdict::kPass) << r->reason;
  EXPECT_FALSE(first_called);
}

TEST_F(DnsProbeTest, DestroyedInFlightIsSafe) {
  std::optional<ProbeResult> result;
  {
    auto p = make_probe(dns_check("silent.zone.test", "A", server_.address()), harness_.ctx());
    p->start(30s, [&](ProbeResult r) { result = std::move(r); });
    // In flight: its query has reached the server (which never answers).
    ASSERT_TRUE(testing::eventually([&] {
      harness_.run_for(5ms);
      return server_.queries() >= 1;
    }));
  }
  harness_.run_for(200ms);  // room for a report that must not come: absence is shown by waiting
  EXPECT_FALSE(result.has_value());
}

TEST_F(DnsProbeTest, RefusedPortFailsFast) {
  // Nobody on this UDP port any more: the kernel answers ICMP port unreachable.
  std::uint16_t port = 0;
  {
    DnsTestServer gone;
    port = gone.port();
  }
  ProbeResult r = probe(dns_check("www.zone.test", "A", "127.0.0.1:" + std::to_string(port)), 1s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "connection refused");
  EXPECT_EQ(to_string(r.error), "refused");
}

TEST(DnsThroughHale, HealthShowsTheDnsCheck) {
  DnsTestServer server;
  server.add("api.zone.test", 1, "127.0.0.1");
  testing::HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[checks.resolver]
type = "dns"
name = "api.zone.test"
record_type = "A"
expect = ["127.0.0.1"]
server = ")" + server.address() + R"("
interval = "200ms"
timeout = "500ms"

[checks.gone]
type = "dns"
name = "nope.zone.test"
server = ")" + server.address() + R"("
interval = "200ms"
timeout = "500ms"
failure_threshold = 1
critical = false

[checks.hung]
type = "dns"
name = "silent.zone.test"
server = ")" + server.address() + R"("
interval = "200ms"
timeout = "60s"
critical = false
)");
  // hung's first query cannot end before 60 s: all of this test happens while it is in flight,
  // however slow the machine.
  server.set_silent("silent.zone.test");
  ASSERT_TRUE(hale.start()) << hale.log();
  nlohmann::json ok, bad;
  ASSERT_TRUE(testing::eventually([&] {
    ok = nlohmann::json::parse(testing::http_get(hale.url("/health/resolver")).body, nullptr, false);
    bad = nlohmann::json::parse(testing::http_get(hale.url("/health/gone")).body, nullptr, false);
    return ok.is_object() && ok["status"] == "ok" && bad.is_object() && bad["status"] == "fail";
  }, 5s)) << ok.dump() << "\n" << bad.dump() << "\n" << hale.log();
  EXPECT_EQ(ok["type"], "dns");
  EXPECT_EQ(ok["target"], "api.zone.test A @" + server.address());
  ASSERT_FALSE(ok["recent"].empty());
  EXPECT_EQ(ok["recent"].back()["reason"].get<std::string>().rfind("A 127.0.0.1 (", 0), 0u) << ok.dump();
  EXPECT_EQ(bad["error_code"], "dns_nxdomain") << bad.dump();
  EXPECT_EQ(bad["error"], "NXDOMAIN") << bad.dump();
  // The hung check's query holds up nobody: `resolver` keeps probing every 200 ms meanwhile.
  ASSERT_TRUE(testing::eventually([&] {
    ok = nlohmann::json::parse(testing::http_get(hale.url("/health/resolver")).body, nullptr, false);
    return ok.is_object() && ok["recent"].size() >= 4;
  }, 30s)) << ok.dump();
  const nlohmann::json hung = nlohmann::json::parse(testing::http_get(hale.url("/health/hung")).body, nullptr, false);
  EXPECT_EQ(hung["status"], "unknown") << hung.dump();  // its first probe is still in flight
  EXPECT_TRUE(hung["recent"].empty()) << hung.dump();
}

}  // namespace
}  // namespace hale
