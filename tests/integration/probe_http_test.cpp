// The http probe against a real loopback server: verdicts, reasons, methods, headers,
// timeouts and TLS, each bounded by the harness watchdog.
#include <gtest/gtest.h>

#include <string>

#include "hale/version.h"
#include "support/eventually.h"
#include "support/free_port.h"
#include "support/probe_harness.h"
#include "support/test_http_server.h"
#include "support/test_tls_cert.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using testing::ProbeHarness;
using testing::TestHttpServer;
using testing::TestResponse;

using testing::http_check;

std::uint16_t closed_port() { return testing::closed_loopback_port(); }

class HttpProbeTest : public ::testing::Test {
 protected:
  ProbeResult probe(const HttpCheck& spec, Duration timeout = 2s) {
    auto p = make_probe(spec, harness_.ctx());
    EXPECT_NE(p, nullptr);
    auto r = harness_.run(*p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }

  ProbeHarness harness_;
  TestHttpServer server_;
};

TEST_F(HttpProbeTest, UpServerPasses) {
  server_.set("/ready", TestResponse::ok("ok"));
  ProbeResult r = probe(http_check(server_.url("/ready")));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "HTTP 200");
  EXPECT_EQ(to_string(r.error), "");
  EXPECT_EQ(server_.request_count("/ready"), 1u);
}

// SPEC §8: a kept-alive connection is reused from one probe to the next (no connect, no TCP
// handshake for the target to answer), through the one CurlMulti every probe shares.
TEST_F(HttpProbeTest, KeepAliveReusesOneConnectionAcrossProbes) {
  server_.set("/ready", TestResponse::ok("ok"));
  HttpCheck spec = http_check(server_.url("/ready"));
  ASSERT_TRUE(spec.keepalive) << "the default";
  auto p = make_probe(spec, harness_.ctx());
  for (int i = 0; i < 5; ++i) {
    auto r = harness_.run(*p, 2s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->verdict, Verdict::kPass) << r->reason;
  }
  EXPECT_EQ(server_.request_count("/ready"), 5u);
  EXPECT_EQ(server_.connection_count(), 1u);
}

// keepalive = false: kubelet's way, a new connection per probe, so that every probe proves
// the target still accepts connections.
TEST_F(HttpProbeTest, WithoutKeepAliveEveryProbeOpensItsOwnConnection) {
  server_.set("/ready", TestResponse::ok("ok"));
  HttpCheck spec = http_check(server_.url("/ready"));
  spec.keepalive = false;
  auto p = make_probe(spec, harness_.ctx());
  for (int i = 0; i < 5; ++i) {
    auto r = harness_.run(*p, 2s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->verdict, Verdict::kPass) << r->reason;
  }
  EXPECT_EQ(server_.connection_count(), 5u);
}

// A target that closed the kept connection (restarted, say) is probed on a new one, and the
// probe passes: reuse never turns into a false failure.
TEST_F(HttpProbeTest, AConnectionTheTargetClosedIsReplacedNotFailed) {
  server_.set("/ready", TestResponse::ok("ok").header("Connection", "close"));
  HttpCheck spec = http_check(server_.url("/ready"));
  auto p = make_probe(spec, harness_.ctx());
  for (int i = 0; i < 3; ++i) {
    auto r = harness_.run(*p, 2s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->verdict, Verdict::kPass) << r->reason;
  }
  EXPECT_EQ(server_.connection_count(), 3u);
}

TEST_F(HttpProbeTest, WrongStatusFails) {
  server_.set("/ready", TestResponse::with_status(503, "down"));
  ProbeResult r = probe(http_check(server_.url("/ready")));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "status 503 (expected 200-399)");
  EXPECT_EQ(to_string(r.error), "status");
}

TEST_F(HttpProbeTest, StatusListAndRange) {
  server_.set("/created", TestResponse::with_status(201));
  server_.set("/teapot", TestResponse::with_status(418));
  HttpCheck spec = http_check(server_.url("/created"));
  spec.expect_status = {{200, 200}, {204, 204}};
  EXPECT_EQ(probe(spec).reason, "status 201 (expected 200, 204)");

  spec.expect_status = {{200, 201}};
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);

  spec = http_check(server_.url("/teapot"));
  spec.expect_status = {{400, 499}};
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);
}

