// A gRPC server with the default health service for the grpc probe tests (see
// test_grpc_server.h).
#include "support/file_text.h"
#include "support/test_grpc_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace hale::testing {

namespace {

}  // namespace

struct TestGrpcServer::Impl {
  // Answers every method nobody registered with UNIMPLEMENTED. It is also what makes a server
  // with no other service start at all: gRPC refuses one with nothing to poll its calls.
  grpc::CallbackGenericService generic;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

TestGrpcServer::TestGrpcServer(const Options& options) : impl_(std::make_unique<Impl>()) {
  // A process-wide switch, read when the server is built.
  grpc::EnableDefaultHealthCheckService(options.health_service);
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (!options.cert_chain_file.empty() && !options.key_file.empty()) {
    grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back({file_text(options.key_file), file_text(options.cert_chain_file)});
    credentials = grpc::SslServerCredentials(tls);
  } else {
    credentials = grpc::InsecureServerCredentials();
  }
  grpc::ServerBuilder builder;
  builder.RegisterCallbackGenericService(&impl_->generic);
  builder.AddListeningPort("127.0.0.1:" + std::to_string(options.port), credentials, &impl_->port);
  impl_->server = builder.BuildAndStart();
  grpc::EnableDefaultHealthCheckService(true);
}

TestGrpcServer::~TestGrpcServer() {
  if (impl_->server) {
    // Calls still open get cancelled at once rather than waited for.
    impl_->server->Shutdown(std::chrono::system_clock::now());
    impl_->server->Wait();
  }
}

bool TestGrpcServer::ok() const { return impl_->server != nullptr && impl_->port > 0; }

std::uint16_t TestGrpcServer::port() const { return static_cast<std::uint16_t>(impl_->port); }

void TestGrpcServer::set_serving(const std::string& service, bool serving) {
  if (!impl_->server) return;
  if (auto* health = impl_->server->GetHealthCheckService()) health->SetServingStatus(service, serving);
}

}  // namespace hale::testing
