// The Host allow-list (see host_allow.h).
#include "hale/server/host_allow.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace hale {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "host:port", "[v6]:port", "host", "[v6]" -> the host without brackets or port.
std::string_view strip_port(std::string_view hostport) {
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    return close == std::string_view::npos ? hostport : hostport.substr(1, close - 1);
  }
  const auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(':') == colon) return hostport.substr(0, colon);
  return hostport;  // a bare IPv6 address has several ':' (not a valid Host, but no port to cut)
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  const std::string h = lower(host);
  if (h == "localhost" || h == "localhost." || h.ends_with(".localhost") || h.ends_with(".localhost.")) return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    // ::ffff:127.x.y.z
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

HostAllowList::HostAllowList(std::string_view listen, std::vector<std::string> allowed) {
  for (std::string& a : allowed) allowed_.push_back(lower(a));
  const std::string_view listen_host = strip_port(listen);
  const bool loopback = listen_host.empty() || is_loopback_host(listen_host);  // "" listens on 127.0.0.1
  open_ = !loopback && allowed_.empty();
}

bool HostAllowList::allows(std::string_view host) const {
  if (open_ || host.empty()) return true;
  const std::string h = lower(strip_port(host));
  if (std::find(allowed_.begin(), allowed_.end(), h) != allowed_.end()) return true;
  return is_loopback_host(h);
}

}  // namespace hale
