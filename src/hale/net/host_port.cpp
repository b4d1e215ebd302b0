// Splits a tcp target into host and port (see host_port.h).
#include "hale/net/host_port.h"

#include <charconv>

namespace hale {

std::optional<HostPort> parse_host_port(std::string_view target) {
  std::string_view host;
  std::string_view port;
  if (!target.empty() && target.front() == '[') {
    std::size_t close = target.find(']');
    if (close == std::string_view::npos || close + 1 >= target.size() || target[close + 1] != ':') {
      return std::nullopt;
    }
    host = target.substr(1, close - 1);
    port = target.substr(close + 2);
  } else {
    std::size_t colon = target.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = target.substr(0, colon);
    port = target.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (host.empty() || port.empty()) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

}  // namespace hale
