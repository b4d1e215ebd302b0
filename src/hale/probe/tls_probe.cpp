// TlsProbe: the tls check (SPEC §5). With `target`: resolves off the loop (async_resolver.h),
// connects, does the TLS handshake with SNI through Asio's ssl::stream, then judges the chain the
// server sent by its earliest expiry (tls_probe.h). With `file`: reads and judges a PEM chain.
//
// The handshake itself never fails on verification (SSL_VERIFY_NONE); OpenSSL still verifies the
// chain and the name, and its result is read afterwards, so that an expired certificate reads
// "expired 2d ago" instead of a bare "certificate has expired", and any other verify error is a
// failure with OpenSSL's reason. This is the only translation unit with Asio's ssl headers.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "hale/probe/connect_attempt.h"
#include "hale/net/host_port.h"
#include "hale/probe/probe.h"
#include "hale/probe/tls_probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

struct Settings {
  std::string host;         // to connect to
  std::uint16_t port = 0;
  std::string name;         // SNI and the name to verify: server_name, else host
  bool verify = true;
  Duration warn_before{};
  Duration fail_before{};
  const Clock* clock = &system_clock();  // "now" of the expiry verdict
};

// One attempt: connect (connect_attempt.h), handshake with SNI, judge the chain.
class Attempt final : public ConnectAttempt {
 public:
  Attempt(asio::io_context& io, std::shared_ptr<ssl::context> ctx, Settings s, Probe::Done d)
      : ConnectAttempt(io, std::move(d)), ctx_(std::move(ctx)), stream_(io, *ctx_), settings_(std::move(s)) {}

  void run(Duration timeout) {
    if (!prepare_ssl()) return;
    ConnectAttempt::run(settings_.host, settings_.port, timeout);
  }

 private:
  // No close_notify when stopped: the chain is all the probe wanted, and a hung peer must not
  // hold it; closing the socket aborts the handshake.
  tcp::socket& socket() override { return stream_.next_layer(); }

  void on_connected() override {
    stream_.async_handshake(ssl::stream_base::client, [self = shared_from_this(), this](const error_code& ec) {
      on_handshake(ec);
    });
  }

  // SNI (never for an IP address, RFC 6066) and the name or address the certificate must match.
  bool prepare_ssl() {
    SSL* ssl = stream_.native_handle();
    const std::string& name = settings_.name;
    bool ok = true;
    if (is_ip_literal(name)) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1;
    } else {
      ok = SSL_set_tlsext_host_name(ssl, name.c_str()) == 1 && SSL_set1_host(ssl, name.c_str()) == 1;
    }
    if (!ok) {
      asio::post(io(), [self = shared_from_this(), this] {
        finish(probe_failure("cannot use server name " + settings_.name, ErrorKind::kTls));
      });
    }
    return ok;
  }

  void on_handshake(const error_code& ec) {
    if (finished()) return;
    if (ec) {
      finish(probe_failure("TLS handshake failed: " + ec.message(), ErrorKind::kTls));
      return;
    }
    SSL* ssl = stream_.native_handle();
    const long verified = SSL_get_verify_result(ssl);
    // An expired certificate is judged by the expiry rules, with its date; any other problem is
    // a chain that does not verify.
    if (settings_.verify && verified != X509_V_OK && verified != X509_V_ERR_CERT_HAS_EXPIRED) {
      finish(probe_failure(verify_failure_reason(verified), ErrorKind::kTls));
      return;
    }
    auto chain = chain_expiry(SSL_get_peer_cert_chain(ssl));
    ProbeResult r =
        judge_expiry(chain, settings_.clock->wall_now(), settings_.warn_before, settings_.fail_before);
    // OpenSSL found an expired certificate that the server did not send (an intermediate or the
    // anchor from the trust store): clients fail on it, so the check must too.
    if (settings_.verify && verified == X509_V_ERR_CERT_HAS_EXPIRED && r.verdict != Verdict::kFail) {
      r = probe_failure(verify_failure_reason(verified) + " (a certificate from the trust store, not sent by the server)",
                        ErrorKind::kTls);
    }
    finish(std::move(r));
  }

  std::shared_ptr<ssl::context> ctx_;
  ssl::stream<tcp::socket> stream_;
  Settings settings_;
};

class TlsProbe final : public Probe {
 public:
  TlsProbe(const TlsCheck& spec, ProbeContext& ctx) : io_(ctx.io), clock_(ctx.clock), spec_(spec) {
    if (!spec.file.empty()) return;
    ssl_ = std::make_shared<ssl::context>(ssl::context::tls_client);
    ssl_->set_verify_mode(ssl::verify_none);
    error_code ec;
    ssl_->set_default_verify_paths(ec);
    if (!spec.ca_file.empty()) {
      ssl_->load_verify_file(spec.ca_file, ec);
      if (ec) setup_error_ = "cannot load ca_file " + spec.ca_file + ": " + ec.message();
    }
  }
  ~TlsProbe() override { cancel(); }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    if (!spec_.file.empty()) {
      // A local file is read on the loop: it is one small read (see docs/config.md).
      auto pending = std::make_shared<Done>(std::move(done));
      file_pending_ = pending;
      asio::post(io_, [weak = std::weak_ptr<Done>(pending), spec = spec_, clock = &clock_] {
        auto d = weak.lock();
        if (!d || !*d) return;
        Done call = std::move(*d);
        *d = nullptr;
        call(judge_pem_file(spec.file, spec.ca_file, !spec.insecure_skip_verify, clock->wall_now(),
                            spec.warn_before, spec.fail_before));
      });
      return;
    }
    auto target = parse_host_port(spec_.target);
    Settings s;
    s.verify = !spec_.insecure_skip_verify;
    s.clock = &clock_;
    s.warn_before = spec_.warn_before;
    s.fail_before = spec_.fail_before;
    if (target) {
      s.host = target->host;
      s.port = target->port;
      s.name = spec_.server_name.empty() ? target->host : spec_.server_name;
    }
    attempt_ = std::make_shared<Attempt>(io_, ssl_, std::move(s), std::move(done));
    if (!target || !setup_error_.empty()) {
      // Reported from the loop, never inside start().
      std::string why = target ? setup_error_ : "invalid target (want host:port)";
      asio::post(io_, [a = attempt_, why = std::move(why), code = target ? ErrorKind::kTls : ErrorKind::kConnect] {
        a->finish(probe_failure(why, code));
      });
      return;
    }
    attempt_->run(timeout);
  }

  void cancel() override {
    if (attempt_) attempt_->stop();
    attempt_.reset();
    file_pending_.reset();
  }

 private:
  asio::io_context& io_;
  const Clock& clock_;
  TlsCheck spec_;
  std::shared_ptr<ssl::context> ssl_;
  std::string setup_error_;
  std::shared_ptr<Attempt> attempt_;
  std::shared_ptr<Done> file_pending_;  // the file mode's attempt: reset = cancelled
};

}  // namespace

std::unique_ptr<Probe> make_probe(const TlsCheck& spec, ProbeContext& ctx) {
  return std::make_unique<TlsProbe>(spec, ctx);
}

}  // namespace hale
