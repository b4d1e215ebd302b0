// Which Host headers hale answers (DNS rebinding, issue 17), and the Bearer scheme.
#include "hale/server/host_allow.h"

#include <gtest/gtest.h>

#include "hale/server/router.h"

namespace hale {
namespace {

TEST(HostAllowList, OnLoopbackOnlyLoopbackNamesAndTheAllowedOnes) {
  const HostAllowList hosts("127.0.0.1:8099", {"Hale.Internal"});
  EXPECT_FALSE(hosts.open());
  for (const char* ok : {"", "127.0.0.1", "127.0.0.1:8099", "127.200.0.1", "localhost", "LocalHost:8099", "a.localhost",
                         "[::1]:8099", "[::ffff:127.0.0.1]", "hale.internal", "HALE.INTERNAL:443"}) {
    EXPECT_TRUE(hosts.allows(ok)) << ok;
  }
  for (const char* no : {"evil.example", "evil.example:8099", "localhost.evil.example", "10.0.0.1", "[::2]", "128.0.0.1",
                         "hale.internal.evil"}) {
    EXPECT_FALSE(hosts.allows(no)) << no;
  }
}

TEST(HostAllowList, ElsewhereEveryHostUnlessAllowedHostsIsSet) {
  EXPECT_TRUE(HostAllowList("0.0.0.0:8099", {}).open());
  EXPECT_TRUE(HostAllowList("[::]:8099", {}).allows("anything.example"));
  const HostAllowList set("0.0.0.0:8099", {"hale.example"});
  EXPECT_TRUE(set.allows("hale.example:8099"));
  EXPECT_TRUE(set.allows("localhost"));
  EXPECT_FALSE(set.allows("other.example"));
  EXPECT_FALSE(HostAllowList("localhost:0", {}).open());
  EXPECT_FALSE(HostAllowList(":8099", {}).open()) << "an empty host listens on 127.0.0.1";
}

TEST(BearerToken, TheSchemeInAnyCaseThenSpaces) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER   abc"), "abc");
  EXPECT_EQ(bearer_token("Bearerabc"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
  EXPECT_EQ(bearer_token("Basic abc"), std::nullopt);
  EXPECT_EQ(bearer_token(""), std::nullopt);
  EXPECT_TRUE(bearer_matches("bearer s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("bearer s3cre", "s3cret"));
}

}  // namespace
}  // namespace hale
