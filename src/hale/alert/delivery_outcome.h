// What one delivery attempt's ending means for the outbox (SPEC §6): accepted (the delivery is
// sent), retried later (with backoff, or when the receiver said when), or refused for good (the
// delivery fails). One function per way of delivering: HTTP, SMTP, exec, and an Alertmanager
// cluster's members together. Pure: the caller reads the codes from libcurl or the child process.
//
// Reasons are short, for people and for Delivery::last_error: "HTTP 503", "connection refused",
// "SMTP 550", "exit status 2". They hold no URL (anything that looks like one is replaced by
// "<url>") and no response body. Thread-safety: every function is pure.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"

namespace hale {

enum class OutcomeKind { kAccepted, kRetry, kPermanent };
std::string_view to_string(OutcomeKind k);  // "accepted", "retry", "permanent"

struct DeliveryOutcome {
  OutcomeKind kind = OutcomeKind::kRetry;
  std::string reason;
  // kRetry only: the receiver's own wait (Retry-After), used instead of the notifier's backoff when set.
  std::optional<Duration> retry_after;
};

// The longest wait a Retry-After may ask for; a longer one is cut to it.
inline constexpr Duration kMaxRetryAfter = std::chrono::hours(1);

// An HTTP POST that ended with `code` (CURLcode of the transfer), `os_errno`
// (CURLINFO_OS_ERRNO), `http_status` (CURLINFO_RESPONSE_CODE, 0 when none came), the response's
// Retry-After header (empty when none), at `now` (for a Retry-After date), with libcurl's error
// text (CURLOPT_ERRORBUFFER, may be empty).
//   2xx                      accepted (also when the transfer failed after the status arrived:
//                            the receiver has taken it, and a re-send would duplicate it)
//   408, 425, 429, 5xx       retry; 429 and 503 honour Retry-After
//   3xx                      permanent: "redirects are not followed: HTTP 301"
//   other 4xx                permanent: "HTTP 404"
//   a curl error             retry (refused, timeout, DNS, TLS...): curl_failure()'s reason
//   CURLE_OK and no status   retry: "no HTTP status"
DeliveryOutcome http_outcome(CURLcode code, long os_errno, long http_status, std::string_view retry_after,
                             WallTime now, std::string_view curl_error_text);

// An SMTP transfer that ended with `code`, `os_errno`, `smtp_code` (CURLINFO_RESPONSE_CODE: the
// server's last reply, 0 when none) and libcurl's error text.
//   CURLE_OK                 accepted (the server said 250 to the message)
//   CURLE_USE_SSL_FAILED     permanent: the server offers no STARTTLS and TLS is required
//   CURLE_LOGIN_DENIED       permanent: the credentials were refused
//   a 5xx reply              permanent: "SMTP 550"
//   a 4xx reply              retry: "SMTP 451"
//   anything else            retry (connection errors): curl_failure()'s reason
DeliveryOutcome smtp_outcome(CURLcode code, long os_errno, long smtp_code, std::string_view curl_error_text);

// An exec notifier's child: `exit_code` when it exited, `signal` when a signal ended it,
// `timed_out` when hale killed it at its timeout, `spawn_error` (not empty) when it never ran.
//   exit 0 accepted; any other exit, a signal, a timeout or a spawn failure retry, with the reason.
// A timeout wins over the signal that ended it; a spawn error over everything.
DeliveryOutcome exec_outcome(std::optional<int> exit_code, std::optional<int> signal, bool timed_out,
                             std::string_view spawn_error);

// An Alertmanager cluster's members (one outcome each, in the order of the notifier's urls):
// accepted when any member accepted (Alertmanager's members gossip alerts to each other); else
// retry when any member may be retried, waiting the longest Retry-After among them; else
// permanent. The reason names members by their place: "1: HTTP 503; 2: connection refused".
// No members at all is permanent ("no Alertmanager URL").
DeliveryOutcome combine_cluster(const std::vector<DeliveryOutcome>& members);

// A Retry-After value (RFC 9110 10.2.3): delay-seconds ("120") or an HTTP-date (IMF-fixdate
// "Sun, 06 Nov 1994 08:49:37 GMT", and the obsolete RFC 850 and asctime forms, read by libcurl's
// curl_getdate()) relative to `now`. Capped at kMaxRetryAfter; a date in the past is zero.
// nullopt when it is neither form.
std::optional<Duration> parse_retry_after(std::string_view value, WallTime now);

}  // namespace hale
