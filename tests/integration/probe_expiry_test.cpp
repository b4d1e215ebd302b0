// The expiry probe against real sources: files rewritten between probes, hale's own
// environment, and an HTTP server on 127.0.0.1 answering JSON, errors, or nothing at all.
// Last, the real hale binary: expiry checks in /health, and the token nowhere in /health,
// /metrics or the log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "hale/time/timestamp.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/probe_harness.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "support/test_jwt.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;
using testing::make_jwt;
using testing::ProbeHarness;
using testing::TempDir;
using testing::TestHttpServer;
using testing::TestResponse;

// Now, in whole seconds, as the dates written into documents.
ExpiryTime now_s() { return std::chrono::floor<seconds>(std::chrono::system_clock::now()); }
std::int64_t epoch(ExpiryTime t) { return t.time_since_epoch().count(); }

// A date `ahead` from now plus half a minute, so that the time left still reads as `ahead` by
// the time the probe looks (it is rounded down), whatever the test's own pace.
ExpiryTime in(seconds ahead) { return now_s() + ahead + 30s; }

// "expires in 3h (2026-...Z)" for a date made by in() hours or days ahead (the slack is below
// the units shown).
std::string expires_in(const std::string& left, ExpiryTime at) {
  return "expires in " + left + " (" + format_expiry_time(at) + ")";
}

// The same for a date made by in() minutes ahead, where the seconds of the slack show:
// "expires in 20m30s (...)", or 29s if the clock ticked.
::testing::Matcher<std::string> expires_in_minutes(int minutes, ExpiryTime at) {
  return ::testing::MatchesRegex("expires in " + std::to_string(minutes) + "m[0-9]+s \\(" + format_expiry_time(at) +
                                 "\\)");
}

// A Claude Code style credentials file whose token expires at `at` (milliseconds).
std::string credentials_json(ExpiryTime at) {
  return R"({"claudeAiOauth":{"accessToken":"sk-ant-oat01-SECRET-ACCESS","refreshToken":"sk-ant-ort01-SECRET-REFRESH",)"
         R"("expiresAt":)" +
         std::to_string(epoch(at) * 1000) + "}}";
}

ExpiryCheck expiry_check(ExpirySource kind, std::string source) {
  ExpiryCheck s;
  s.source_kind = kind;
  s.source = std::move(source);
  s.warn_before = 60min;
  s.fail_before = 5min;
  return s;
}

ExpiryCheck url_check(const std::string& url, std::optional<std::string> pointer = "/expires_at") {
  ExpiryCheck s = expiry_check(ExpirySource::kUrl, "");
  s.url = url;
  s.format = ExpiryFormat::kJson;
  s.json_pointer = std::move(pointer);
  return s;
}

class ExpiryProbeTest : public ::testing::Test {
 protected:
  ProbeResult run(Probe& p, Duration timeout = 2s) {
    auto r = harness_.run(p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }
  ProbeResult probe(const ExpiryCheck& spec, Duration timeout = 2s) {
    auto p = make_probe(spec, harness_.ctx());
    EXPECT_NE(p, nullptr);
    return p ? run(*p, timeout) : ProbeResult{};
  }

  ProbeHarness harness_;
  TempDir dir_;
};

// ---- file ----

TEST_F(ExpiryProbeTest, FileIsReadAgainAtEveryProbe) {
  const ExpiryTime first = in(3h);
  const std::string path = dir_.write("credentials.json", credentials_json(first));
  ExpiryCheck spec = expiry_check(ExpirySource::kFile, path);
  spec.format = ExpiryFormat::kJson;
  spec.json_pointer = "/claudeAiOauth/expiresAt";
  auto p = make_probe(spec, harness_.ctx());
  ASSERT_NE(p, nullptr);

  ProbeResult r = run(*p);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, expires_in("3h", first));
  EXPECT_EQ(to_string(r.error), "");

  // The owner refreshes the file; the same probe sees the new date.
  const ExpiryTime soon = in(20min);
  dir_.write("credentials.json", credentials_json(soon));
  r = run(*p);
  EXPECT_EQ(r.verdict, Verdict::kWarn);
  EXPECT_THAT(r.reason, expires_in_minutes(20, soon));
  EXPECT_EQ(to_string(r.error), "expiry");

  const ExpiryTime gone = now_s() - 2h - 30s;
  dir_.write("credentials.json", credentials_json(gone));
  r = run(*p);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "expired 2h ago (" + format_expiry_time(gone) + ")");
  EXPECT_EQ(to_string(r.error), "expiry");
}

TEST_F(ExpiryProbeTest, FileHoldingAJwt) {
  const ExpiryTime at = in(48h);
  const std::string path = dir_.write("token", make_jwt(R"({"sub":"svc","exp":)" + std::to_string(epoch(at)) + "}") + "\n");
  ProbeResult r = probe(expiry_check(ExpirySource::kFile, path));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, expires_in("2d", at));
}

