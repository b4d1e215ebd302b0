// http_call: one blocking HTTP request with libcurl easy, for the CLI's short conversations
// with a hale daemon (DaemonClient: start, stop, restart, status; hale exec: the pings).
// The caller picks the timeouts and whether a proxy may be used; nothing here prints, and
// header values (tokens) go nowhere but the request.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hale::cli {

struct HttpAnswer {
  int status = 0;     // 0: no HTTP answer (see error)
  bool refused = false;  // nothing listens there, or it did not answer in time
  bool request_sent = false;  // false: the request never left (no connection, DNS, TLS)
  std::string body;
  std::string error;  // libcurl's message when status == 0
};

struct HttpCall {
  std::string method = "GET";  // GET, or POST with `body` (empty when unset)
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<std::string> body;
  std::chrono::milliseconds connect_timeout{1000};  // TCP and TLS handshake
  std::chrono::milliseconds total_timeout{5000};
  // false: never a proxy (loopback); true: libcurl's $http_proxy / $https_proxy / $no_proxy.
  bool allow_env_proxy = false;
};

// Performs the request; never throws. Redirects are not followed (a 3xx is the answer).
HttpAnswer http_call(const HttpCall& call);

}  // namespace hale::cli
