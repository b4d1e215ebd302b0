// HostPort: a tcp target "host:port" or "[v6]:port" split into its parts. Pure, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hale {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  std::uint16_t port = 0;
};

// "db:5432", "127.0.0.1:80", "[::1]:8080". nullopt for a missing or bad port (0 is bad),
// an empty host, or an unbracketed IPv6 address (ambiguous: "::1:80").
std::optional<HostPort> parse_host_port(std::string_view target);

}  // namespace hale
