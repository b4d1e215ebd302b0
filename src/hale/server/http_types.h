// The request and response the Router sees: plain values, no Beast types, so routing is a
// pure function tested without sockets and without compiling Beast.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hale {

struct HttpRequest {
  std::string method = "GET";  // upper case
  std::string target = "/";    // path and query, as sent
  std::string accept;
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type / no-store
};

}  // namespace hale
