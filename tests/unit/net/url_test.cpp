// net/url: the one URL reader (CURLU behind two guards) and the loopback test.
#include "hale/net/url.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(ParseUrl, PartsAsWritten) {
  const UrlParse p = parse_url("HTTPS://ops:s%40cret@Hale.Example:8443/a/../b?x=1#top");
  ASSERT_TRUE(p.url) << p.detail;
  const Url& u = *p.url;
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.user, "ops");
  EXPECT_EQ(u.password, "s%40cret");
  EXPECT_EQ(u.host, "Hale.Example");
  EXPECT_EQ(u.port, "8443");
  EXPECT_EQ(u.path, "/a/../b");  // as written: a path is not folded
  EXPECT_EQ(u.query, "x=1");
  EXPECT_EQ(u.fragment, "top");
  EXPECT_EQ(u.origin("ops:***"), "https://ops:***@Hale.Example:8443");
}

TEST(ParseUrl, NoUserinfoNoPortAnIpv6Host) {
  const UrlParse p = parse_url("http://[::1]");
  ASSERT_TRUE(p.url);
  EXPECT_EQ(p.url->host, "[::1]");
  EXPECT_EQ(p.url->path, "/");
  EXPECT_FALSE(p.url->password);
  EXPECT_FALSE(p.url->query);
  EXPECT_EQ(p.url->origin("ignored"), "http://[::1]");
}

TEST(ParseUrl, ErrorsByKind) {
  struct Case {
    const char* text;
    UrlError error;
  };
  for (const Case c : {Case{"127.0.0.1:80", UrlError::kNoScheme}, Case{"", UrlError::kNoScheme},
                       Case{"://h", UrlError::kNoScheme}, Case{"http://", UrlError::kNoHost},
                       Case{"http:///ping", UrlError::kNoHost},  // curl 7.88 would read "ping" as the host
                       Case{"http://:80", UrlError::kNoHost}, Case{"http://[]:1", UrlError::kNoHost},
                       Case{"https://u:pw@/x", UrlError::kNoHost}, Case{"http://h:", UrlError::kBadPort},
                       Case{"http://h:80x", UrlError::kBadPort}, Case{"http://h:65536", UrlError::kBadPort},
                       Case{"http://u:p@ss@h/", UrlError::kInvalid}}) {
    const UrlParse p = parse_url(c.text);
    EXPECT_FALSE(p.url) << c.text;
    EXPECT_EQ(p.error, c.error) << c.text;
  }
  EXPECT_FALSE(parse_url("http://u:p@ss@h/").detail.empty());
}

TEST(LoopbackHost, NamesAndAddresses) {
  for (const char* host : {"localhost", "LOCALHOST", "localhost.", "app.localhost", "127.0.0.1", "127.9.8.7", "::1",
                           "[::1]", "::ffff:127.0.0.1", "[::ffff:127.0.0.2]"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"", "example.com", "localhost.example.com", "128.0.0.1", "10.0.0.1", "::2", "[2001:db8::1]",
                           "::ffff:10.0.0.1", "[::1", "127.0.0.1:80"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

}  // namespace
}  // namespace hale
