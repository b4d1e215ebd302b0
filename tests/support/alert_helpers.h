// Helpers for the alerting integration tests (SPEC §6): hale's config for a test, the webhook
// receiver most of them send to, waits for what hale and the receiver report, its alerts API
// and /metrics read back, what a receiver got, and the webhook signature.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/test_http_server.h"

namespace hale::testing {

inline constexpr const char* kAlertAdminToken = "alert-test-admin-token";

// [server]: loopback on {PORT}, the admin token, state under `state_dir`; by default the
// HaleProcess's own state dir, which a relaunch of it finds again.
std::string alert_server_section(const std::string& state_dir = "{STATE_DIR}");

// A tcp check of 127.0.0.1:`port` that turns fail at the first refused connection and ok at
// the first accepted one, probing every `interval` without jitter.
std::string tcp_check(const std::string& name, std::uint16_t port, const std::string& interval = "200ms");

// A [notifiers.NAME] of type webhook posting to `url`, with `extra` TOML lines.
std::string webhook_notifier(const std::string& name, const std::string& url, const std::string& extra = "");
// An [[alerts]] rule: `match` (one name or glob) to `notify` (one notifier), with `extra` lines.
std::string alert_rule(const std::string& match, const std::string& notify, const std::string& extra = "");

// A webhook receiver on 127.0.0.1: a TestHttpServer that answers `path` with `answer` from the
// start (tests script more with set() and push_once()), and what it got there.
class WebhookReceiver : public TestHttpServer {
 public:
  explicit WebhookReceiver(std::string path = "/hook", TestResponse answer = TestResponse::ok());

  using TestHttpServer::url;
  // The URL of its path, for a notifier's `url`.
  std::string url() const { return url(path_); }
  // A [notifiers.NAME] of type webhook posting to url(), with `extra` TOML lines.
  std::string notifier(const std::string& name, const std::string& extra = "") const;
  // Waits (bounded) until at least `n` requests have reached its path.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds within = std::chrono::seconds(10)) const;

 private:
  std::string path_;
};

// Waits (bounded) until /health shows check `name` in `status` ("ok", "fail", ...).
bool wait_for_check(const HaleProcess& hale, const std::string& name, const std::string& status,
                    std::chrono::milliseconds within = std::chrono::seconds(10));

// Waits (bounded) until the deliveries of `notifier` and `key` ("" for every key) are exactly
// `states`, in the API's order (pending first, then the finished, newest first).
bool wait_for_delivery_states(const HaleProcess& hale, std::string_view notifier, std::string_view key,
                              const std::vector<std::string>& states,
                              std::chrono::milliseconds within = std::chrono::seconds(10));

// GET `path` of hale as JSON; null when the answer is not JSON.
nlohmann::json get_json(const HaleProcess& hale, const std::string& path);

// A check's status in /health ("ok", "fail", ...); "" when absent.
std::string check_status(const HaleProcess& hale, const std::string& name);

// Every delivery GET /api/v1/alerts lists (pending ones, then the finished, newest first),
// those of one notifier and one key when given.
std::vector<nlohmann::json> deliveries(const HaleProcess& hale, std::string_view notifier = {},
                                       std::string_view key = {});

// The value of one series in Prometheus text (`name{labels}` exactly as exposed); nullopt
// when absent.
std::optional<double> metric_value(const std::string& exposition, std::string_view series);

// The JSON bodies of the requests to `path` that `server` answered `status` (0: any).
std::vector<nlohmann::json> received_alerts(const TestHttpServer& server, std::string_view path, int status = 0);

// The requests to `path`, in arrival order.
std::vector<RecordedRequest> requests_to(const TestHttpServer& server, std::string_view path);

// Absence (no retry, no reminder, nothing while silenced) can only be shown by waiting:
// sleeps `d`, which the caller keeps a few times longer than what it rules out.
void quiet_period(std::chrono::milliseconds d);

// "sha256=" and the lower-case hex HMAC-SHA256 of `body` keyed with `secret` (OpenSSL HMAC()),
// as docs/alerts.md tells a receiver to verify X-Hale-Signature-256.
std::string webhook_signature(std::string_view secret, std::string_view body);

// 32 lower-case hex digits: a delivery id.
bool is_delivery_id(const std::string& id);

// The log lines (JSON objects) of hale whose "event" is `event`.
std::vector<nlohmann::json> log_events(const HaleProcess& hale, std::string_view event);

// POST/DELETE with the admin token.
HttpReply admin_request(const std::string& method, const std::string& url, const std::string& body = "");

// Seconds between two steady times, for messages.
double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b);

}  // namespace hale::testing
