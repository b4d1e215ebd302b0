// host:port, the one reader of it: a tcp or tls target ("db:5432", "[::1]:8080"), the server's
// `listen`, and the Host header the server is asked with. Pure, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hale/status.h"

namespace hale {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  std::uint16_t port = 0;
};

// "db:5432", "127.0.0.1:80", "[::1]:8080", "[fe80::1%eth0]:80". The error says what is wrong in
// words a config message can quote: a URL where host:port belongs, no port, no host, an IPv6
// address without brackets (ambiguous: "::1:80"), characters no host name has, a port outside
// 1-65535. `allow_port_zero`: port 0 asks the kernel for any free port, which makes sense for a
// listener, never for a target.
StatusOr<HostPort> read_host_port(std::string_view text, bool allow_port_zero = false);

// read_host_port() for a target already checked at load: nullopt when it does not read.
std::optional<HostPort> parse_host_port(std::string_view target);

// The host of a Host header or an address, port or not: "h:80" and "h" -> "h", "[::1]:80" and
// "[::1]" -> "::1". A bare IPv6 address (several ':', not a valid Host) is returned whole.
std::string_view host_without_port(std::string_view hostport);

}  // namespace hale
