// TcpProbe: a tcp check passes when a TCP connection to host:port opens. Resolves names off
// the loop (async_resolver.h; IP literals skip it), connects, closes at once.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hale/probe/async_resolver.h"
#include "hale/probe/host_port.h"
#include "hale/probe/probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

ProbeResult connect_failure(const error_code& ec) {
  if (ec == asio::error::connection_refused) {
    return probe_result(Verdict::kFail, "connection refused", "refused");
  }
  if (ec == asio::error::host_unreachable) {
    return probe_result(Verdict::kFail, "host unreachable", "connect");
  }
  if (ec == asio::error::network_unreachable) {
    return probe_result(Verdict::kFail, "network unreachable", "connect");
  }
  if (ec == asio::error::timed_out) return probe_result(Verdict::kFail, "timeout", "timeout");
  return probe_result(Verdict::kFail, ec.message(), "connect");
}

// One attempt. Shared with its handlers so that it outlives a cancel() or the probe itself
// while Asio still holds queued handlers that refer to its resolver, socket and timer.
struct Attempt : std::enable_shared_from_this<Attempt> {
  Attempt(asio::io_context& io, Probe::Done d) : io(io), socket(io), deadline(io), done(std::move(d)) {}

  asio::io_context& io;
  std::shared_ptr<Lookup> lookup;
  tcp::socket socket;
  asio::steady_timer deadline;
  Probe::Done done;  // empty once finished or cancelled

  void run(const HostPort& target, Duration timeout) {
    deadline.expires_after(timeout);
    deadline.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec) self->finish(probe_result(Verdict::kFail, "timeout", "timeout"));
    });
    error_code ec;
    auto address = asio::ip::make_address(target.host, ec);
    if (!ec) {
      do_connect(std::vector<tcp::endpoint>{tcp::endpoint(address, target.port)});
      return;
    }
    lookup = resolve_async(io, target.host, target.port,
                           [self = shared_from_this()](std::string error,
                                                       std::vector<tcp::endpoint> endpoints) {
                             self->on_resolve(std::move(error), std::move(endpoints));
                           });
  }

  void on_resolve(std::string error, std::vector<tcp::endpoint> endpoints) {
    lookup.reset();
    if (!done) return;
    if (!error.empty()) {
      finish(probe_result(Verdict::kFail, std::move(error), "dns"));
      return;
    }
    do_connect(std::move(endpoints));
  }

  // Tries each address in turn ("localhost" may be ::1 first, then 127.0.0.1).
  void do_connect(std::vector<tcp::endpoint> endpoints) {
    asio::async_connect(socket, endpoints,
                        [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
                          self->on_connect(ec);
                        });
  }

  void on_connect(const error_code& ec) {
    if (!done) return;
    if (ec) {
      finish(connect_failure(ec));
      return;
    }
    finish(probe_result(Verdict::kPass, "connected", ""));
  }

  void finish(ProbeResult r) {
    if (!done) return;
    Probe::Done d = std::move(done);
    done = nullptr;
    stop();
    d(std::move(r));
  }

  void stop() {
    done = nullptr;
    cancel(lookup);
    lookup.reset();
    deadline.cancel();
    error_code ignored;
    socket.close(ignored);
  }
};

class TcpProbe final : public Probe {
 public:
  TcpProbe(const CheckSpec& spec, ProbeContext& ctx) : io_(ctx.io), target_(spec.target) {}
  ~TcpProbe() override { cancel(); }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    attempt_ = std::make_shared<Attempt>(io_, std::move(done));
    auto target = parse_host_port(target_);
    if (!target) {
      // Reported from the loop, never inside start().
      asio::post(io_, [a = attempt_] {
        a->finish(probe_result(Verdict::kFail, "invalid target (want host:port)", "connect"));
      });
      return;
    }
    attempt_->run(*target, timeout);
  }

  void cancel() override {
    if (attempt_) attempt_->stop();
    attempt_.reset();
  }

 private:
  asio::io_context& io_;
  std::string target_;
  std::shared_ptr<Attempt> attempt_;
};

}  // namespace

std::unique_ptr<Probe> make_tcp_probe(const CheckSpec& spec, ProbeContext& ctx) {
  return std::make_unique<TcpProbe>(spec, ctx);
}

}  // namespace hale