TEST_F(HttpProbeTest, RedirectIsNotFollowed) {
  server_.set("/old", TestResponse::with_status(302).header("Location", "/nowhere"));
  HttpCheck spec = http_check(server_.url("/old"));
  spec.expect_status = {{200, 299}};
  EXPECT_EQ(probe(spec).reason, "status 302 (expected 200-299)");
  EXPECT_EQ(server_.request_count("/nowhere"), 0u);
}

TEST_F(HttpProbeTest, BodyRegexMatchAndMismatch) {
  server_.set("/ok", TestResponse::ok(R"({"status": "ok", "token": "s3cret"})"));
  server_.set("/down", TestResponse::ok(R"({"status": "down", "token": "s3cret"})"));
  HttpCheck spec = http_check(server_.url("/ok"));
  spec.expect_body = R"("status":\s*"ok")";
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);

  spec.url = server_.url("/down");
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "body did not match");
  EXPECT_EQ(to_string(r.error), "body");
}

TEST_F(HttpProbeTest, JsonSubsetMatchAndMismatch) {
  server_.set("/health", TestResponse::ok(R"({"status":"ok","checks":{"db":"up"},"version":3})"));
  HttpCheck spec = http_check(server_.url("/health"));
  spec.expect_json = R"({"status":"ok","checks":{"db":"up"}})";
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);

  spec.expect_json = R"({"checks":{"db":"down"}})";
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.reason, "json did not match at /checks/db");
  EXPECT_EQ(to_string(r.error), "json");

  server_.set("/html", TestResponse::ok("<html>ok</html>"));
  spec.url = server_.url("/html");
  EXPECT_EQ(probe(spec).reason, "response is not JSON");
}

TEST_F(HttpProbeTest, OversizedBodyFailsABodyCheck) {
  server_.set("/big", TestResponse::ok(std::string(2 * 1024 * 1024, 'x') + "ok"));
  HttpCheck spec = http_check(server_.url("/big"));
  spec.expect_body = "ok";
  ProbeResult r = probe(spec, 5s);
  EXPECT_EQ(r.reason, "body larger than 1 MiB");
  // Without a body check a large body is just drained.
  EXPECT_EQ(probe(http_check(server_.url("/big")), 5s).verdict, Verdict::kPass);
}

TEST_F(HttpProbeTest, SlowOverMaxLatencyWarns) {
  server_.set("/slow", TestResponse::ok().delayed(150ms));
  HttpCheck spec = http_check(server_.url("/slow"));
  spec.max_latency = 20ms;
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.verdict, Verdict::kWarn);
  EXPECT_EQ(to_string(r.error), "latency");
  EXPECT_EQ(r.reason.rfind("slow: ", 0), 0u) << r.reason;
  EXPECT_NE(r.reason.find("ms > 20ms"), std::string::npos) << r.reason;
}

TEST_F(HttpProbeTest, RefusedPortFails) {
  ProbeResult r = probe(http_check("http://127.0.0.1:" + std::to_string(closed_port()) + "/"));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "connection refused");
  EXPECT_EQ(to_string(r.error), "refused");
}

TEST_F(HttpProbeTest, HangingServerTimesOutByItself) {
  server_.set("/hang", TestResponse::hanging());
  // The watchdog (10 s) is far beyond the probe's own timeout: the probe must end itself.
  ProbeResult r = probe(http_check(server_.url("/hang")), 300ms);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "timeout");
  EXPECT_EQ(to_string(r.error), "timeout");
}

TEST_F(HttpProbeTest, CloseWithoutResponseFails) {
  server_.set("/rude", TestResponse::closing());
  ProbeResult r = probe(http_check(server_.url("/rude")));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "connect");
  EXPECT_EQ(r.reason, "empty reply from server");
}

TEST_F(HttpProbeTest, MethodsHeadAndPost) {
  server_.set("/m", TestResponse::ok("hello"));
  HttpCheck spec = http_check(server_.url("/m"));
  spec.method = "HEAD";
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);
  EXPECT_EQ(server_.last_request("/m")->method, "HEAD");

  spec.method = "POST";
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);
  EXPECT_EQ(server_.last_request("/m")->method, "POST");
  EXPECT_EQ(server_.last_request("/m")->body, "");
}