TEST_F(ExpiryProbeTest, MissingFileFails) {
  const std::string path = (dir_.path() / "no-such-file.json").string();
  ProbeResult r = probe(expiry_check(ExpirySource::kFile, path));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "cannot read file:" + path + ": No such file or directory");
  EXPECT_EQ(to_string(r.error), "source");
}

TEST_F(ExpiryProbeTest, DirectoryFails) {
  ProbeResult r = probe(expiry_check(ExpirySource::kFile, dir_.path().string()));
  EXPECT_EQ(r.reason, "cannot read file:" + dir_.path().string() + ": Is a directory");
  EXPECT_EQ(to_string(r.error), "source");
}

TEST_F(ExpiryProbeTest, FifoIsRefusedWithoutBlocking) {
  const std::string path = (dir_.path() / "fifo").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  ProbeResult r = probe(expiry_check(ExpirySource::kFile, path));
  EXPECT_EQ(r.reason, "cannot read file:" + path + ": not a regular file");
  EXPECT_EQ(to_string(r.error), "source");
}

TEST_F(ExpiryProbeTest, FileOverOneMebibyteIsRefused) {
  const std::string path = dir_.write("huge.json", std::string(1024 * 1024 + 1, ' '));
  ProbeResult r = probe(expiry_check(ExpirySource::kFile, path));
  EXPECT_EQ(r.reason, "file:" + path + " is larger than 1 MiB; a credential file is small");
  EXPECT_EQ(to_string(r.error), "source");
}

TEST_F(ExpiryProbeTest, EmptyFileFails) {
  const std::string path = dir_.write("empty.json", "\n");
  ProbeResult r = probe(expiry_check(ExpirySource::kFile, path));
  EXPECT_EQ(r.reason, "file:" + path + " is empty");
  EXPECT_EQ(to_string(r.error), "source");
}

TEST_F(ExpiryProbeTest, UnreadableDocumentIsAFormatFailure) {
  const std::string path = dir_.write("credentials.json", credentials_json(in(3h)));
  ExpiryCheck spec = expiry_check(ExpirySource::kFile, path);
  spec.format = ExpiryFormat::kJson;
  spec.json_pointer = "/claudeAiOauth/expires_at";
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "no value at /claudeAiOauth/expires_at");
  EXPECT_EQ(to_string(r.error), "format");
}

// ---- env ----

TEST_F(ExpiryProbeTest, EnvironmentVariableHoldingAJwt) {
  const ExpiryTime at = in(3h);
  const std::string jwt = make_jwt(R"({"sub":"svc","exp":)" + std::to_string(epoch(at)) + "}");
  ASSERT_EQ(::setenv("HALE_EXPIRY_TEST_TOKEN", jwt.c_str(), 1), 0);
  ProbeResult r = probe(expiry_check(ExpirySource::kEnv, "HALE_EXPIRY_TEST_TOKEN"));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, expires_in("3h", at));

  ASSERT_EQ(::setenv("HALE_EXPIRY_TEST_TOKEN", make_jwt(R"({"sub":"svc"})").c_str(), 1), 0);
  r = probe(expiry_check(ExpirySource::kEnv, "HALE_EXPIRY_TEST_TOKEN"));
  EXPECT_EQ(r.reason, "JWT has no `exp` claim");
  EXPECT_EQ(to_string(r.error), "format");

  ASSERT_EQ(::setenv("HALE_EXPIRY_TEST_TOKEN", "", 1), 0);
  r = probe(expiry_check(ExpirySource::kEnv, "HALE_EXPIRY_TEST_TOKEN"));
  EXPECT_EQ(r.reason, "environment variable HALE_EXPIRY_TEST_TOKEN is empty");
  EXPECT_EQ(to_string(r.error), "source");
  ::unsetenv("HALE_EXPIRY_TEST_TOKEN");
}

TEST_F(ExpiryProbeTest, UnsetEnvironmentVariableFails) {
  ::unsetenv("HALE_EXPIRY_TEST_UNSET");
  ProbeResult r = probe(expiry_check(ExpirySource::kEnv, "HALE_EXPIRY_TEST_UNSET"));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "environment variable HALE_EXPIRY_TEST_UNSET is not set");
  EXPECT_EQ(to_string(r.error), "source");
}

// ---- url ----

