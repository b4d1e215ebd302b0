// Secrets through the loader: env: and file: values are resolved, listed in Config::secrets
// for the log redactor, and never appear in an error message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "hale/config.h"
#include "support/config_errors.h"
#include "support/temp_file.h"

namespace hale {
namespace {

using hale::testing::error_lines;
using hale::testing::TempFile;
using ::testing::HasSubstr;
using ::testing::Not;

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& line : error_lines(r)) out += line + "\n";
  return out;
}

TEST(ConfigSecrets, EnvAndFileValuesAreResolvedAndListed) {
  ScopedEnv token("HALE_TEST_ADMIN", "admin-from-env");
  ScopedEnv url("HALE_TEST_URL", "https://svc:url-password@api.internal/ready");
  TempFile header("Bearer header-from-file\n");
  const std::string toml = "[server]\nadmin_token = \"env:HALE_TEST_ADMIN\"\n"
                           "[checks.api]\ntype = \"http\"\nurl = \"env:HALE_TEST_URL\"\n"
                           "headers = { X-Api-Key = \"file:" + header.path() + "\", X-Plain = \"visible\" }\n";
  const LoadResult r = load_config_string(toml, "hale.toml");
  ASSERT_TRUE(r.config) << all_errors(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.server.admin_token, "admin-from-env");
  EXPECT_EQ(std::get<HttpCheck>(c.checks[0].kind).url, "https://svc:url-password@api.internal/ready");
  EXPECT_EQ(std::get<HttpCheck>(c.checks[0].kind).headers,
            (std::vector<std::pair<std::string, std::string>>{{"X-Api-Key", "Bearer header-from-file"},
                                                               {"X-Plain", "visible"}}));
  // The whole URL (it came from env:) and its password; the file's value without its newline,
  // and its credentials after the scheme (issue 17: a job prints the bare token).
  EXPECT_THAT(c.secrets, ::testing::UnorderedElementsAre("admin-from-env",
                                                         "https://svc:url-password@api.internal/ready",
                                                         "url-password", "Bearer header-from-file",
                                                         "header-from-file"));
}

TEST(ConfigSecrets, InlineAdminTokenIsASecretToo) {
  const LoadResult r = load_config_string("[server]\nadmin_token = \"written-inline\"\n", "hale.toml");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->secrets, std::vector<std::string>{"written-inline"});
}

TEST(ConfigSecrets, PlainValuesAreNotSecrets) {
  const LoadResult r = load_config_string(
      "[checks.api]\ntype = \"http\"\nurl = \"http://api/ready\"\nheaders = { X-Trace = \"1\" }\n", "hale.toml");
  ASSERT_TRUE(r.config);
  EXPECT_TRUE(r.config->secrets.empty());
}

TEST(ConfigSecrets, SecretUsedTwiceIsListedOnce) {
  ScopedEnv token("HALE_TEST_SHARED", "shared-secret");
  const LoadResult r = load_config_string(
      "[server]\nadmin_token = \"env:HALE_TEST_SHARED\"\n[defaults]\nheaders = { X-Key = \"env:HALE_TEST_SHARED\" }\n",
      "hale.toml");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->secrets, std::vector<std::string>{"shared-secret"});
}

TEST(ConfigSecrets, RelativeFileIsResolvedAgainstTheConfigDirectory) {
  TempFile secret("relative-secret\n");
  const std::string dir = secret.path().substr(0, secret.path().rfind('/'));
  const std::string base = secret.path().substr(secret.path().rfind('/') + 1);
  const LoadResult r =
      load_config_string("[server]\nadmin_token = \"file:" + base + "\"\n", dir + "/hale.toml");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->server.admin_token, "relative-secret");
}

TEST(ConfigSecrets, MissingSecretsAreReportedByNameOrPath) {
  const std::string toml = R"([server]
admin_token = "env:HALE_TEST_NO_SUCH_TOKEN"
[checks.api]
type = "http"
url = "file:/nonexistent/url"
headers = { Authorization = "env:HALE_TEST_NO_SUCH_HEADER" }
)";
  EXPECT_EQ(hale::testing::config_errors(toml),
            (std::vector<std::string>{
                "hale.toml:2:15: `admin_token`: environment variable HALE_TEST_NO_SUCH_TOKEN is not set",
                "hale.toml:5:7: `url`: cannot read file:/nonexistent/url: No such file or directory",
                "hale.toml:6:29: `headers.Authorization`: environment variable HALE_TEST_NO_SUCH_HEADER is not set",
            }));
}

TEST(ConfigSecrets, SecretValuesNeverAppearInErrors) {
  // Each secret resolves fine but is invalid where it is used: the error must say why without
  // quoting it.
  ScopedEnv url("HALE_TEST_BAD_URL", "ftp://user:hunter2-url@files.internal/");
  ScopedEnv header("HALE_TEST_BAD_HEADER", "token-hunter2\r\nX-Injected: 1");
  ScopedEnv admin("HALE_TEST_EMPTY_ADMIN", "");
  TempFile file_url("not-a-url-hunter2\n");
  const std::string toml = "[server]\nadmin_token = \"env:HALE_TEST_EMPTY_ADMIN\"\n"
                           "[checks.a]\ntype = \"http\"\nurl = \"env:HALE_TEST_BAD_URL\"\n"
                           "headers = { X-Key = \"env:HALE_TEST_BAD_HEADER\" }\n"
                           "[checks.b]\ntype = \"http\"\nurl = \"file:" + file_url.path() + "\"\n";
  const LoadResult r = load_config_string(toml, "hale.toml");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(error_lines(r), (std::vector<std::string>{
                                "hale.toml:2:15: `admin_token` must not be empty; leave it out to disable the "
                                "mutating API",
                                "hale.toml:5:7: `url` must start with http:// or https://",
                                "hale.toml:6:21: `headers.X-Key` must not contain a line break or a NUL byte",
                                "hale.toml:9:7: `url` must start with http:// or https://",
                            }));
  EXPECT_THAT(all_errors(r), Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace hale
