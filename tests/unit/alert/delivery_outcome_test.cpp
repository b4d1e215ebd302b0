// What a delivery attempt's ending means (delivery_outcome.h), as tables: every class of HTTP
// status and curl error, SMTP replies, exec exits, Retry-After in each form with its caps, and
// an Alertmanager cluster's members together.
#include "hale/alert/delivery_outcome.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <vector>

#include "support/render_cases.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::wall;

// Sun, 19 Apr 2026 12:00:00 GMT.
const WallTime kNow = wall("2026-04-19T12:00:00Z");

constexpr OutcomeKind kAccepted = OutcomeKind::kAccepted;
constexpr OutcomeKind kRetry = OutcomeKind::kRetry;
constexpr OutcomeKind kPermanent = OutcomeKind::kPermanent;

struct HttpCase {
  CURLcode code;
  long os_errno;
  long status;
  const char* retry_after;
  const char* error_text;
  OutcomeKind kind;
  const char* reason;
  std::optional<Duration> wait;
};

TEST(DeliveryOutcomeHttp, StatusesAndCurlErrors) {
  const std::vector<HttpCase> cases = {
      // 2xx: accepted
      {CURLE_OK, 0, 200, "", "", kAccepted, "HTTP 200", std::nullopt},
      {CURLE_OK, 0, 202, "", "", kAccepted, "HTTP 202", std::nullopt},
      {CURLE_OK, 0, 204, "", "", kAccepted, "HTTP 204", std::nullopt},
      // the status came, then the transfer broke: the receiver has it
      {CURLE_RECV_ERROR, ECONNRESET, 200, "", "", kAccepted, "HTTP 200", std::nullopt},
      // 3xx: permanent
      {CURLE_OK, 0, 301, "", "", kPermanent, "redirects are not followed: HTTP 301", std::nullopt},
      {CURLE_OK, 0, 302, "", "", kPermanent, "redirects are not followed: HTTP 302", std::nullopt},
      {CURLE_OK, 0, 308, "", "", kPermanent, "redirects are not followed: HTTP 308", std::nullopt},
      // 4xx: permanent, but for 408, 425 and 429
      {CURLE_OK, 0, 400, "", "", kPermanent, "HTTP 400", std::nullopt},
      {CURLE_OK, 0, 401, "", "", kPermanent, "HTTP 401", std::nullopt},
      {CURLE_OK, 0, 403, "", "", kPermanent, "HTTP 403", std::nullopt},
      {CURLE_OK, 0, 404, "", "", kPermanent, "HTTP 404", std::nullopt},
      {CURLE_OK, 0, 413, "", "", kPermanent, "HTTP 413", std::nullopt},
      {CURLE_OK, 0, 422, "", "", kPermanent, "HTTP 422", std::nullopt},
      {CURLE_OK, 0, 408, "", "", kRetry, "HTTP 408", std::nullopt},
      {CURLE_OK, 0, 425, "", "", kRetry, "HTTP 425", std::nullopt},
      {CURLE_OK, 0, 429, "", "", kRetry, "HTTP 429", std::nullopt},
      {CURLE_OK, 0, 429, "30", "", kRetry, "HTTP 429", 30s},
      {CURLE_OK, 0, 429, "Sun, 19 Apr 2026 12:02:00 GMT", "", kRetry, "HTTP 429", 120s},
      {CURLE_OK, 0, 429, "soon", "", kRetry, "HTTP 429", std::nullopt},
      // 5xx: retry; only 503 (and 429) honour Retry-After
      {CURLE_OK, 0, 500, "", "", kRetry, "HTTP 500", std::nullopt},
      {CURLE_OK, 0, 502, "", "", kRetry, "HTTP 502", std::nullopt},
      {CURLE_OK, 0, 503, "7200", "", kRetry, "HTTP 503", 1h},
      {CURLE_OK, 0, 503, "5", "", kRetry, "HTTP 503", 5s},
      {CURLE_OK, 0, 500, "5", "", kRetry, "HTTP 500", std::nullopt},
      {CURLE_OK, 0, 504, "", "", kRetry, "HTTP 504", std::nullopt},
      {CURLE_OK, 0, 599, "", "", kRetry, "HTTP 599", std::nullopt},
      // curl errors: retry, with curl_failure()'s reason
      {CURLE_COULDNT_CONNECT, ECONNREFUSED, 0, "", "Failed to connect", kRetry, "connection refused", std::nullopt},
      {CURLE_OPERATION_TIMEDOUT, 0, 0, "", "Operation timed out after 10000 ms", kRetry, "timeout", std::nullopt},
      {CURLE_COULDNT_RESOLVE_HOST, 0, 0, "", "Could not resolve host: hooks.example.com", kRetry,
       "dns: Could not resolve host: hooks.example.com", std::nullopt},
      {CURLE_PEER_FAILED_VERIFICATION, 0, 0, "", "SSL certificate problem: unable to get local issuer certificate",
       kRetry, "tls: SSL certificate problem: unable to get local issuer certificate", std::nullopt},
      {CURLE_GOT_NOTHING, 0, 0, "", "", kRetry, "empty reply from server", std::nullopt},
      {CURLE_SEND_ERROR, ECONNRESET, 0, "", "", kRetry, "connection reset", std::nullopt},
      // a URL in curl's text never reaches the reason
      {CURLE_URL_MALFORMAT, 0, 0, "", "URL rejected: https://hooks.slack.com/services/T/B/SECRET bad", kRetry,
       "URL rejected: <url> bad", std::nullopt},
      // no status at all
      {CURLE_OK, 0, 0, "", "", kRetry, "no HTTP status", std::nullopt},
      {CURLE_OK, 0, 103, "", "", kRetry, "unexpected HTTP status 103", std::nullopt},
      {CURLE_OK, 0, 600, "", "", kRetry, "unexpected HTTP status 600", std::nullopt},
  };
  for (const auto& c : cases) {
    const DeliveryOutcome o = http_outcome(c.code, c.os_errno, c.status, c.retry_after, kNow, c.error_text);
    SCOPED_TRACE(std::string(c.reason) + " / status " + std::to_string(c.status));
    EXPECT_EQ(o.kind, c.kind) << to_string(o.kind);
    EXPECT_EQ(o.reason, c.reason);
    EXPECT_EQ(o.retry_after, c.wait);
  }
}

