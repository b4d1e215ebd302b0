// A blocking HTTP client for tests (libcurl easy): the requests an orchestrator, a load
// balancer or an operator would send to hale.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hale::testing {

struct HttpReply {
  int status = 0;  // 0 when no answer came (refused, timeout)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // curl's error when status == 0
};

HttpReply http_request(const std::string& method, const std::string& url,
                       const std::vector<std::string>& headers = {}, const std::string& body = "",
                       long timeout_ms = 5000);
inline HttpReply http_get(const std::string& url, const std::vector<std::string>& headers = {}) {
  return http_request("GET", url, headers);
}

}  // namespace hale::testing
