// The URLs hale exec pings: BASE checked and normalised, the name kept one path segment.
#include "hale/heartbeat/ping_url.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(PingBase, NormalisedAndClassified) {
  struct Case {
    const char* in;
    const char* url;
    bool loopback;
  };
  for (const Case c : {
           Case{"http://127.0.0.1:8099", "http://127.0.0.1:8099", true},
           Case{"http://127.0.0.1:8099/", "http://127.0.0.1:8099", true},
           Case{"HTTP://localhost:8099//", "http://localhost:8099", true},
           Case{"http://127.1.2.3", "http://127.1.2.3", true},
           Case{"http://[::1]:8099", "http://[::1]:8099", true},
           Case{"http://[::ffff:127.0.0.1]:8099", "http://[::ffff:127.0.0.1]:8099", true},
           Case{"http://app.localhost:1", "http://app.localhost:1", true},
           Case{"https://hale.example.com/hale/", "https://hale.example.com/hale", false},
           Case{"http://10.0.0.5:8099", "http://10.0.0.5:8099", false},
           Case{"http://[2001:db8::1]", "http://[2001:db8::1]", false},
           Case{"http://128.0.0.1", "http://128.0.0.1", false},
       }) {
    auto b = parse_ping_base(c.in);
    ASSERT_TRUE(b) << c.in << ": " << b.status().message();
    EXPECT_EQ(b->url, c.url) << c.in;
    EXPECT_EQ(b->loopback, c.loopback) << c.in;
  }
}

TEST(PingBase, APasswordIsNotDisplayed) {
  auto b = parse_ping_base("https://ops:s3cret@hale.example.com/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->url, "https://ops:s3cret@hale.example.com");
  EXPECT_EQ(b->display, "https://ops:***@hale.example.com");
  EXPECT_FALSE(b->loopback);
}

TEST(PingBase, RejectsWhatIsNotAnHttpBase) {
  struct Case {
    const char* in;
    const char* error;
  };
  for (const Case c : {
           Case{"127.0.0.1:8099", "is not an http:// or https:// URL"},
           Case{"ftp://127.0.0.1", "is not an http:// or https:// URL"},
           Case{"", "is not an http:// or https:// URL"},
           Case{"http://", "has no host"},
           Case{"http:///ping", "has no host"},
           Case{"http://:8099", "has no host"},
           Case{"http://[]:1", "has no host"},
           Case{"http://h:", "has a bad port"},
           Case{"http://h:80x", "has a bad port"},
           Case{"http://h:65536", "has a bad port"},
           Case{"http://[::1]8099", "has a bad port"},
           Case{"http://h/?x=1", "must not have a query or a fragment"},
           Case{"http://h/#top", "must not have a query or a fragment"},
       }) {
    auto b = parse_ping_base(c.in);
    ASSERT_FALSE(b) << c.in;
    EXPECT_EQ(b.status().message(), c.error) << c.in;
  }
}

TEST(PingUrl, NameStaysOneEscapedSegment) {
  const PingBase base = *parse_ping_base("http://127.0.0.1:8099/");
  EXPECT_EQ(ping_url(base, "backup", "start"), "http://127.0.0.1:8099/ping/backup/start");
  EXPECT_EQ(ping_url(base, "db.dump-nightly_2", "0"), "http://127.0.0.1:8099/ping/db.dump-nightly_2/0");
  EXPECT_EQ(ping_url(base, "a b/c?d#e%", "255"), "http://127.0.0.1:8099/ping/a%20b%2Fc%3Fd%23e%25/255");
  EXPECT_EQ(ping_url(*parse_ping_base("https://h/hale"), "x", "start"), "https://h/hale/ping/x/start");
}

TEST(PingUrl, EscapesEveryByteOutsideTheUnreservedSet) {
  EXPECT_EQ(escape_path_segment("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(escape_path_segment(std::string("\x00\xff\xc3\xa9", 4)), "%00%FF%C3%A9");
  EXPECT_EQ(escape_path_segment("+&=:@"), "%2B%26%3D%3A%40");
}

}  // namespace
}  // namespace hale
