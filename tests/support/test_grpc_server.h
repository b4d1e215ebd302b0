// TestGrpcServer: a real gRPC server on 127.0.0.1 for grpc probe tests, run by gRPC's own
// threads, with gRPC's default health service (grpc.health.v1.Health, the one every C++ server
// gets from grpc::EnableDefaultHealthCheckService). The header keeps gRPC's headers out of the
// tests that include it; test_grpc_server.cpp is the only test file that includes them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace hale::testing {

class TestGrpcServer {
 public:
  struct Options {
    std::uint16_t port = 0;       // 0: a free port (read it back with port())
    bool health_service = true;   // false: a gRPC server with no service at all (UNIMPLEMENTED)
    std::string cert_chain_file;  // both set: TLS with this chain (PEM) and key; else plaintext
    std::string key_file;
  };

  TestGrpcServer() : TestGrpcServer(Options{}) {}
  explicit TestGrpcServer(const Options& options);
  ~TestGrpcServer();  // shuts the server down (connections closed, calls ended)
  TestGrpcServer(const TestGrpcServer&) = delete;
  TestGrpcServer& operator=(const TestGrpcServer&) = delete;

  bool ok() const;  // the server started and listens
  std::uint16_t port() const;
  std::string target() const { return "127.0.0.1:" + std::to_string(port()); }

  // What Check answers for `service` ("" = the server as a whole, SERVING from the start).
  // A name never set is unknown to the server: Check fails with NOT_FOUND.
  void set_serving(const std::string& service, bool serving);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hale::testing
