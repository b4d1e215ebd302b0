// ConnectAttempt: the part every TCP-based probe attempt shares (tcp and tls checks): the
// deadline, the name lookup off the loop (async_resolver.h; IP literals skip it), the connect
// to each address in turn, and reporting exactly once. A derived attempt says what a connected
// socket is for (on_connected) and which socket it is.
//
// Shared with its handlers (shared_from_this) so that it outlives a cancel() or its probe while
// Asio still holds queued handlers that refer to its socket and timer. Included only by the
// probes' translation units (Asio stays in few files).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

#include "hale/net/async_resolver.h"
#include "hale/probe/probe.h"

namespace hale {

// The result for a failed connect: the same reasons and error codes for every probe type.
inline ProbeResult connect_failure(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  if (ec == error::connection_refused) return probe_failure("connection refused", ErrorKind::kRefused);
  if (ec == error::host_unreachable) return probe_failure("host unreachable", ErrorKind::kConnect);
  if (ec == error::network_unreachable) return probe_failure("network unreachable", ErrorKind::kConnect);
  if (ec == error::timed_out) return probe_failure("timeout", ErrorKind::kTimeout);
  return probe_failure(ec.message(), ErrorKind::kConnect);
}

class ConnectAttempt : public std::enable_shared_from_this<ConnectAttempt> {
 public:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::system::error_code;

  ConnectAttempt(boost::asio::io_context& io, Probe::Done done) : io_(io), deadline_(io), done_(std::move(done)) {}
  virtual ~ConnectAttempt() = default;

  // Arms the deadline, then resolves `host` (unless it is an address) and connects.
  void run(const std::string& host, std::uint16_t port, Duration timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec) self->finish(probe_failure("timeout", ErrorKind::kTimeout));
    });
    error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    if (!ec) {
      connect(std::vector<tcp::endpoint>{tcp::endpoint(address, port)});
      return;
    }
    lookup_ = resolve_async(io_, host, port, [self = shared_from_this()](std::string error,
                                                                        std::vector<tcp::endpoint> endpoints) {
      self->lookup_.reset();
      if (!self->done_) return;
      if (!error.empty()) return self->finish(probe_failure(std::move(error), ErrorKind::kDns));
      self->connect(std::move(endpoints));
    });
  }

  // Reports `r` once; later results (a timeout racing a success) are dropped.
  void finish(ProbeResult r) {
    if (!done_) return;
    Probe::Done d = std::move(done_);
    stop();
    d(std::move(r));
  }

  // Cancelled or finished: nothing reports any more, and everything in flight is aborted.
  void stop() {
    done_ = nullptr;
    cancel(lookup_);
    lookup_.reset();
    deadline_.cancel();
    error_code ignored;
    socket().close(ignored);
  }

 protected:
  // The socket to connect (a plain socket, or an ssl::stream's next layer).
  virtual tcp::socket& socket() = 0;
  // Connected: finish() now, or go on (a TLS handshake).
  virtual void on_connected() = 0;

  bool finished() const { return !done_; }
  boost::asio::io_context& io() { return io_; }

 private:
  // Tries each address in turn ("localhost" may be ::1 first, then 127.0.0.1).
  void connect(std::vector<tcp::endpoint> endpoints) {
    boost::asio::async_connect(socket(), endpoints,
                               [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
                                 if (!self->done_) return;
                                 if (ec) return self->finish(connect_failure(ec));
                                 self->on_connected();
                               });
  }

  boost::asio::io_context& io_;
  std::shared_ptr<Lookup> lookup_;
  boost::asio::steady_timer deadline_;
  Probe::Done done_;  // empty once finished or cancelled
};

}  // namespace hale
