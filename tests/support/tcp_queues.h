// What the kernel knows about a test's TCP connections (/proc/net/tcp), for a test that must
// wait until a server has done something with them (accepted them, read what was sent) without
// asking the server: the condition itself, not a sleep long enough for it on this machine.
#pragma once

#include <cstdint>
#include <optional>

namespace hale::testing {

// One IPv4 TCP socket of this network namespace as /proc/net/tcp shows it.
struct TcpSocketInfo {
  int state = 0;               // 0x01 ESTABLISHED, 0x03 SYN_RECV, 0x0A LISTEN, ... (include/net/tcp_states.h)
  std::uint32_t tx_queue = 0;  // LISTEN: the accept queue's limit; else bytes sent, not yet acknowledged
  std::uint32_t rx_queue = 0;  // LISTEN: connections waiting in the accept queue; else bytes received, not yet read
};

// The socket whose local port is `local_port` and remote port `remote_port` (0 for a LISTEN
// socket), TIME_WAIT leftovers of earlier connections aside; nullopt when there is none.
std::optional<TcpSocketInfo> tcp_socket(std::uint16_t local_port, std::uint16_t remote_port);

// True when the server listening on `server_port` has accept()ed the connection of the client
// whose local port is `client_port`: the kernel has completed it (the server's end is
// ESTABLISHED, so it is in the accept queue or past it) and the accept queue is empty.
bool server_accepted(std::uint16_t server_port, std::uint16_t client_port);

// True when the server on `server_port` has read every byte the client at `client_port` sent:
// the server's kernel acknowledged all of them (the client's unacknowledged bytes are 0, so they
// reached the server's receive queue) and, looked at after that, none waits there unread.
bool server_read_everything(std::uint16_t server_port, std::uint16_t client_port);

}  // namespace hale::testing
