// A small Asio/OpenSSL TLS server for the tls probe tests (see test_tls_server.h).
#include "support/test_tls_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace hale::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

struct TestTlsServer::Impl {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::thread thread;
  bool ok = false;
  std::uint16_t port = 0;
  mutable std::mutex mu;
  std::string last_sni;
  int hellos = 0;

  // After the handshake (done or failed past the ClientHello): what name the client sent.
  void record(SSL* ssl) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard lock(mu);
    last_sni = name ? name : "";
    ++hellos;
  }

  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
      if (ec) return;  // closed: the server is stopping
      auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), ctx);
      stream->async_handshake(ssl::stream_base::server, [this, stream](const error_code& hec) {
        record(stream->native_handle());
        if (hec) return;
        stream->async_shutdown([stream](const error_code&) {});
      });
      accept();
    });
  }
};

TestTlsServer::TestTlsServer(const std::string& chain_file, const std::string& key_file)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  error_code ec;
  s.ctx.use_certificate_chain_file(chain_file, ec);
  if (!ec) s.ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return;
  tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
  s.acceptor.open(at.protocol(), ec);
  if (!ec) s.acceptor.bind(at, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return;
  s.port = s.acceptor.local_endpoint().port();
  s.ok = true;
  s.accept();
  s.thread = std::thread([&s] { s.io.run(); });
}

TestTlsServer::~TestTlsServer() {
  if (impl_->thread.joinable()) {
    asio::post(impl_->io, [this] {
      error_code ignored;
      impl_->acceptor.close(ignored);
      impl_->io.stop();
    });
    impl_->thread.join();
  }
}

bool TestTlsServer::ok() const { return impl_->ok; }
std::uint16_t TestTlsServer::port() const { return impl_->port; }

std::string TestTlsServer::last_sni() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_sni;
}

int TestTlsServer::hellos() const {
  std::lock_guard lock(impl_->mu);
  return impl_->hellos;
}

}  // namespace hale::testing