TEST_F(ExpiryProbeTest, HttpJsonTimestamp) {
  TestHttpServer server;
  const ExpiryTime at = in(30min);
  server.set("/oauth/status", TestResponse::ok(R"({"token_type":"Bearer","expires_at":")" + format_expiry_time(at) +
                                               R"("})")
                                  .header("Content-Type", "application/json"));
  ProbeResult r = probe(url_check(server.url("/oauth/status")));
  EXPECT_EQ(r.verdict, Verdict::kWarn);
  EXPECT_THAT(r.reason, expires_in_minutes(30, at));
  EXPECT_EQ(to_string(r.error), "expiry");
  ASSERT_EQ(server.request_count("/oauth/status"), 1u);
  EXPECT_EQ(server.last_request("/oauth/status")->method, "GET");
}

TEST_F(ExpiryProbeTest, HttpJwtAtAPointer) {
  TestHttpServer server;
  const ExpiryTime at = in(6h);
  server.set("/token", TestResponse::ok(R"({"access_token":")" +
                                        make_jwt(R"({"exp":)" + std::to_string(epoch(at)) + "}") + R"("})"));
  ExpiryCheck spec = url_check(server.url("/token"), "/access_token");
  spec.format = ExpiryFormat::kJwt;
  ProbeResult r = probe(spec);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, expires_in("6h", at));
}

TEST_F(ExpiryProbeTest, HttpErrorStatusFails) {
  TestHttpServer server;
  server.set("/oauth/status", TestResponse::with_status(500, R"({"expires_at":"2099-01-01T00:00:00Z"})"));
  ProbeResult r = probe(url_check(server.url("/oauth/status")));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "status 500 (expected 2xx)");
  EXPECT_EQ(to_string(r.error), "status");
}

TEST_F(ExpiryProbeTest, HttpRedirectIsNotFollowed) {
  TestHttpServer server;
  server.set("/old", TestResponse::with_status(302).header("Location", "/new"));
  server.set("/new", TestResponse::ok(R"({"expires_at":"2099-01-01T00:00:00Z"})"));
  ProbeResult r = probe(url_check(server.url("/old")));
  EXPECT_EQ(r.reason, "status 302 (expected 2xx)");
  EXPECT_EQ(server.request_count("/new"), 0u);
}

TEST_F(ExpiryProbeTest, HungServerTimesOut) {
  TestHttpServer server;
  server.set("/oauth/status", TestResponse::hanging());
  // The watchdog (10 s) is far beyond the timeout: the probe must end itself.
  ProbeResult r = probe(url_check(server.url("/oauth/status")), 300ms);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "timeout after 300ms");
  EXPECT_EQ(to_string(r.error), "timeout");
}

TEST_F(ExpiryProbeTest, RefusedConnectionHidesTheUrlPassword) {
  const std::string url =
      "http://svc:pa55-secret@127.0.0.1:" + std::to_string(testing::closed_loopback_port()) + "/oauth";
  ProbeResult r = probe(url_check(url));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "connection refused");
  EXPECT_EQ(to_string(r.error), "refused");
  EXPECT_EQ(r.reason.find("pa55-secret"), std::string::npos);
}

TEST_F(ExpiryProbeTest, HttpBodyOverOneMebibyteIsRefused) {
  TestHttpServer server;
  server.set("/big", TestResponse::ok(std::string(1024 * 1024 + 10, ' ')));
  ProbeResult r = probe(url_check(server.url("/big")));
  EXPECT_EQ(r.reason, "response body is larger than 1 MiB");
  EXPECT_EQ(to_string(r.error), "source");
}

TEST_F(ExpiryProbeTest, HttpBodyNotJson) {
  TestHttpServer server;
  server.set("/status", TestResponse::ok("<html>sk-ant-SECRET-in-a-page</html>"));
  ProbeResult r = probe(url_check(server.url("/status")));
  EXPECT_EQ(r.reason, "document is not JSON");
  EXPECT_EQ(to_string(r.error), "format");
}

// ---- cancel ----

TEST_F(ExpiryProbeTest, CancelledAttemptsNeverReport) {
  TestHttpServer server;
  server.set("/slow", TestResponse::ok(R"({"expires_at":"2099-01-01T00:00:00Z"})").delayed(100ms));
  const std::string path = dir_.write("token", make_jwt(R"({"exp":4102444800})"));
  for (const ExpiryCheck& spec : {url_check(server.url("/slow")), expiry_check(ExpirySource::kFile, path)}) {
    auto p = make_probe(spec, harness_.ctx());
    ASSERT_NE(p, nullptr);
    bool called = false;
    p->start(2s, [&](ProbeResult) { called = true; });
    p->cancel();
    harness_.run_for(300ms);
    EXPECT_FALSE(called);
    // The probe still works after a cancel.
    EXPECT_EQ(run(*p).verdict, Verdict::kPass);
  }
}

// ---- the real daemon ----

