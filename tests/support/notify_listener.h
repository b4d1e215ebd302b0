// NotifyListener: the "systemd" end of the sd_notify protocol for tests: a bound AF_UNIX
// datagram socket (a filesystem path, or an abstract name written "@name") that collects what a
// process sends to its NOTIFY_SOCKET.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace hale::testing {

class NotifyListener {
 public:
  explicit NotifyListener(std::string name) : name_(std::move(name)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    if (name_.empty() || name_.size() >= sizeof addr.sun_path) return;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    const bool abstract = name_[0] == '@';
    if (abstract) addr.sun_path[0] = '\0';
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() + (abstract ? 0 : 1));
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0;
  }
  ~NotifyListener() { close(fd_); }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;
  bool bound() const { return bound_; }
  const std::string& name() const { return name_; }

  // The next datagram, or nullopt when none arrives within `within`.
  std::optional<std::string> receive(std::chrono::milliseconds within) {
    timeval tv{};
    tv.tv_sec = within.count() / 1000;
    tv.tv_usec = (within.count() % 1000) * 1000;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    std::string msg(buf, static_cast<std::size_t>(n));
    received_.push_back(msg);
    return msg;
  }

  // Receives until a datagram contains `line` as one of its lines (bounded); returns it.
  std::optional<std::string> wait_for(const std::string& line, std::chrono::milliseconds within = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds(0)) return std::nullopt;
      auto msg = receive(left);
      if (!msg) return std::nullopt;
      if (has_line(*msg, line)) return msg;
    }
  }

  static bool has_line(const std::string& msg, const std::string& line) {
    std::istringstream in(msg);
    for (std::string l; std::getline(in, l);) {
      if (l == line) return true;
    }
    return false;
  }
  const std::vector<std::string>& received() const { return received_; }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
  std::vector<std::string> received_;
};

}  // namespace hale::testing
