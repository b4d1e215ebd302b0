// Helpers for the alerting integration tests (see alert_helpers.h).
#include "support/alert_helpers.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <sstream>
#include <thread>

namespace hale::testing {

std::string alert_server_section(const std::string& state_dir) {
  return "[server]\nlisten = \"127.0.0.1:{PORT}\"\nadmin_token = \"" + std::string(kAlertAdminToken) +
         "\"\nstate_dir = \"" + state_dir + "\"\n";
}

std::string tcp_check(const std::string& name, std::uint16_t port, const std::string& interval) {
  return "\n[checks." + name + "]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(port) +
         "\"\ninterval = \"" + interval + "\"\ntimeout = \"1s\"\nfailure_threshold = 1\njitter = \"0ms\"\n";
}

std::string webhook_notifier(const std::string& name, const std::string& url, const std::string& extra) {
  return "\n[notifiers." + name + "]\ntype = \"webhook\"\nurl = \"" + url + "\"\n" + extra;
}

std::string alert_rule(const std::string& match, const std::string& notify, const std::string& extra) {
  return "\n[[alerts]]\nmatch = \"" + match + "\"\nnotify = \"" + notify + "\"\n" + extra;
}

WebhookReceiver::WebhookReceiver(std::string path, TestResponse answer) : path_(std::move(path)) {
  set(path_, std::move(answer));
}

std::string WebhookReceiver::notifier(const std::string& name, const std::string& extra) const {
  return webhook_notifier(name, url(), extra);
}

bool WebhookReceiver::wait_for_requests(std::size_t n, std::chrono::milliseconds within) const {
  return eventually([&] { return request_count(path_) >= n; }, within);
}

bool wait_for_check(const HaleProcess& hale, const std::string& name, const std::string& status,
                    std::chrono::milliseconds within) {
  return eventually([&] { return check_status(hale, name) == status; }, within);
}

bool wait_for_delivery_states(const HaleProcess& hale, std::string_view notifier, std::string_view key,
                              const std::vector<std::string>& states, std::chrono::milliseconds within) {
  return eventually(
      [&] {
        const std::vector<nlohmann::json> got = deliveries(hale, notifier, key);
        if (got.size() != states.size()) return false;
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (got[i].value("state", "") != states[i]) return false;
        }
        return true;
      },
      within);
}

nlohmann::json get_json(const HaleProcess& hale, const std::string& path) {
  const HttpReply r = http_get(hale.url(path));
  return nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

std::string check_status(const HaleProcess& hale, const std::string& name) {
  const nlohmann::json j = get_json(hale, "/health");
  if (!j.is_object() || !j.contains("checks") || !j["checks"].contains(name)) return "";
  return j["checks"][name].value("status", "");
}

std::vector<nlohmann::json> deliveries(const HaleProcess& hale, std::string_view notifier, std::string_view key) {
  std::vector<nlohmann::json> out;
  const nlohmann::json j = get_json(hale, "/api/v1/alerts?limit=1000");
  if (!j.is_object() || !j["deliveries"].is_array()) return out;
  for (const auto& d : j["deliveries"]) {
    if (!notifier.empty() && d.value("notifier", "") != notifier) continue;
    if (!key.empty() && d.value("key", "") != key) continue;
    out.push_back(d);
  }
  return out;
}

std::optional<double> metric_value(const std::string& exposition, std::string_view series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() <= series.size() || line.compare(0, series.size(), series) != 0 || line[series.size()] != ' ') {
      continue;
    }
    const std::string value = line.substr(series.size() + 1);
    try {
      return std::stod(value);
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<nlohmann::json> received_alerts(const TestHttpServer& server, std::string_view path, int status) {
  std::vector<nlohmann::json> out;
  for (const RecordedRequest& r : server.requests()) {
    if (r.path != path || (status != 0 && r.answer_status != status)) continue;
    out.push_back(nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false));
  }
  return out;
}

std::vector<RecordedRequest> requests_to(const TestHttpServer& server, std::string_view path) {
  std::vector<RecordedRequest> out;
  for (RecordedRequest& r : server.requests()) {
    if (r.path == path) out.push_back(std::move(r));
  }
  return out;
}

void quiet_period(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

std::string webhook_signature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

bool is_delivery_id(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::vector<nlohmann::json> log_events(const HaleProcess& hale, std::string_view event) {
  std::vector<nlohmann::json> out;
  std::istringstream in(hale.log());
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("event", "") == event) out.push_back(std::move(j));
  }
  return out;
}

HttpReply admin_request(const std::string& method, const std::string& url, const std::string& body) {
  std::vector<std::string> headers{std::string("Authorization: Bearer ") + kAlertAdminToken};
  if (!body.empty()) headers.push_back("Content-Type: application/json");
  return http_request(method, url, headers, body);
}

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace hale::testing
