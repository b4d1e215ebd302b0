// NotifySocket: the NOTIFY_SOCKET of one service with ready = "notify" (SPEC §4, systemd's
// sd_notify protocol). An abstract-namespace AF_UNIX datagram socket ("@hale/<pid>/<n>/<name>":
// no file to clean up, no path-length trouble with a long state_dir), read on the loop.
// Datagrams are accepted only from processes of the service's own process group (the kernel
// attaches the sender's credentials, SO_PASSCRED), so another local process cannot declare a
// service ready or feed its watchdog.
// Thread-safety: loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "hale/status.h"
#include "hale/supervise/sd_notify.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class NotifySocket {
 public:
  using Handler = std::function<void(const NotifyMessage&)>;

  static StatusOr<std::unique_ptr<NotifySocket>> open(boost::asio::io_context& io, const std::string& service);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The value of NOTIFY_SOCKET for the child ("@hale/...").
  const std::string& address() const { return address_; }
  // From now on, datagrams from process group `pgid` go to `handler`; others are dropped.
  void listen(pid_t pgid, Handler handler);
  // Drops datagrams until the next listen().
  void pause();

  struct Impl;

 private:
  explicit NotifySocket(std::shared_ptr<Impl> impl, std::string address)
      : impl_(std::move(impl)), address_(std::move(address)) {}
  std::shared_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace hale