struct RetryAfterCase {
  const char* value;
  std::optional<Duration> wait;
};

TEST(DeliveryOutcomeRetryAfter, FormsAndCaps) {
  const std::vector<RetryAfterCase> cases = {
      {"0", 0s},
      {"120", 120s},
      {"  120\t", 120s},                          // optional whitespace around
      {"3600", 1h},
      {"3601", 1h},                               // capped
      {"99999999999999999999999999", 1h},         // no overflow
      {"Sun, 19 Apr 2026 12:00:30 GMT", 30s},     // IMF-fixdate
      {"Sunday, 19-Apr-26 12:01:00 GMT", 60s},    // RFC 850
      {"Sun Apr 19 12:00:10 2026", 10s},          // asctime
      {"Sun Apr  9 12:00:10 2026", 0s},           // asctime, one-digit day, in the past
      {"Sun, 19 Apr 2026 11:00:00 GMT", 0s},      // in the past: never negative
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0s},
      {"Sun, 19 Apr 2026 18:00:00 GMT", 1h},      // capped
      {"Fri, 31 Dec 9999 23:59:59 GMT", 1h},      // far beyond WallTime's range
      {"", std::nullopt},
      {"-5", std::nullopt},
      {"1.5", std::nullopt},
      {"5s", std::nullopt},
      {"tomorrow", std::nullopt},
      {"Sun, 19 Apr 2026 25:00:00 GMT", std::nullopt},
      // curl_getdate() reads dates as browsers do: "UTC" for "GMT", and 31 Feb as 3 Mar (here in
      // the past). A receiver's hint read generously is still capped and never below the backoff.
      {"Sun, 19 Apr 2026 12:00:30 UTC", 30s},
      {"Sun, 31 Feb 2026 12:00:00 GMT", 0s},
      {"2026-04-19T12:00:30Z", std::nullopt},           // ISO 8601 is not an HTTP-date
  };
  for (const auto& c : cases) EXPECT_EQ(parse_retry_after(c.value, kNow), c.wait) << '"' << c.value << '"';
}

TEST(DeliveryOutcomeRetryAfter, DateIsRelativeToNowBelowASecond) {
  const WallTime now = kNow + 250ms;
  EXPECT_EQ(parse_retry_after("Sun, 19 Apr 2026 12:00:10 GMT", now), Duration(9750ms));
}

TEST(DeliveryOutcomeRetryAfter, Rfc850CenturyIsTheOneWithin50Years) {
  // "94" is 1994, not 2094 (more than 50 years ahead of 2026): long past.
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", kNow), 0s);
}

struct SmtpCase {
  CURLcode code;
  long os_errno;
  long smtp_code;
  const char* error_text;
  OutcomeKind kind;
  const char* reason;
};

