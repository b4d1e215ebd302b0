// The parts of a secret that are masked like the whole (issue 17).
#include "hale/config/secret_parts.h"

#include <gtest/gtest.h>

#include "hale/config.h"

namespace hale::config {
namespace {

using Parts = std::vector<std::string>;

TEST(SecretParts, TheCredentialsAfterAnAuthScheme) {
  EXPECT_EQ(secret_parts("Bearer s3cr3t-token-value"), (Parts{"s3cr3t-token-value"}));
  EXPECT_EQ(secret_parts("Bot  abcdef123456"), (Parts{"abcdef123456"}));
  // Basic: the base64, the decoded user:password, and the password.
  EXPECT_EQ(secret_parts("Basic YWxpY2U6cGE1NS13MHJk"), (Parts{"YWxpY2U6cGE1NS13MHJk", "alice:pa55-w0rd", "pa55-w0rd"}));
  EXPECT_EQ(secret_parts("just-a-token-value"), Parts{});
  EXPECT_EQ(secret_parts("two words here"), Parts{}) << "not scheme + credentials";
  EXPECT_EQ(secret_parts("Bearer abc"), Parts{}) << "too short to mask on its own";
}

TEST(SecretParts, EachQueryValueOfASecretUrl) {
  EXPECT_EQ(secret_parts("https://hooks.example/x?token=NOTIFY%2Btoken99&channel=alerts-ops"),
            (Parts{"NOTIFY%2Btoken99", "NOTIFY+token99", "alerts-ops"}));
  EXPECT_EQ(secret_parts("https://hooks.example/x"), Parts{});
}

TEST(CredentialQueryValues, OnlyValuesOfCredentialKeysInAnInlineUrl) {
  EXPECT_EQ(credential_query_values("http://api.example/health?apikey=KEYVALUE123&verbose=true&sig=abcdef99"),
            (Parts{"KEYVALUE123", "abcdef99"}));
  EXPECT_EQ(credential_query_values("http://api.example/health?page=2"), Parts{});
}

TEST(SecretParts, TheLoaderMasksThePartsToo) {
  ::setenv("HALE_TEST_PARTS_AUTH", "Bearer tok-ABCDEF123456", 1);
  const LoadResult r = load_config_string(
      "[checks.api]\ntype = \"http\"\nurl = \"http://127.0.0.1:1/h?apikey=KEYVALUE123\"\n"
      "headers = { Authorization = \"env:HALE_TEST_PARTS_AUTH\" }\n",
      "hale.toml");
  ASSERT_TRUE(r.config.has_value());
  const auto& s = r.config->secrets;
  for (const char* want : {"Bearer tok-ABCDEF123456", "tok-ABCDEF123456", "KEYVALUE123"}) {
    EXPECT_NE(std::find(s.begin(), s.end(), want), s.end()) << want;
  }
}

}  // namespace
}  // namespace hale::config