TEST_F(HttpProbeTest, HeadersReachTheServer) {
  server_.set("/auth", TestResponse::ok());
  HttpCheck spec = http_check(server_.url("/auth?x=1"));
  spec.headers = {{"Authorization", "Bearer t0ken"}, {"X-Probe", "hale"}};
  EXPECT_EQ(probe(spec).verdict, Verdict::kPass);
  auto req = server_.last_request("/auth");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->header("authorization"), "Bearer t0ken");
  EXPECT_EQ(req->header("X-Probe"), "hale");
  EXPECT_EQ(req->target, "/auth?x=1");
  EXPECT_EQ(req->header("User-Agent").value_or("").rfind("hale/", 0), 0u);
  // The real version (it read "hale/dev" while only version.cpp saw HALE_VERSION).
  EXPECT_EQ(req->header("User-Agent"), "hale/" + version());
}

TEST_F(HttpProbeTest, UrlCredentialsNeverReachAReason) {
  HttpCheck spec = http_check("http://admin:pa55word@nonexistent.invalid:" +
                              std::to_string(closed_port()) + "/");
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason.find("pa55word"), std::string::npos) << r.reason;
}

TEST_F(HttpProbeTest, OtherSchemesAreRefused) {
  ProbeResult r = probe(http_check("file:///etc/passwd"));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "connect");
}

TEST_F(HttpProbeTest, CancelledProbeNeverReports) {
  server_.set("/hang", TestResponse::hanging());
  auto p = make_probe(http_check(server_.url("/hang")), harness_.ctx());
  bool called = false;
  p->start(30s, [&](ProbeResult) { called = true; });
  // In flight: the server has the request (and never answers it).
  ASSERT_TRUE(testing::eventually([&] {
    harness_.run_for(5ms);
    return server_.request_count("/hang") >= 1;
  }));
  p->cancel();
  harness_.run_for(100ms);  // room for a report that must not come: absence is shown by waiting
  EXPECT_FALSE(called);
  EXPECT_EQ(harness_.ctx().curl.active(), 0u);
  // The probe is reusable after a cancel.
  server_.set("/ok", TestResponse::ok());
  HttpCheck spec = http_check(server_.url("/ok"));
  auto again = make_probe(spec, harness_.ctx());
  EXPECT_EQ(harness_.run(*again, 2s)->verdict, Verdict::kPass);
}

TEST_F(HttpProbeTest, DestroyedProbeInFlightNeverReports) {
  server_.set("/hang", TestResponse::hanging());
  bool called = false;
  {
    auto p = make_probe(http_check(server_.url("/hang")), harness_.ctx());
    p->start(30s, [&](ProbeResult) { called = true; });
    // In flight: the server has the request (and never answers it).
    ASSERT_TRUE(testing::eventually([&] {
      harness_.run_for(5ms);
      return server_.request_count("/hang") >= 1;
    }));
  }
  harness_.run_for(100ms);  // room for a report that must not come: absence is shown by waiting
  EXPECT_FALSE(called);
}

class HttpsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cert_.ok()) GTEST_SKIP() << "openssl CLI could not make a certificate";
    server_ = std::make_unique<TestHttpServer>(cert_.files());
    server_->set("/", TestResponse::ok("secure"));
  }

  testing::TestTlsCert cert_;
  ProbeHarness harness_;
  std::unique_ptr<TestHttpServer> server_;
};

TEST_F(HttpsProbeTest, SelfSignedFailsWithTlsByDefault) {
  auto p = make_probe(http_check(server_->url("/")), harness_.ctx());
  auto r = harness_.run(*p, 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r->error), "tls");
  EXPECT_EQ(r->reason.rfind("tls: ", 0), 0u) << r->reason;
}

TEST_F(HttpsProbeTest, PassesWithItsCaFile) {
  HttpCheck spec = http_check(server_->url("/"));
  spec.ca_file = cert_.cert_file();
  auto p = make_probe(spec, harness_.ctx());
  auto r = harness_.run(*p, 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->verdict, Verdict::kPass) << r->reason;
}

TEST_F(HttpsProbeTest, PassesWithVerificationOff) {
  HttpCheck spec = http_check(server_->url("/"));
  spec.insecure_skip_verify = true;
  auto p = make_probe(spec, harness_.ctx());
  auto r = harness_.run(*p, 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->verdict, Verdict::kPass) << r->reason;
}

}  // namespace
}  // namespace hale
