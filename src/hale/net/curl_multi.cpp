// CurlMulti: binds libcurl's multi_socket API to the io_context. curl says which sockets to
// watch (socket callback) and when to wake it (timer callback); Asio waits, then tells curl
// with curl_multi_socket_action, and finished transfers get their completion called.
#include "hale/net/curl_multi.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace hale {

namespace asio = boost::asio;

namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

// One socket curl asked us to watch. Shared with the wait handlers, because curl may tell us
// to stop watching (CURL_POLL_REMOVE) while a wait is still queued in the io_context: the
// handler then finds `removed` set and leaves curl alone.
struct SocketWatch {
  SocketWatch(asio::io_context& io, curl_socket_t fd) : descriptor(io, fd), fd(fd) {}
  asio::posix::stream_descriptor descriptor;
  curl_socket_t fd;
  int what = 0;  // CURL_POLL_IN / OUT / INOUT: what curl wants now
  bool read_pending = false;
  bool write_pending = false;
  bool removed = false;

  // The fd belongs to curl: stop watching it without closing it. release() also takes the
  // fd out of epoll and aborts the queued waits.
  void stop() {
    if (removed) return;
    removed = true;
    if (descriptor.is_open()) descriptor.release();
  }
};

struct CurlMulti::Impl {
  asio::io_context& io;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
  std::map<CURL*, Completion> transfers;
  std::shared_ptr<EasyHandlePool> handles = std::make_shared<EasyHandlePool>();
  // Handlers hold a weak_ptr to this token, so that one running after the CurlMulti is gone
  // (it was queued before the destructor) does nothing.
  std::shared_ptr<int> life = std::make_shared<int>(0);

  explicit Impl(asio::io_context& io_context) : io(io_context), timer(io_context) {}

  // CURLMOPT_SOCKETFUNCTION: start, change or stop watching one socket.
  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    static_cast<Impl*>(userp)->update_socket(fd, what);
    return 0;
  }

  // CURLMOPT_TIMERFUNCTION: -1 cancels, 0 means "as soon as possible" (posted, since curl
  // must not be re-entered from its own callback), otherwise a single steady_timer.
  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    static_cast<Impl*>(userp)->set_timer(timeout_ms);
    return 0;
  }

  void update_socket(curl_socket_t fd, int what) {
    auto it = sockets.find(fd);
    if (what == CURL_POLL_REMOVE) {
      if (it != sockets.end()) {
        it->second->stop();
        sockets.erase(it);
      }
      return;
    }
    if (it == sockets.end()) {
      it = sockets.emplace(fd, std::make_shared<SocketWatch>(io, fd)).first;
    }
    it->second->what = what;
    arm(it->second);
  }

  // Starts the waits curl wants that are not already queued. A wait that curl no longer
  // wants stays queued; its handler sees that and does not re-arm.
  void arm(const std::shared_ptr<SocketWatch>& watch) {
    if ((watch->what & CURL_POLL_IN) && !watch->read_pending) {
      watch->read_pending = true;
      watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                   [this, watch, life = std::weak_ptr<int>(life)](
                                       const boost::system::error_code& ec) {
                                     watch->read_pending = false;
                                     if (life.expired()) return;
                                     on_ready(watch, CURL_POLL_IN, ec);
                                   });
    }
    if ((watch->what & CURL_POLL_OUT) && !watch->write_pending) {
      watch->write_pending = true;
      watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                                   [this, watch, life = std::weak_ptr<int>(life)](
                                       const boost::system::error_code& ec) {
                                     watch->write_pending = false;
                                     if (life.expired()) return;
                                     on_ready(watch, CURL_POLL_OUT, ec);
                                   });
    }
  }

  void on_ready(const std::shared_ptr<SocketWatch>& watch, int direction,
                const boost::system::error_code& ec) {
    if (watch->removed || ec == asio::error::operation_aborted) return;
    if (!(watch->what & direction)) return;  // curl changed its mind meanwhile
    // An error from epoll (EPOLLERR/HUP) is curl's to discover: tell it the socket is ready.
    int mask = direction == CURL_POLL_IN ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
    if (ec) mask |= CURL_CSELECT_ERR;
    if (!socket_action(watch->fd, mask)) return;
    // Still watched and still wanted: wait again (the socket may have been removed and even
    // replaced by a new one with the same number during socket_action).
    if (!watch->removed) arm(watch);
  }

  void set_timer(long timeout_ms) {
    timer.cancel();
    if (timeout_ms < 0) return;
    if (timeout_ms == 0) {
      asio::post(io, [this, life = std::weak_ptr<int>(life)] {
        if (life.expired()) return;
        socket_action(CURL_SOCKET_TIMEOUT, 0);
      });
      return;
    }
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait([this, life = std::weak_ptr<int>(life)](const boost::system::error_code& ec) {
      if (life.expired() || ec) return;
      socket_action(CURL_SOCKET_TIMEOUT, 0);
    });
  }

  // Returns false when a completion destroyed the CurlMulti: the caller must not touch it.
  bool socket_action(curl_socket_t fd, int mask) {
    int running = 0;
    curl_multi_socket_action(multi, fd, mask, &running);
    return drain_finished();
  }

  // Calls the completion of every finished transfer. A completion may add transfers or
  // remove other ones (another probe's cancel): each message is looked up in `transfers`
  // again before use, and curl drops queued messages of handles removed meanwhile.
  bool drain_finished() {
    std::weak_ptr<int> alive = life;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;       // copy out: the next curl call invalidates msg
      CURLcode result = msg->data.result;
      auto it = transfers.find(easy);
      if (it == transfers.end()) continue;
      Completion done = std::move(it->second);
      transfers.erase(it);
      curl_multi_remove_handle(multi, easy);
      if (done) done(result);
      if (alive.expired()) return false;  // a completion destroyed the CurlMulti itself
    }
    return true;
  }
};

