// TcpListener: a real TCP server on 127.0.0.1 that accepts and closes connections on its own
// thread: the target of tcp checks. close() and reopen() on the same port simulate an outage.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace hale::testing {

class TcpListener {
 public:
  explicit TcpListener(std::uint16_t port = 0);  // 0: a free port
  ~TcpListener();
  std::uint16_t port() const { return port_; }
  void close();   // nobody listens on port() until reopen()
  void reopen();
  int accepted() const { return accepted_; }

 private:
  void open();
  std::uint16_t port_;
  int fd_ = -1;
  std::atomic<bool> running_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace hale::testing
