// dns checks in hale.toml: the keys read into CheckSpec, defaults, and every error with its
// exact text and position.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using hale::testing::config_errors;
using hale::testing::error_lines;

TEST(DnsConfig, EveryKeyIsRead) {
  const LoadResult r = load_config_string(R"([checks.ns]
type = "dns"
name = "api.example.com"
record_type = "AAAA"
expect = ["::1", "2001:db8::1"]
server = "[::1]:5353"
timeout = "500ms"
)",
                                          "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  ASSERT_TRUE(r.config);
  const CheckSpec* c = r.config->find_check("ns");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind, CheckKind(DnsCheck{.name = "api.example.com",
                                         .record_type = "AAAA",
                                         .expect = {"::1", "2001:db8::1"},
                                         .server = "[::1]:5353"}));
  EXPECT_EQ(c->timeout, std::chrono::milliseconds(500));
}

TEST(DnsConfig, Defaults) {
  const LoadResult r = load_config_string("[checks.ns]\ntype = \"dns\"\nname = \"example.com\"\n", "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  const CheckSpec* c = r.config->find_check("ns");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(c->as<DnsCheck>(), nullptr);
  const DnsCheck& dns = *c->as<DnsCheck>();
  EXPECT_EQ(dns.record_type, "A");
  EXPECT_TRUE(dns.expect.empty());
  EXPECT_EQ(dns.server, "");  // the system resolver
}

TEST(DnsConfig, ChangingAnExpectationIsAChange) {
  auto load = [](const std::string& expect) {
    return *load_config_string("[checks.ns]\ntype = \"dns\"\nname = \"a.test\"\nexpect = [\"" + expect + "\"]\n",
                               "hale.toml")
                .config;
  };
  EXPECT_FALSE(*load("10.0.0.1").find_check("ns") == *load("10.0.0.2").find_check("ns"));
  EXPECT_TRUE(*load("10.0.0.1").find_check("ns") == *load("10.0.0.1").find_check("ns"));
}

struct Case {
  const char* name;
  std::string toml;
  std::vector<std::string> errors;
};

std::string dns_check(const std::string& line4) {
  return "[checks.ns]\ntype = \"dns\"\nname = \"example.com\"\n" + line4 + "\n";
}

const std::vector<Case> kCases = {
    {"NeedsName", "[checks.ns]\ntype = \"dns\"\n",
     {"hale.toml:1:1: check \"ns\": type \"dns\" needs `name` (the name to resolve)"}},
    {"EmptyName", "[checks.ns]\ntype = \"dns\"\nname = \"\"\n", {"hale.toml:3:8: `name` must not be empty"}},
    {"NameWithSpace", "[checks.ns]\ntype = \"dns\"\nname = \"a b.com\"\n",
     {"hale.toml:3:8: `name` \"a b.com\" is not a DNS name (no spaces or control characters, at most 254 "
      "characters)"}},
    {"NameNotAString", "[checks.ns]\ntype = \"dns\"\nname = 5\n", {"hale.toml:3:8: `name` must be a string, not an integer"}},
    {"UnknownRecordType", dns_check("record_type = \"PTR\""),
     {"hale.toml:4:15: `record_type`: unknown record type \"PTR\" (expected one of A, AAAA, CNAME, MX, TXT, NS, "
      "SRV)"}},
    {"LowerCaseRecordType", dns_check("record_type = \"a\""),
     {"hale.toml:4:15: `record_type`: unknown record type \"a\" (expected one of A, AAAA, CNAME, MX, TXT, NS, "
      "SRV)"}},
    {"ExpectNotAnArray", dns_check("expect = \"10.0.0.1\""),
     {"hale.toml:4:10: `expect` must be an array, not a string"}},
    {"ExpectElementNotAString", dns_check("expect = [\"10.0.0.1\", 7]"),
     {"hale.toml:4:23: `expect[1]` must be a string, not an integer"}},
    {"ExpectNotAnIpv4ForA", dns_check("expect = [\"10.0.0.1\", \"::1\"]"),
     {"hale.toml:4:23: `expect[1]` \"::1\" is not an IPv4 address (record_type A)"}},
    {"ExpectNotAnIpv6ForAaaa", "[checks.ns]\ntype = \"dns\"\nname = \"example.com\"\nexpect = [\"10.0.0.1\"]\n"
                               "record_type = \"AAAA\"\n",
     {"hale.toml:4:11: `expect[0]` \"10.0.0.1\" is not an IPv6 address (record_type AAAA)"}},
    {"ExpectBadMx", dns_check("record_type = \"MX\"\nexpect = [\"mail.example.com 10\"]"),
     {"hale.toml:5:11: `expect[0]` \"mail.example.com 10\" is not \"HOST\" or \"PREFERENCE HOST\" (record_type "
      "MX)"}},
    {"ExpectEmptyString", dns_check("record_type = \"TXT\"\nexpect = [\"\"]"),
     {"hale.toml:5:11: `expect[0]` \"\" must not be empty (record_type TXT)"}},
    {"BadRecordTypeDoesNotJudgeExpect", dns_check("record_type = \"X\"\nexpect = [\"::1\"]"),
     {"hale.toml:4:15: `record_type`: unknown record type \"X\" (expected one of A, AAAA, CNAME, MX, TXT, NS, "
      "SRV)"}},
    {"ServerHostName", dns_check("server = \"dns.google\""),
     {"hale.toml:4:10: `server` \"dns.google\": want an IP address, \"ip:port\" or \"[ipv6]:port\""}},
    {"ServerBadPort", dns_check("server = \"127.0.0.1:99999\""),
     {"hale.toml:4:10: `server` \"127.0.0.1:99999\": want an IP address, \"ip:port\" or \"[ipv6]:port\""}},
    {"ServerPortZero", dns_check("server = \"127.0.0.1:0\""),
     {"hale.toml:4:10: `server` \"127.0.0.1:0\": want an IP address, \"ip:port\" or \"[ipv6]:port\""}},
    {"ServerEmpty", dns_check("server = \"\""), {"hale.toml:4:10: `server` must not be empty"}},
    {"TargetDoesNotApply", dns_check("target = \"a:1\""),
     {"hale.toml:4:1: `target` does not apply to a dns check"}},
    {"NameDoesNotApplyToTcp", "[checks.db]\ntype = \"tcp\"\ntarget = \"db:1\"\nname = \"x\"\n",
     {"hale.toml:4:1: `name` does not apply to a tcp check"}},
    {"DnsKeysNotInDefaults", "[defaults]\nrecord_type = \"A\"\n",
     {"hale.toml:2:1: `record_type` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"UnknownKeyNearMiss", dns_check("recordtype = \"A\""),
     {"hale.toml:4:1: unknown key `recordtype` in [checks.ns]; did you mean `record_type`?"}},
};

class DnsConfigErrors : public ::testing::TestWithParam<Case> {};

TEST_P(DnsConfigErrors, ReportsExactMessageAndPosition) {
  const Case& c = GetParam();
  EXPECT_EQ(config_errors(c.toml), c.errors) << c.toml;
}

INSTANTIATE_TEST_SUITE_P(Config, DnsConfigErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace hale
