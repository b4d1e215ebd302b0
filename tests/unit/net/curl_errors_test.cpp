// libcurl transfer errors as a table: the short reason and stable code each maps to.
#include "hale/net/curl_errors.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace hale {
namespace {

struct Case {
  CURLcode code;
  long os_errno;
  const char* detail;
  const char* reason;
  const char* error_code;
};

TEST(CurlErrors, MapToShortReasons) {
  const std::vector<Case> cases = {
      {CURLE_COULDNT_CONNECT, ECONNREFUSED, "Failed to connect", "connection refused", "refused"},
      {CURLE_COULDNT_CONNECT, EHOSTUNREACH, "", "host unreachable", "connect"},
      {CURLE_OPERATION_TIMEDOUT, 0, "Operation timed out after 500 ms", "timeout", "timeout"},
      {CURLE_COULDNT_RESOLVE_HOST, 0, "Could not resolve host: nope.invalid",
       "dns: Could not resolve host: nope.invalid", "dns"},
      {CURLE_PEER_FAILED_VERIFICATION, 0, "SSL: no alternative certificate subject name",
       "tls: SSL: no alternative certificate subject name", "tls"},
      {CURLE_SSL_CONNECT_ERROR, 0, "", "tls: SSL connect error", "tls"},
      {CURLE_GOT_NOTHING, 0, "Empty reply from server", "empty reply from server", "connect"},
      {CURLE_RECV_ERROR, ECONNRESET, "Recv failure", "connection reset", "connect"},
      {CURLE_UNSUPPORTED_PROTOCOL, 0, "Protocol \"file\" not supported",
       "Protocol \"file\" not supported", "connect"},
  };
  for (const auto& c : cases) {
    ProbeResult r = curl_failure(c.code, c.os_errno, c.detail);
    EXPECT_EQ(r.verdict, Verdict::kFail) << c.reason;
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_EQ(to_string(r.error), c.error_code) << c.reason;
  }
}

TEST(CurlErrors, ScrubsSecrets) {
  EXPECT_EQ(scrub_secret("user:s3cret@host s3cret", "s3cret"), "user:***@host ***");
  EXPECT_EQ(scrub_secret("nothing here", ""), "nothing here");
}

}  // namespace
}  // namespace hale
