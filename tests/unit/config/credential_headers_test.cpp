// Which header values are secrets even when written inline (checks' and notifiers' `headers`).
#include "hale/config/credential_headers.h"

#include <gtest/gtest.h>

namespace hale::config {
namespace {

TEST(CredentialHeaders, NamesThatCarryCredentials) {
  for (const char* name : {"Authorization", "proxy-authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "Api-Secret",
                           "X-Hub-Signature", "X-Password", "PRIVATE-TOKEN", "x-goog-api-key"}) {
    EXPECT_TRUE(is_credential_header(name)) << name;
  }
  for (const char* name : {"X-Env", "X-Team", "Accept", "Content-Type", "User-Agent", "X-Request-Id"}) {
    EXPECT_FALSE(is_credential_header(name)) << name;
  }
}

}  // namespace
}  // namespace hale::config
