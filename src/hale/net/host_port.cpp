// host:port (see host_port.h).
#include "hale/net/host_port.h"

#include <algorithm>
#include <charconv>

namespace hale {

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

StatusOr<HostPort> read_host_port(std::string_view text, bool allow_port_zero) {
  if (text.find("://") != std::string_view::npos) {
    return Status::error("a URL is not host:port; write e.g. \"db.internal:5432\"");
  }
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return Status::error("missing ']' after an IPv6 address");
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) return Status::error("needs a port after the IPv6 address, e.g. [::1]:80");
    port = rest.substr(1);
    if (host.empty()) return Status::error("needs a host (host:port)");
    if (!std::all_of(host.begin(), host.end(), is_ipv6_char)) return Status::error("is not a valid IPv6 address");
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Status::error("needs a port (host:port)");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.empty()) return Status::error("needs a host (host:port)");
    if (host.find(':') != std::string_view::npos) return Status::error("an IPv6 address needs brackets, e.g. [::1]:80");
    if (!std::all_of(host.begin(), host.end(), is_host_char)) return Status::error("is not a valid host name or address");
  }
  const std::string range = allow_port_zero ? "0 to 65535" : "1 to 65535";
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || port.size() > 5 || ec != std::errc() || end != port.data() + port.size() || value > 65535 ||
      (value == 0 && !allow_port_zero)) {
    return Status::error("port must be a number from " + range);
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

std::optional<HostPort> parse_host_port(std::string_view target) {
  auto read = read_host_port(target);
  if (!read) return std::nullopt;
  return std::move(read).value();
}

std::string_view host_without_port(std::string_view hostport) {
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    return close == std::string_view::npos ? hostport : hostport.substr(1, close - 1);
  }
  const auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(':') == colon) return hostport.substr(0, colon);
  return hostport;
}

}  // namespace hale
