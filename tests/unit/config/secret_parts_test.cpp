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

TEST(SecretParts, TheCredentialQueryValuesOfASecretUrlButNotItsEverydayWords) {
  EXPECT_EQ(secret_parts("https://hooks.example/x?token=NOTIFY%2Btoken99&channel=alerts-ops"),
            (Parts{"NOTIFY%2Btoken99", "NOTIFY+token99"}))
      << "alerts-ops is a channel name the log must keep";
  EXPECT_EQ(secret_parts("https://hooks.example/x"), Parts{});
}

TEST(SecretParts, TheTokenInAWebhookPathAndTheUrlPassword) {
  // Slack and Discord carry the secret as the last path segment; short segments stay readable.
  EXPECT_EQ(secret_parts("https://hooks.slack.com/services/T0000/B0000/XXXXxxxxYYYYyyyy1234"),
            (Parts{"XXXXxxxxYYYYyyyy1234"}));
  // Telegram: /bot<TOKEN>/sendMessage; a job prints the token without "bot".
  EXPECT_EQ(secret_parts("https://api.telegram.org/bot123456:ABCdefGHIjklMNO/sendMessage"),
            (Parts{"bot123456:ABCdefGHIjklMNO", "123456:ABCdefGHIjklMNO"}));
  EXPECT_EQ(secret_parts("https://alice:pa%24%24word1@mail.example/"), (Parts{"pa%24%24word1", "pa$$word1"}));
}

TEST(CredentialQueryValues, OnlyValuesOfCredentialKeysInAnInlineUrl) {
  EXPECT_EQ(credential_query_values("http://api.example/health?apikey=KEYVALUE123&verbose=true&sig=abcdef99"),
            (Parts{"KEYVALUE123", "abcdef99"}));
  EXPECT_EQ(credential_query_values("http://api.example/health?page=2"), Parts{});
}

TEST(CredentialQueryKey, WholeNamesAndCredentialEndingsNotSubstrings) {
  for (const char* key : {"key", "apikey", "api_key", "API-Key", "apiKey", "token", "access_token", "client_secret",
                          "db_password", "X-Amz-Signature", "sig", "auth", "pwd"}) {
    EXPECT_TRUE(is_credential_query_key(key)) << key;
  }
  for (const char* key : {"sort_key", "author", "monkey", "keyword", "page", "channel", "passenger", "signal"}) {
    EXPECT_FALSE(is_credential_query_key(key)) << key;
  }
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
