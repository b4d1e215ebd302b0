// Parsing of tcp targets: what is a valid host:port.
#include "hale/net/host_port.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(HostPort, ParsesNamesAndLiterals) {
  auto a = parse_host_port("db:5432");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "db");
  EXPECT_EQ(a->port, 5432);

  auto b = parse_host_port("127.0.0.1:80");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "127.0.0.1");

  auto c = parse_host_port("[::1]:8080");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 8080);
}

TEST(HostPort, RejectsBadTargets) {
  for (const char* bad : {"", "db", "db:", ":80", "db:0", "db:65536", "db:8o", "::1:80",
                          "[::1]", "[::1]80", "[::1]:", "db:-1"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

}  // namespace
}  // namespace hale