TEST(DeliveryOutcomeSmtp, RepliesAndErrors) {
  const std::vector<SmtpCase> cases = {
      {CURLE_OK, 0, 250, "", kAccepted, "SMTP 250"},
      {CURLE_OK, 0, 221, "", kAccepted, "SMTP 250"},  // the last reply was QUIT's: the message was taken
      {CURLE_SEND_ERROR, 0, 550, "RCPT failed: 550", kPermanent, "SMTP 550"},
      {CURLE_SEND_ERROR, 0, 554, "", kPermanent, "SMTP 554"},
      {CURLE_RECV_ERROR, 0, 552, "", kPermanent, "SMTP 552"},
      {CURLE_LOGIN_DENIED, 0, 535, "Login denied", kPermanent, "SMTP login denied (535)"},
      {CURLE_LOGIN_DENIED, 0, 0, "", kPermanent, "SMTP login denied"},
      {CURLE_USE_SSL_FAILED, 0, 0, "STARTTLS not supported.", kPermanent, "the SMTP server offers no STARTTLS"},
      {CURLE_SEND_ERROR, 0, 451, "", kRetry, "SMTP 451"},
      {CURLE_RECV_ERROR, 0, 421, "", kRetry, "SMTP 421"},
      {CURLE_SEND_ERROR, 0, 452, "", kRetry, "SMTP 452"},
      {CURLE_COULDNT_CONNECT, ECONNREFUSED, 0, "", kRetry, "connection refused"},
      {CURLE_OPERATION_TIMEDOUT, 0, 0, "", kRetry, "timeout"},
      {CURLE_COULDNT_RESOLVE_HOST, 0, 0, "Could not resolve host: mail.example.com", kRetry,
       "dns: Could not resolve host: mail.example.com"},
      {CURLE_SSL_CONNECT_ERROR, 0, 0, "", kRetry, "tls: SSL connect error"},
  };
  for (const auto& c : cases) {
    const DeliveryOutcome o = smtp_outcome(c.code, c.os_errno, c.smtp_code, c.error_text);
    EXPECT_EQ(o.kind, c.kind) << c.reason;
    EXPECT_EQ(o.reason, c.reason);
    EXPECT_FALSE(o.retry_after);
  }
}

struct ExecCase {
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out;
  const char* spawn_error;
  OutcomeKind kind;
  const char* reason;
};

TEST(DeliveryOutcomeExec, ExitsSignalsTimeoutsAndSpawnFailures) {
  const std::vector<ExecCase> cases = {
      {0, std::nullopt, false, "", kAccepted, "exit 0"},
      {1, std::nullopt, false, "", kRetry, "exit status 1"},
      {75, std::nullopt, false, "", kRetry, "exit status 75"},
      {std::nullopt, SIGSEGV, false, "", kRetry, "killed by SIGSEGV"},
      {std::nullopt, SIGKILL, true, "", kRetry, "timeout"},  // hale killed it at its timeout
      {0, std::nullopt, true, "", kRetry, "timeout"},        // a timeout is no acceptance
      {std::nullopt, std::nullopt, false, "No such file or directory", kRetry, "spawn: No such file or directory"},
      {std::nullopt, std::nullopt, false, "", kRetry, "no exit status"},
  };
  for (const auto& c : cases) {
    const DeliveryOutcome o = exec_outcome(c.exit_code, c.signal, c.timed_out, c.spawn_error);
    EXPECT_EQ(o.kind, c.kind) << c.reason;
    EXPECT_EQ(o.reason, c.reason);
  }
}

DeliveryOutcome make(OutcomeKind k, const char* reason, std::optional<Duration> after = std::nullopt) {
  return {k, reason, after};
}

TEST(DeliveryOutcomeCluster, AnyAcceptedElseAnyRetryElsePermanent) {
  struct Case {
    std::vector<DeliveryOutcome> members;
    OutcomeKind kind;
    const char* reason;
    std::optional<Duration> wait;
  };
  const std::vector<Case> cases = {
      {{}, kPermanent, "no Alertmanager URL", std::nullopt},
      {{make(kAccepted, "HTTP 200")}, kAccepted, "HTTP 200", std::nullopt},
      {{make(kRetry, "connection refused"), make(kAccepted, "HTTP 200")},
       kAccepted,
       "accepted by 1 of 2 (1: connection refused; 2: HTTP 200)",
       std::nullopt},
      {{make(kPermanent, "HTTP 404"), make(kRetry, "HTTP 503", 10s), make(kRetry, "HTTP 429", 40s)},
       kRetry,
       "1: HTTP 404; 2: HTTP 503; 3: HTTP 429",
       40s},
      {{make(kRetry, "timeout"), make(kRetry, "HTTP 503", 10s)}, kRetry, "1: timeout; 2: HTTP 503", 10s},
      {{make(kRetry, "timeout"), make(kRetry, "connection refused")},
       kRetry,
       "1: timeout; 2: connection refused",
       std::nullopt},
      {{make(kPermanent, "HTTP 401"), make(kPermanent, "HTTP 404")}, kPermanent, "1: HTTP 401; 2: HTTP 404",
       std::nullopt},
      {{make(kRetry, "HTTP 503", 5s)}, kRetry, "HTTP 503", 5s},
  };
  for (const auto& c : cases) {
    const DeliveryOutcome o = combine_cluster(c.members);
    EXPECT_EQ(o.kind, c.kind) << c.reason;
    EXPECT_EQ(o.reason, c.reason);
    EXPECT_EQ(o.retry_after, c.wait) << c.reason;
  }
}

}  // namespace
}  // namespace hale
