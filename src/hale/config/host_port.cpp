// host:port validation at load time, through net/host_port's one reader: catches the addresses a
// probe or a listener would only fail on later ("db" without a port, "::1:80" without brackets, a
// URL where host:port belongs).
#include "hale/config/host_port.h"

#include "hale/net/host_port.h"

namespace hale::config {

std::optional<std::string> host_port_problem(std::string_view text, bool allow_port_zero) {
  auto read = read_host_port(text, allow_port_zero);
  if (read) return std::nullopt;
  return read.status().message();
}

}  // namespace hale::config
