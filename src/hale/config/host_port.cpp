// host:port validation: catches at load time the addresses a probe or a listener would only
// fail on later ("db" without a port, "::1:80" without brackets, a URL where host:port belongs).
#include "hale/config/host_port.h"

#include <algorithm>

namespace hale::config {

namespace {

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

bool is_ipv6_char(char c) {
  // Hex digits, ':' and '.' (an embedded IPv4), and a zone id after '%' ("fe80::1%eth0").
  return is_host_char(c) || c == ':' || c == '%';
}

}  // namespace

std::optional<std::string> host_port_problem(std::string_view text, bool allow_port_zero) {
  if (text.find("://") != std::string_view::npos) return "a URL is not host:port; write e.g. \"db.internal:5432\"";
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return "missing ']' after an IPv6 address";
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) return "needs a port after the IPv6 address, e.g. [::1]:80";
    port = rest.substr(1);
    if (host.empty()) return "needs a host (host:port)";
    if (!std::all_of(host.begin(), host.end(), is_ipv6_char)) return "is not a valid IPv6 address";
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return "needs a port (host:port)";
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.empty()) return "needs a host (host:port)";
    if (host.find(':') != std::string_view::npos) return "an IPv6 address needs brackets, e.g. [::1]:80";
    if (!std::all_of(host.begin(), host.end(), is_host_char)) return "is not a valid host name or address";
  }
  const std::string range = allow_port_zero ? "0 to 65535" : "1 to 65535";
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "port must be a number from " + range;
  }
  const int n = std::stoi(std::string(port));
  if (n > 65535 || (n == 0 && !allow_port_zero)) return "port must be a number from " + range;
  return std::nullopt;
}

}  // namespace hale::config