CurlMulti::CurlMulti(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {
  global_init_once();
  impl_->multi = curl_multi_init();
  curl_multi_setopt(impl_->multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
  curl_multi_setopt(impl_->multi, CURLMOPT_SOCKETDATA, impl_.get());
  curl_multi_setopt(impl_->multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
  curl_multi_setopt(impl_->multi, CURLMOPT_TIMERDATA, impl_.get());
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, kMaxIdleConnections);
}

CurlMulti::~CurlMulti() {
  // Detach every transfer (their owners clean the easy handles) before the multi goes:
  // curl may still call the socket callback while closing cached connections, so Impl
  // stays whole until curl_multi_cleanup returns.
  std::vector<CURL*> easies;
  for (auto& [easy, done] : impl_->transfers) easies.push_back(easy);
  for (CURL* easy : easies) curl_multi_remove_handle(impl_->multi, easy);
  impl_->transfers.clear();
  curl_multi_cleanup(impl_->multi);
  impl_->life.reset();
  for (auto& [fd, watch] : impl_->sockets) watch->stop();
  impl_->sockets.clear();
  impl_->timer.cancel();
}

void CurlMulti::add(CURL* easy, Completion done) {
  impl_->transfers[easy] = std::move(done);
  // curl answers with a timer callback (0 ms) that starts the transfer from the loop.
  if (curl_multi_add_handle(impl_->multi, easy) != CURLM_OK) {
    // Already added or a bad handle: report it as a failed transfer, still asynchronously,
    // so that the caller's completion never runs inside add().
    Completion failed = std::move(impl_->transfers[easy]);
    impl_->transfers.erase(easy);
    asio::post(impl_->io, [failed = std::move(failed), life = std::weak_ptr<int>(impl_->life)] {
      if (!life.expired() && failed) failed(CURLE_FAILED_INIT);
    });
  }
}

void CurlMulti::remove(CURL* easy) {
  auto it = impl_->transfers.find(easy);
  if (it == impl_->transfers.end()) return;
  // Detach first, destroy the completion last: it may own the easy handle.
  Completion done = std::move(it->second);
  impl_->transfers.erase(it);
  curl_multi_remove_handle(impl_->multi, easy);
}

std::size_t CurlMulti::active() const { return impl_->transfers.size(); }

const std::shared_ptr<EasyHandlePool>& CurlMulti::handles() const { return impl_->handles; }

}  // namespace hale
