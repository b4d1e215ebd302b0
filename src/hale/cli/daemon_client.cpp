// DaemonClient: config -> address and token -> blocking HTTP (http_call.h).
#include "hale/cli/daemon_client.h"

#include <cstdio>

#include "hale/config.h"
#include "hale/text/terminal_text.h"

namespace hale::cli {

std::string connect_address(std::string_view listen) {
  std::string_view host, port;
  if (listen.starts_with('[')) {
    const auto close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size()) return "";
    host = listen.substr(0, close + 1);
    port = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos) return "";
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (port.empty() || port.find_first_not_of('0') == std::string_view::npos) return "";
  if (host.empty() || host == "0.0.0.0" || host == "*") host = "127.0.0.1";
  if (host == "[::]" || host == "[::0]" || host == "[0:0:0:0:0:0:0:0]") host = "[::1]";
  return std::string(host) + ":" + std::string(port);
}

std::optional<DaemonClient> DaemonClient::from_config(const std::string& config_path, int& exit_code) {
  LoadResult r = load_config_file(config_path);
  if (!r.config) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    exit_code = 2;
    return std::nullopt;
  }
  DaemonClient c;
  c.config_path_ = config_path;
  c.listen_ = r.config->server.listen;
  c.address_ = connect_address(c.listen_);
  c.token_ = r.config->server.admin_token;
  if (c.address_.empty()) {
    std::fprintf(stderr,
                 "hale: cannot find the daemon from listen \"%s\" in %s (port 0 means any free port); "
                 "set a fixed port\n",
                 c.listen_.c_str(), config_path.c_str());
    exit_code = 2;
    return std::nullopt;
  }
  return c;
}

HttpAnswer DaemonClient::get(const std::string& path) const { return request("GET", path, false); }

HttpAnswer DaemonClient::post(const std::string& path) const { return request("POST", path, true); }

HttpAnswer DaemonClient::post_json(const std::string& path, const std::string& body) const {
  return request("POST", path, true, body);
}

HttpAnswer DaemonClient::del(const std::string& path) const { return request("DELETE", path, true); }

HttpAnswer DaemonClient::request(const char* method, const std::string& path, bool auth,
                                 const std::optional<std::string>& json_body) const {
  HttpCall call;
  call.method = method;
  call.url = "http://" + address_ + path;
  call.headers.push_back("Accept: application/json");
  if (json_body) {
    call.headers.push_back("Content-Type: application/json");
    call.body = *json_body;
  }
  if (auth && token_) call.headers.push_back("Authorization: Bearer " + *token_);
  call.connect_timeout = std::chrono::seconds(1);
  call.total_timeout = std::chrono::seconds(5);
  call.allow_env_proxy = false;  // loopback: never through $http_proxy
  return http_call(call);
}

int DaemonClient::report_unreachable(const HttpAnswer& a) const {
  if (a.refused) {
    std::fprintf(stderr,
                 "hale: no hale daemon answers at %s (listen from %s); is \"hale run -c %s\" running?\n",
                 address_.c_str(), config_path_.c_str(), config_path_.c_str());
  } else {
    std::fprintf(stderr, "hale: no answer from the hale daemon at %s (listen from %s): %s\n",
                 address_.c_str(), config_path_.c_str(), a.error.c_str());
  }
  return 1;
}

std::optional<nlohmann::json> DaemonClient::parse_body(const HttpAnswer& a) const {
  auto j = nlohmann::json::parse(a.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::fprintf(stderr, "hale: unexpected answer from %s (HTTP %d, not a JSON object); is it a hale daemon?\n",
                 address_.c_str(), a.status);
    return std::nullopt;
  }
  return j;
}

namespace {
std::string error_field(const std::string& body, const char* field) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto e = j.find("error");
  if (e == j.end() || !e->is_object()) return "";
  auto f = e->find(field);
  return f != e->end() && f->is_string() ? f->get<std::string>() : "";
}
}  // namespace

std::string url_escape(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The daemon's words, printed on the operator's terminal: made safe like everything else it says.
std::string api_error_message(const std::string& body) { return terminal_safe(error_field(body, "message")); }
std::string api_error_code(const std::string& body) { return error_field(body, "code"); }

}  // namespace hale::cli
