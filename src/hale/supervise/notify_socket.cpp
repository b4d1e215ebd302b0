// The per-service sd_notify socket (see notify_socket.h).
#include "hale/supervise/notify_socket.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "hale/log/json_log.h"

namespace hale {

namespace asio = boost::asio;

struct NotifySocket::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, int fd) : sock(io, fd) {}

  void arm() {
    if (armed || !sock.is_open()) return;
    armed = true;
    sock.async_wait(asio::posix::stream_descriptor::wait_read,
                    [weak = weak_from_this()](const boost::system::error_code& ec) {
                      auto self = weak.lock();
                      if (!self) return;
                      self->armed = false;
                      if (ec) return;
                      self->drain();
                      self->arm();
                    });
  }

  // Reads every queued datagram (the socket is non-blocking).
  void drain() {
    for (;;) {
      char data[4096];
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
      iovec iov{data, sizeof data - 1};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(sock.native_handle(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // EAGAIN: all read
      }
      const ucred* cred = nullptr;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          cred = reinterpret_cast<const ucred*>(CMSG_DATA(c));
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
          // FDSTORE=1 passes descriptors; hale keeps none: close them.
          const int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
          const int* fds = reinterpret_cast<const int*>(CMSG_DATA(c));
          for (int i = 0; i < count; ++i) ::close(fds[i]);
        }
      }
      if (!handler || cred == nullptr || !from_service(cred->pid)) continue;
      handler(parse_notify_message(std::string_view(data, static_cast<std::size_t>(n))));
      if (!handler) return;  // the handler paused us
    }
  }

  bool from_service(pid_t sender) const {
    if (sender <= 0) return false;
    if (sender == pgid) return true;
    const pid_t g = ::getpgid(sender);
    return g == pgid;
  }

  asio::posix::stream_descriptor sock;
  Handler handler;
  pid_t pgid = -1;
  bool armed = false;
};

StatusOr<std::unique_ptr<NotifySocket>> NotifySocket::open(asio::io_context& io, const std::string& service) {
  static std::atomic<unsigned> counter{0};
  // The unique part first: a long service name is what gets cut to fit sun_path.
  const std::string name = "hale/" + std::to_string(::getpid()) + "/" + std::to_string(counter++) + "/" + service;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::error(std::string("notify socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // Abstract namespace: a leading NUL, the name after it, no terminator.
  const std::size_t len = std::min(name.size(), sizeof(addr.sun_path) - 1);
  std::memcpy(addr.sun_path + 1, name.data(), len);
  const socklen_t addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + len);
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    int saved = errno;
    ::close(fd);
    return Status::error(std::string("notify socket: ") + std::strerror(saved));
  }
  auto impl = std::make_shared<Impl>(io, fd);
  return std::unique_ptr<NotifySocket>(new NotifySocket(std::move(impl), "@" + name.substr(0, len)));
}

NotifySocket::~NotifySocket() {
  impl_->handler = nullptr;
  boost::system::error_code ignored;
  impl_->sock.close(ignored);
}

void NotifySocket::listen(pid_t pgid, Handler handler) {
  impl_->pgid = pgid;
  impl_->handler = std::move(handler);
  impl_->arm();
}

void NotifySocket::pause() {
  impl_->handler = nullptr;
  impl_->pgid = -1;
}

}  // namespace hale
