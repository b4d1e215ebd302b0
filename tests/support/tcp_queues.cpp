// /proc/net/tcp lookups (see tcp_queues.h).
#include "support/tcp_queues.h"

#include <cstdio>
#include <fstream>
#include <string>

namespace hale::testing {

namespace {
constexpr int kEstablished = 0x01;
constexpr int kTimeWait = 0x06;
constexpr int kListen = 0x0A;
}  // namespace

std::optional<TcpSocketInfo> tcp_socket(std::uint16_t local_port, std::uint16_t remote_port) {
  // A line: "  3: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 ..." (addresses and ports,
  // the state, then tx_queue:rx_queue, all hex); the first line is a header.
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);
  while (std::getline(table, line)) {
    unsigned local_address = 0, local = 0, remote_address = 0, remote = 0, state = 0, tx = 0, rx = 0;
    if (std::sscanf(line.c_str(), " %*u: %8X:%4X %8X:%4X %2X %8X:%8X", &local_address, &local, &remote_address,
                    &remote, &state, &tx, &rx) != 7) {
      continue;
    }
    if (local != local_port || remote != remote_port || static_cast<int>(state) == kTimeWait) continue;
    return TcpSocketInfo{static_cast<int>(state), tx, rx};
  }
  return std::nullopt;
}

bool server_accepted(std::uint16_t server_port, std::uint16_t client_port) {
  const auto server_end = tcp_socket(server_port, client_port);
  if (!server_end || server_end->state != kEstablished) return false;
  const auto listening = tcp_socket(server_port, 0);
  return listening && listening->state == kListen && listening->rx_queue == 0;
}

bool server_read_everything(std::uint16_t server_port, std::uint16_t client_port) {
  const auto client_end = tcp_socket(client_port, server_port);
  if (!client_end || client_end->tx_queue != 0) return false;
  const auto server_end = tcp_socket(server_port, client_port);  // read after: the bytes are there
  return server_end && server_end->rx_queue == 0;
}

}  // namespace hale::testing
