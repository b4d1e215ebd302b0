// SystemdNotifier: hale's own sd_notify(3) to its parent when systemd runs it as a
// Type=notify unit (deploy/hale.service): READY=1, RELOADING=1, STOPPING=1, STATUS= and the
// WATCHDOG=1 keep-alive.
//
// Written by hand (socket(AF_UNIX, SOCK_DGRAM) + sendto) instead of linking libsystemd: its
// sd_notify() is twenty lines of protocol, while libsystemd.so pulls liblzma, libzstd, liblz4,
// libgcrypt and libcap into every hale process (more mapped pages, more to patch). The tests'
// child program (tests/helpers/svc_child.cpp) links the real libsystemd instead, which is how we
// check that hale's own supervisor speaks the same protocol.
//
// At construction it reads NOTIFY_SOCKET ("/path" or "@abstract"), WATCHDOG_USEC and
// WATCHDOG_PID, then unsets all three, so supervised children and exec probes never inherit
// hale's systemd socket (they would talk to systemd as if they were hale). Without NOTIFY_SOCKET
// every method is a no-op.
//
// The watchdog keep-alive is a steady_timer on hale's one event loop, firing every
// WATCHDOG_USEC/2: when the loop hangs the pings stop and systemd restarts hale, which is what
// WatchdogSec= is for. Not thread-safe: call it from the loop's thread.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hale {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(boost::asio::io_context& io);
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // True when NOTIFY_SOCKET was set (and usable) at construction.
  bool enabled() const { return fd_ >= 0; }
  // The keep-alive period (WATCHDOG_USEC / 2) when the watchdog is on for this process.
  std::optional<std::chrono::microseconds> watchdog_period() const { return watchdog_period_; }

  // "READY=1\nMAINPID=<pid>" plus "STATUS=<status>" when given.
  void ready(std::string_view status = {});
  // "RELOADING=1\nMONOTONIC_USEC=<now>": follow it with ready() once the reload is done.
  void reloading();
  // "STOPPING=1".
  void stopping();
  // "STATUS=<text>" (one line: newlines become spaces).
  void status(std::string_view text);

  // RELOADING=1 now, READY=1 when it goes out of scope: wraps one reload, whatever its outcome
  // (a failed reload keeps the running configuration, so hale is ready again either way).
  class ReloadScope {
   public:
    explicit ReloadScope(SystemdNotifier& n) : n_(n) { n_.reloading(); }
    ~ReloadScope() { n_.ready(); }
    ReloadScope(const ReloadScope&) = delete;
    ReloadScope& operator=(const ReloadScope&) = delete;

   private:
    SystemdNotifier& n_;
  };

 private:
  void send(const std::string& message);
  void arm_watchdog();

  boost::asio::steady_timer timer_;
  int fd_ = -1;
  sockaddr_un addr_{};
  socklen_t addr_len_ = 0;
  std::string socket_name_;  // as given in NOTIFY_SOCKET, for log lines
  std::optional<std::chrono::microseconds> watchdog_period_;
  bool send_failing_ = false;  // log a failing socket once, not at every ping
};

}  // namespace hale
