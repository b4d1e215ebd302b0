// TcpListener: poll + accept + close on a thread.
#include "support/tcp_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace hale::testing {

TcpListener::TcpListener(std::uint16_t port) : port_(port) { open(); }

TcpListener::~TcpListener() { close(); }

void TcpListener::open() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 128) != 0) {
    throw std::runtime_error("TcpListener: cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  running_ = true;
  thread_ = std::thread([this] {
    while (running_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) > 0) {
        int c = accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          ++accepted_;
          ::close(c);
        }
      }
    }
  });
}

void TcpListener::close() {
  if (!running_) return;
  running_ = false;
  thread_.join();
  ::close(fd_);
  fd_ = -1;
}

void TcpListener::reopen() {
  if (!running_) open();
}

}  // namespace hale::testing
