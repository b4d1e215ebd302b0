// HostAllowList: which Host headers hale answers (issue 17: DNS rebinding). A web page in a local
// browser can make its own name resolve to 127.0.0.1 and read hale's answers as "same origin";
// the Host header it sends is still that name. So when hale listens on loopback it answers only
// requests addressed to a loopback name or address (localhost, *.localhost, 127.0.0.0/8, ::1), or
// to a name in server.allowed_hosts; a request without a Host header (HTTP/1.0) is answered.
// Listening on another address, every Host is answered (the network decides who reaches it),
// unless allowed_hosts is set, which then applies there too. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hale {

class HostAllowList {
 public:
  // `listen`: server.listen ("127.0.0.1:8099", "[::]:8099", "localhost:0"); `allowed`:
  // server.allowed_hosts (names or addresses, without port; case does not matter).
  HostAllowList(std::string_view listen, std::vector<std::string> allowed);

  // `host`: the Host header as sent ("" when absent), with or without a port.
  bool allows(std::string_view host) const;
  // Whether any Host is answered (no check is made).
  bool open() const { return open_; }

 private:
  bool open_ = true;
  std::vector<std::string> allowed_;  // lower case
};

}  // namespace hale
