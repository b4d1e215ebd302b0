// TestTlsServer: a TLS server on 127.0.0.1 for tls probe tests, on its own thread. Serves one
// certificate chain and key, completes handshakes and records the SNI name each client sent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace hale::testing {

class TestTlsServer {
 public:
  // `chain_file`: the leaf then its intermediates (PEM); `key_file`: the leaf's key.
  // ok() is false when the files could not be loaded or the port not bound.
  TestTlsServer(const std::string& chain_file, const std::string& key_file);
  ~TestTlsServer();  // stops the thread, closes every connection
  TestTlsServer(const TestTlsServer&) = delete;
  TestTlsServer& operator=(const TestTlsServer&) = delete;

  bool ok() const;
  std::uint16_t port() const;
  std::string target() const { return "127.0.0.1:" + std::to_string(port()); }
  // The SNI name of the last ClientHello ("" when none was sent), and how many were seen.
  std::string last_sni() const;
  int hellos() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hale::testing
