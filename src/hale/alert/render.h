// Rendering one Delivery into what each notifier type puts on the wire (SPEC §6): the webhook's
// JSON object, Slack's and Discord's messages, an Alertmanager v2 alert, an ntfy JSON publish, an
// RFC 5322 email, and the exec notifier's stdin. Pure functions: no I/O, no clock, no randomness,
// so the same Delivery renders to the same bytes on every retry and after a restart (golden-file
// tested in tests/unit/alert/render_test.cpp; docs/alerts.md "Payloads" shows each format). The
// one field that follows the attempt is Alertmanager's endsAt of a firing alert, held from
// Delivery::last_attempt_at (the attempt's start), as a re-send to Alertmanager should be.
//
// Secrets: an Alert holds none (messages are redacted before they get here). The only secrets in
// the output are the notifier's own, where they belong: the URL, `Authorization: Bearer <token>`
// (ntfy, alertmanager) and the webhook's HMAC signature (made with the secret, never showing it).
//
// Text from the data (subject names, messages) is made valid UTF-8 (an invalid byte becomes
// U+FFFD) and stripped of control characters wherever a line is expected (headlines, headers);
// each receiver's length limits are kept by cutting at UTF-8 character boundaries.
// Thread-safety: every function is pure and safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hale/model/alert.h"
#include "hale/config.h"

namespace hale {

// Who is sending: hale's [server] service name and the host's name.
struct RenderContext {
  std::string service;
  std::string host;
};

// One HTTP POST: the URL, the request headers in order, the exact body.
struct HttpDeliveryRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The requests of one delivery attempt: webhook, slack, discord and ntfy one; alertmanager one per
// URL of the cluster (in the order of `n.urls`). Empty for email and exec (see below).
std::vector<HttpDeliveryRequest> render_http(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx);

// An email: the envelope (`from`, `to`) and the message itself, RFC 5322 with CRLF line ends,
// headers ASCII only (RFC 2047 encoded words for a non-ASCII subject), the body 8bit UTF-8 with no
// line over 998 octets. No header holds a CR or LF from the data. The SMTP dot-stuffing is left to
// libcurl, which does it while sending.
struct EmailMessage {
  std::string from;
  std::vector<std::string> to;
  std::string text;
};
EmailMessage render_email(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx);

// The SPEC §6 webhook object, compact, fields in the spec's order (id, key, kind, subject, status,
// previous, resolved, flapping, critical, since, message, service, host, silenced) followed by
// severity, state, at and sequence. Times are ISO 8601 UTC seconds.
std::string webhook_json(const Delivery& d, const RenderContext& ctx);

// What an exec notifier's command reads on stdin: webhook_json and a newline.
std::string exec_stdin(const Delivery& d, const RenderContext& ctx);

// One line for people, at most kHeadlineMaxChars characters, no control characters:
//   [CRITICAL] check db is fail: connection refused
//   [CRITICAL] check db is still fail (reminder 2): connection refused
//   [WARNING] check api is degraded: latency 2.1s over 1s
//   [RESOLVED] check db is ok again after 32m10s (was fail since 2026-04-18T17:58:02Z)
//   [FLAPPING] check db keeps changing status: connection refused
//   [STABLE] check db is stable again: ok
std::string alert_headline(const Alert& a);
inline constexpr std::size_t kHeadlineMaxChars = 256;

// ---- The pieces, for tests and for the docs ----

// One request per format (what render_http dispatches to).
HttpDeliveryRequest render_webhook(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx);
HttpDeliveryRequest render_slack(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx);
HttpDeliveryRequest render_discord(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx);
std::vector<HttpDeliveryRequest> render_alertmanager(const NotifierSpec& n, const Delivery& d,
                                                     const RenderContext& ctx);
HttpDeliveryRequest render_ntfy(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx);

// The value of X-Hale-Signature-256: "sha256=" and the lower-case hex HMAC-SHA256 of the exact
// body bytes keyed with the secret's bytes (OpenSSL HMAC()). A receiver recomputes it over the raw
// body it read and compares in constant time.
std::string webhook_signature(std::string_view secret, std::string_view body);

// The Alertmanager alert's labels as (name, value), the same for a firing alert and its
// resolution (Alertmanager tells alerts apart by their labels): alertname ("HaleCheckFail",
// "HaleServiceDegraded", "HaleCheckFlapping"), kind, subject, status (the problem's status: for a
// resolution the one that ended; "flapping" for the flapping key), severity, service, instance.
std::vector<std::pair<std::string, std::string>> alertmanager_labels(const Alert& a, const RenderContext& ctx);

// Where an Alertmanager member takes alerts: `url` + "/api/v2/alerts" when its path is empty or
// "/", else `url` as written.
std::string alertmanager_endpoint(const std::string& url);

// An ntfy topic URL split for JSON publishing: "https://ntfy.example/mytopic" ->
// {"https://ntfy.example/", "mytopic"}; a server under a path keeps it ("https://h/ntfy/t" ->
// {"https://h/ntfy/", "t"}); userinfo and the query (e.g. ?auth=) stay on the base.
struct NtfyEndpoint {
  std::string base;
  std::string topic;
};
NtfyEndpoint ntfy_endpoint(const std::string& topic_url);

}  // namespace hale
