// resolve_secret (env:, file:, plain text) and redact_url.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "support/temp_file.h"
#include "hale/config.h"

namespace hale {
namespace {

using hale::testing::TempFile;

TEST(ResolveSecret, PlainTextIsReturnedAsIsAndIsNoSecret) {
  auto r = resolve_secret("http://127.0.0.1:8080/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "http://127.0.0.1:8080/ready");
  EXPECT_FALSE(r->is_secret);
  // Only the exact prefixes count.
  auto upper = resolve_secret("ENV:HOME");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->value, "ENV:HOME");
  EXPECT_FALSE(upper->is_secret);
}

TEST(ResolveSecret, EnvReadsTheVariable) {
  ::setenv("HALE_TEST_SECRET", "s3cr3t-value", 1);
  auto r = resolve_secret("env:HALE_TEST_SECRET");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "s3cr3t-value");
  EXPECT_TRUE(r->is_secret);
  ::unsetenv("HALE_TEST_SECRET");
}

TEST(ResolveSecret, EnvSetButEmptyIsAnEmptyValue) {
  ::setenv("HALE_TEST_EMPTY", "", 1);
  auto r = resolve_secret("env:HALE_TEST_EMPTY");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "");
  EXPECT_TRUE(r->is_secret);
  ::unsetenv("HALE_TEST_EMPTY");
}

TEST(ResolveSecret, EnvUnsetIsAnErrorNamingTheVariable) {
  ::unsetenv("HALE_TEST_UNSET");
  auto r = resolve_secret("env:HALE_TEST_UNSET");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), "environment variable HALE_TEST_UNSET is not set");
}

TEST(ResolveSecret, EnvWithoutANameIsAnError) {
  auto r = resolve_secret("env:");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), "`env:` needs a variable name, e.g. env:HALE_TOKEN");
}

TEST(ResolveSecret, FileStripsExactlyOneTrailingNewline) {
  const struct {
    const char* content;
    const char* expect;
  } cases[] = {
      {"token", "token"},
      {"token\n", "token"},
      {"token\n\n", "token\n"},
      {"token\r\n", "token"},
      {"line1\nline2\n", "line1\nline2"},
      {"", ""},
      {"\n", ""},
  };
  for (const auto& c : cases) {
    TempFile f(c.content);
    auto r = resolve_secret("file:" + f.path());
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->value, c.expect) << "content: " << c.content;
    EXPECT_TRUE(r->is_secret);
  }
}

TEST(ResolveSecret, UnreadableFileNamesThePathOnly) {
  auto r = resolve_secret("file:/nonexistent/hale/token");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), "cannot read file:/nonexistent/hale/token: No such file or directory");
}

TEST(ResolveSecret, DirectoryIsAnError) {
  auto r = resolve_secret("file:/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), "cannot read file:/: not a regular file (a directory)");
}

TEST(ResolveSecret, HugeFileIsRefusedWithoutItsContent) {
  TempFile f(std::string(1024 * 1024 + 10, 'x'));
  auto r = resolve_secret("file:" + f.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), "cannot read file:" + f.path() + ": is 1048586 bytes; the limit is 1 MiB");
}

TEST(RedactUrl, HidesPasswordsAndLoneTokens) {
  const struct {
    const char* url;
    const char* expect;
  } cases[] = {
      {"http://u:p@h/x", "http://u:***@h/x"},
      {"https://user:hunter2@example.com:8443/path?q=1", "https://user:***@example.com:8443/path?q=1"},
      {"https://token@host", "https://***@host"},
      {"https://token@host/", "https://***@host/"},
      {"http://h/x", "http://h/x"},
      {"http://h:8080/x?next=a@b", "http://h:8080/x?next=a@b"},  // '@' after the authority
      {"http://h/users/@me", "http://h/users/@me"},
      {"http://u:p@ss@h/x", "http://u:***@h/x"},  // unencoded '@' in the password
      {"http://u:@h/", "http://u:@h/"},            // empty password: nothing to hide
      {"http://@h/", "http://@h/"},
      {"http://u:p@h#frag", "http://u:***@h#frag"},
      {"postgres://app:pw@db:5432/app", "postgres://app:***@db:5432/app"},
      {"127.0.0.1:5432", "127.0.0.1:5432"},
      {"", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(redact_url(c.url), c.expect) << c.url;
  }
}

}  // namespace
}  // namespace hale