// /health shows each expiry check's status with the time left; the token, the secrets beside
// the date and the JWT's claims appear nowhere: not in /health, /metrics or the log.
TEST(DaemonExpiry, HealthShowsTimeLeftAndNeverTheToken) {
  TempDir dir;
  TestHttpServer idp;
  const std::string secret_claim = "user-4711@example.invalid";
  const std::string env_jwt =
      make_jwt(R"({"sub":")" + secret_claim + R"(","exp":)" + std::to_string(epoch(in(240h))) + "}");
  const std::string url_jwt = make_jwt(R"({"sub":")" + secret_claim + R"(","exp":)" +
                                       std::to_string(epoch(now_s() - 1h - 30s)) + "}");
  const std::string creds_path = dir.write("credentials.json", credentials_json(in(30min)));
  // The URL's password is a secret too: masked in the target, gone from the log.
  const std::string oauth_url = "http://svc:pw-SECRET-9@127.0.0.1:" + std::to_string(idp.port()) + "/oauth/token";
  idp.set("/oauth/token", TestResponse::ok(R"({"access_token":")" + url_jwt + R"(","refresh_token":"rt-SECRET-77"})"));

  testing::HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[defaults]
interval = "300ms"
timeout = "2s"
failure_threshold = 1

[checks.claude-token]
type = "expiry"
source = "file:)" + creds_path + R"("
json_pointer = "/claudeAiOauth/expiresAt"
warn_before = "60m"
fail_before = "5m"

[checks.api-jwt]
type = "expiry"
source = "env:HALE_EXPIRY_DAEMON_TOKEN"

[checks.oauth]
type = "expiry"
url = ")" + oauth_url + R"("
format = "jwt"
json_pointer = "/access_token"
critical = false
)");
  hale.set_env("HALE_EXPIRY_DAEMON_TOKEN", env_jwt);
  ASSERT_TRUE(hale.start()) << hale.log();

  nlohmann::json h;
  std::string body;
  ASSERT_TRUE(testing::eventually([&] {
    body = testing::http_get(hale.url("/health")).body;
    h = nlohmann::json::parse(body, nullptr, false);
    return h.is_object() && h["checks"]["claude-token"]["status"] != "unknown" &&
           h["checks"]["api-jwt"]["status"] != "unknown" && h["checks"]["oauth"]["status"] == "fail";
  })) << body;
  EXPECT_EQ(h["checks"]["claude-token"]["status"], "degraded") << body;
  EXPECT_EQ(h["checks"]["claude-token"].value("error", "").rfind("expires in 30m", 0), 0u) << body;
  EXPECT_EQ(h["checks"]["api-jwt"]["status"], "ok") << body;
  EXPECT_EQ(h["checks"]["oauth"].value("error", "").rfind("expired 1h ago (", 0), 0u) << body;
  EXPECT_EQ(h["status"], "degraded") << body;

  const std::string detail_body = testing::http_get(hale.url("/health/claude-token")).body;
  auto detail = nlohmann::json::parse(detail_body, nullptr, false);
  ASSERT_TRUE(detail.is_object()) << detail_body;
  EXPECT_EQ(detail["type"], "expiry");
  EXPECT_EQ(detail["target"], "file:" + creds_path);
  EXPECT_EQ(detail["error_code"], "expiry");
  const std::string env_detail = testing::http_get(hale.url("/health/api-jwt")).body;
  EXPECT_NE(env_detail.find(R"("target":"env:HALE_EXPIRY_DAEMON_TOKEN")"), std::string::npos) << env_detail;
  const std::string oauth_detail = testing::http_get(hale.url("/health/oauth")).body;
  EXPECT_NE(oauth_detail.find("\"target\":\"http://svc:***@127.0.0.1:" + std::to_string(idp.port()) + "/oauth/token\""),
            std::string::npos)
      << oauth_detail;
  const std::string metrics = testing::http_get(hale.url("/metrics")).body;
  EXPECT_NE(metrics.find("claude-token"), std::string::npos);
  // The oauth check has failed (and been logged as a failure) by now.
  ASSERT_TRUE(hale.wait_for_log("\"check\":\"oauth\"")) << hale.log();
  const std::string log = hale.log();

  const std::vector<std::string> secrets = {env_jwt,
                                            url_jwt,
                                            env_jwt.substr(env_jwt.find('.') + 1, 24),
                                            url_jwt.substr(url_jwt.find('.') + 1, 24),
                                            secret_claim,
                                            "SECRET"};
  for (const std::string& s : secrets) {
    EXPECT_EQ(body.find(s), std::string::npos) << s;
    EXPECT_EQ(detail_body.find(s), std::string::npos) << s;
    EXPECT_EQ(env_detail.find(s), std::string::npos) << s;
    EXPECT_EQ(oauth_detail.find(s), std::string::npos) << s;
    EXPECT_EQ(metrics.find(s), std::string::npos) << s;
    EXPECT_EQ(log.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace hale
