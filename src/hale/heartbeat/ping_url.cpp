// Base URL parsing and ping URL building (see ping_url.h).
#include "hale/heartbeat/ping_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "hale/config.h"

namespace hale {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_loopback_host(std::string_view host) {
  const std::string h = lower(host);
  if (h == "localhost" || h.ends_with(".localhost")) return true;  // RFC 6761: always loopback
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
    const std::string inner = h.substr(1, h.size() - 2);
    in6_addr v6{};
    if (::inet_pton(AF_INET6, inner.c_str(), &v6) != 1) return false;
    if (std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0) return true;
    // ::ffff:127.x.y.z, IPv4 loopback written as IPv6.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(v6.s6_addr, kMapped, sizeof kMapped) == 0 && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace

StatusOr<PingBase> parse_ping_base(std::string_view base) {
  const std::size_t scheme_end = base.find("://");
  if (scheme_end == std::string_view::npos) return Status::error("is not an http:// or https:// URL");
  const std::string scheme = lower(base.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return Status::error("is not an http:// or https:// URL");
  if (base.find_first_of("?#") != std::string_view::npos) {
    return Status::error("must not have a query or a fragment");
  }
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(base.find('/', authority), base.size());
  std::string_view host_port = base.substr(authority, authority_end - authority);
  if (const auto at = host_port.rfind('@'); at != std::string_view::npos) host_port.remove_prefix(at + 1);

  std::string_view host, port;
  if (host_port.starts_with('[')) {
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return Status::error("has no host");
    host = host_port.substr(0, close + 1);
    const std::string_view rest = host_port.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::error("has a bad port");
      port = rest.substr(1);
      if (port.empty()) return Status::error("has a bad port");
    }
  } else {
    const auto colon = host_port.find(':');
    host = host_port.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = host_port.substr(colon + 1);
      if (port.empty()) return Status::error("has a bad port");
    }
  }
  if (host.empty() || host == "[]") return Status::error("has no host");
  if (!port.empty() && (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
                          return c >= '0' && c <= '9';
                        }) || std::stoi(std::string(port)) > 65535)) {
    return Status::error("has a bad port");
  }

  PingBase b;
  b.url = scheme + std::string(base.substr(scheme_end));
  while (b.url.size() > authority && b.url.back() == '/') b.url.pop_back();
  b.display = redact_url(b.url);
  b.loopback = is_loopback_host(host);
  return b;
}

std::string escape_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string ping_url(const PingBase& base, std::string_view name, std::string_view what) {
  return base.url + "/ping/" + escape_path_segment(name) + "/" + std::string(what);
}

}  // namespace hale
