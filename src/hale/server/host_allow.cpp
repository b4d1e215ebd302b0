// The Host allow-list (see host_allow.h).
#include "hale/server/host_allow.h"

#include <algorithm>
#include <cctype>

#include "hale/net/host_port.h"
#include "hale/net/url.h"
#include "hale/text/ascii.h"

namespace hale {

HostAllowList::HostAllowList(std::string_view listen, std::vector<std::string> allowed) {
  for (std::string& a : allowed) allowed_.push_back(ascii_lower(a));
  const std::string_view listen_host = host_without_port(listen);
  const bool loopback = listen_host.empty() || is_loopback_host(listen_host);  // "" listens on 127.0.0.1
  open_ = !loopback && allowed_.empty();
}

bool HostAllowList::allows(std::string_view host) const {
  if (open_ || host.empty()) return true;
  const std::string h = ascii_lower(host_without_port(host));
  if (std::find(allowed_.begin(), allowed_.end(), h) != allowed_.end()) return true;
  return is_loopback_host(h);
}

}  // namespace hale
