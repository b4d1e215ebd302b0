// TcpProbe: a tcp check passes when a TCP connection to host:port opens. Resolves names off
// the loop (async_resolver.h; IP literals skip it), connects, closes at once.
#include <boost/asio/post.hpp>

#include "hale/probe/connect_attempt.h"
#include "hale/net/host_port.h"
#include "hale/probe/probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A tcp check: connected is a pass; the connection is closed at once.
class Attempt final : public ConnectAttempt {
 public:
  using ConnectAttempt::ConnectAttempt;

 private:
  tcp::socket& socket() override { return socket_; }
  void on_connected() override { finish(probe_result(Verdict::kPass, "connected")); }

  tcp::socket socket_{io()};
};

class TcpProbe final : public Probe {
 public:
  TcpProbe(const TcpCheck& spec, ProbeContext& ctx) : io_(ctx.io), target_(spec.target) {}
  ~TcpProbe() override { cancel(); }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    attempt_ = std::make_shared<Attempt>(io_, std::move(done));
    auto target = parse_host_port(target_);
    if (!target) {
      // Reported from the loop, never inside start().
      asio::post(io_, [a = attempt_] {
        a->finish(probe_result(Verdict::kFail, "invalid target (want host:port)", ErrorKind::kConnect));
      });
      return;
    }
    attempt_->run(target->host, target->port, timeout);
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

std::unique_ptr<Probe> make_probe(const TcpCheck& spec, ProbeContext& ctx) {
  return std::make_unique<TcpProbe>(spec, ctx);
}

}  // namespace hale
