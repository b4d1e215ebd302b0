// grpc checks in hale.toml: the keys read into CheckSpec, their defaults, and what [defaults]
// gives a grpc check (ca_file with tls only; never insecure_skip_verify). The errors, with their
// positions, are in check_errors_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"
#include "support/temp_file.h"

namespace hale {
namespace {

using hale::testing::error_lines;
using hale::testing::TempFile;

TEST(GrpcConfig, EveryKeyIsRead) {
  TempFile ca("pem", ".pem");
  const LoadResult r = load_config_string(R"([checks.api]
type = "grpc"
target = "api.internal:50051"
service = "hale.test.Api"
tls = true
ca_file = ")" + ca.path() + R"("
server_name = "api.example.com"
timeout = "500ms"
)",
                                          "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  const CheckSpec* c = r.config->find_check("api");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind, CheckKind(GrpcCheck{.target = "api.internal:50051",
                                          .service = "hale.test.Api",
                                          .tls = true,
                                          .ca_file = ca.path(),
                                          .server_name = "api.example.com"}));
  EXPECT_EQ(c->timeout, std::chrono::milliseconds(500));
}

TEST(GrpcConfig, Defaults) {
  const LoadResult r = load_config_string("[checks.api]\ntype = \"grpc\"\ntarget = \"[::1]:50051\"\n", "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  const CheckSpec* c = r.config->find_check("api");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(c->as<GrpcCheck>(), nullptr);
  const GrpcCheck& grpc = *c->as<GrpcCheck>();
  EXPECT_EQ(grpc.service, "");  // the server as a whole
  EXPECT_FALSE(grpc.tls);       // plaintext h2c, as Kubernetes' grpc probe
  EXPECT_EQ(grpc.ca_file, "");
  EXPECT_EQ(grpc.server_name, "");
}

TEST(GrpcConfig, EmptyServiceIsAllowed) {
  const LoadResult r =
      load_config_string("[checks.api]\ntype = \"grpc\"\ntarget = \"a:1\"\nservice = \"\"\n", "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  EXPECT_EQ(r.config->find_check("api")->as<GrpcCheck>()->service, "");
}

TEST(GrpcConfig, DefaultsCaFileOnlyWithTlsAndNeverSkipVerify) {
  TempFile ca("pem", ".pem");
  const LoadResult r = load_config_string(R"([defaults]
ca_file = ")" + ca.path() + R"("
insecure_skip_verify = true

[checks.plain]
type = "grpc"
target = "a:1"

[checks.secure]
type = "grpc"
target = "a:2"
tls = true

[checks.web]
type = "http"
url = "https://a/"
)",
                                          "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  EXPECT_EQ(r.config->find_check("plain")->as<GrpcCheck>()->ca_file, "");  // not used in plaintext
  EXPECT_EQ(r.config->find_check("secure")->as<GrpcCheck>()->ca_file, ca.path());
  // A grpc check has no insecure_skip_verify: it always verifies.
  EXPECT_TRUE(r.config->find_check("web")->as<HttpCheck>()->insecure_skip_verify);
}

TEST(GrpcConfig, CaFileWithoutTlsIsAnError) {
  TempFile ca("pem", ".pem");
  const LoadResult r = load_config_string(
      "[checks.api]\ntype = \"grpc\"\ntarget = \"a:1\"\nca_file = \"" + ca.path() + "\"\n", "hale.toml");
  EXPECT_EQ(error_lines(r), std::vector<std::string>{
                                "hale.toml:4:11: `ca_file` needs `tls = true`: a plaintext grpc check has no "
                                "certificate to verify"});
}

TEST(GrpcConfig, ChangingServiceOrTlsIsAChange) {
  auto load = [](const std::string& extra) {
    return *load_config_string("[checks.api]\ntype = \"grpc\"\ntarget = \"a:1\"\n" + extra + "\n", "hale.toml")
                .config->find_check("api");
  };
  EXPECT_TRUE(load("service = \"x\"") == load("service = \"x\""));
  EXPECT_FALSE(load("service = \"x\"") == load("service = \"y\""));
  EXPECT_FALSE(load("tls = true") == load(""));
}

}  // namespace
}  // namespace hale
