// The pure half of dns checks: record types, `server`, the matching rules and the verdicts.
#include <gtest/gtest.h>

#include "hale/net/dns_answers.h"

namespace hale::dns {
namespace {

using namespace std::chrono_literals;
using Answers = std::vector<std::string>;

TEST(DnsRecordType, ParsesTheSupportedTypesExactly) {
  for (std::string_view t : {"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV"}) {
    auto parsed = parse_record_type(t);
    ASSERT_TRUE(parsed) << t;
    EXPECT_EQ(to_string(*parsed), t);
  }
  EXPECT_FALSE(parse_record_type("a"));
  EXPECT_FALSE(parse_record_type("PTR"));
  EXPECT_FALSE(parse_record_type(""));
}

TEST(DnsServer, Forms) {
  auto s = parse_server("127.0.0.1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "127.0.0.1");
  EXPECT_EQ(s->port, 53);
  EXPECT_FALSE(s->ipv6);
  s = parse_server("10.0.0.1:5353");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "10.0.0.1");
  EXPECT_EQ(s->port, 5353);
  s = parse_server("::1");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->ipv6);
  EXPECT_EQ(s->port, 53);
  s = parse_server("[::1]:5300");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "::1");
  EXPECT_EQ(s->port, 5300);
  for (std::string_view bad : {"", "dns.google", "dns.google:53", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536",
                               "[::1", "[::1]5", "[1.2.3.4]:53", "1.2.3.4:x", "1.2.3.4:-1", "fe80::1%eth0",
                               "[fe80::1%2]:53"}) {
    EXPECT_FALSE(parse_server(bad)) << bad;
  }
}

TEST(DnsMatch, AddressesCompareAsAddresses) {
  EXPECT_TRUE(answer_matches(RecordType::kA, "10.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(answer_matches(RecordType::kA, "10.0.0.1", "10.0.0.10"));
  EXPECT_TRUE(answer_matches(RecordType::kAAAA, "::1", "0:0:0::1"));
  EXPECT_TRUE(answer_matches(RecordType::kAAAA, "2001:db8::1", "2001:DB8::1"));
  EXPECT_FALSE(answer_matches(RecordType::kAAAA, "2001:db8::1", "2001:db8::2"));
}

TEST(DnsMatch, NamesIgnoreCaseAndTheTrailingDot) {
  EXPECT_TRUE(answer_matches(RecordType::kCNAME, "www.example.com", "WWW.Example.com."));
  EXPECT_TRUE(answer_matches(RecordType::kNS, "ns1.example.com", "ns1.example.com"));
  EXPECT_FALSE(answer_matches(RecordType::kCNAME, "www.example.com", "example.com"));
}

TEST(DnsMatch, MxWithOrWithoutPreference) {
  EXPECT_TRUE(answer_matches(RecordType::kMX, "10 mail.example.com", "mail.example.com"));
  EXPECT_TRUE(answer_matches(RecordType::kMX, "10 mail.example.com", "10 MAIL.example.com."));
  EXPECT_TRUE(answer_matches(RecordType::kMX, "10 mail.example.com", "010 mail.example.com"));
  EXPECT_FALSE(answer_matches(RecordType::kMX, "10 mail.example.com", "20 mail.example.com"));
  EXPECT_FALSE(answer_matches(RecordType::kMX, "10 mail.example.com", "10 mx.example.com"));
}

TEST(DnsMatch, SrvFullOrTargetOnly) {
  EXPECT_TRUE(answer_matches(RecordType::kSRV, "1 5 5060 sip.example.com", "sip.example.com"));
  EXPECT_TRUE(answer_matches(RecordType::kSRV, "1 5 5060 sip.example.com", "1 5 5060 sip.example.com."));
  EXPECT_FALSE(answer_matches(RecordType::kSRV, "1 5 5060 sip.example.com", "1 5 5061 sip.example.com"));
}

TEST(DnsMatch, TxtIsExact) {
  EXPECT_TRUE(answer_matches(RecordType::kTXT, "v=spf1 -all", "v=spf1 -all"));
  EXPECT_FALSE(answer_matches(RecordType::kTXT, "v=spf1 -all", "V=SPF1 -ALL"));
  EXPECT_FALSE(answer_matches(RecordType::kTXT, "v=spf1 -all", "v=spf1"));
}

TEST(DnsMatch, MissingKeepsTheOrderOfExpect) {
  EXPECT_EQ(missing_answers(RecordType::kA, {"1.1.1.1", "2.2.2.2"}, {"3.3.3.3", "2.2.2.2", "4.4.4.4"}),
            (Answers{"3.3.3.3", "4.4.4.4"}));
  EXPECT_TRUE(missing_answers(RecordType::kA, {"1.1.1.1"}, {}).empty());
}

TEST(DnsExpected, ProblemsPerType) {
  EXPECT_EQ(expected_answer_problem(RecordType::kA, "10.0.0.1"), std::nullopt);
  EXPECT_EQ(expected_answer_problem(RecordType::kA, "::1"), "is not an IPv4 address");
  EXPECT_EQ(expected_answer_problem(RecordType::kA, "host"), "is not an IPv4 address");
  EXPECT_EQ(expected_answer_problem(RecordType::kAAAA, "::1"), std::nullopt);
  EXPECT_EQ(expected_answer_problem(RecordType::kAAAA, "1.2.3.4"), "is not an IPv6 address");
  EXPECT_EQ(expected_answer_problem(RecordType::kCNAME, "a b"), "is not a host name");
  EXPECT_EQ(expected_answer_problem(RecordType::kMX, "10 mx.test"), std::nullopt);
  EXPECT_EQ(expected_answer_problem(RecordType::kMX, "mx.test"), std::nullopt);
  EXPECT_EQ(expected_answer_problem(RecordType::kMX, "x mx.test"), "is not \"HOST\" or \"PREFERENCE HOST\"");
  EXPECT_EQ(expected_answer_problem(RecordType::kSRV, "1 2 3 t.test"), std::nullopt);
  EXPECT_EQ(expected_answer_problem(RecordType::kSRV, "1 2 t.test"),
            "is not \"TARGET\" or \"PRIORITY WEIGHT PORT TARGET\"");
  EXPECT_EQ(expected_answer_problem(RecordType::kTXT, "any text at all"), std::nullopt);
  EXPECT_EQ(expected_answer_problem(RecordType::kTXT, ""), "must not be empty");
}

TEST(DnsJudge, PassListsTheAnswersAndTheTime) {
  ProbeResult r = judge_answers(RecordType::kA, {"127.0.0.1", "10.0.0.2"}, {}, 2ms);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "A 127.0.0.1, 10.0.0.2 (2 ms)");
  EXPECT_EQ(to_string(r.error), "");
}

TEST(DnsJudge, MissingExpectedAnswer) {
  ProbeResult r = judge_answers(RecordType::kA, {"127.0.0.1"}, {"10.0.0.9"}, 1ms);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "missing expected answer 10.0.0.9; got 127.0.0.1");
  EXPECT_EQ(to_string(r.error), "dns_mismatch");
  r = judge_answers(RecordType::kA, {"127.0.0.1"}, {"10.0.0.9", "10.0.0.8", "127.0.0.1"}, 1ms);
  EXPECT_EQ(r.reason, "missing expected answers 10.0.0.9, 10.0.0.8; got 127.0.0.1");
}

TEST(DnsJudge, NoAnswerOfTheType) {
  ProbeResult r = judge_answers(RecordType::kAAAA, {}, {}, 1ms);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "no AAAA answer");
  EXPECT_EQ(to_string(r.error), "dns_nodata");
}

TEST(DnsJudge, LongAnswerListsAreCut) {
  Answers many;
  for (int i = 1; i <= 8; ++i) many.push_back("10.0.0." + std::to_string(i));
  EXPECT_EQ(summarize_answers(many), "10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5 (+3 more)");
  EXPECT_EQ(summarize_answers({std::string(100, 'x')}), std::string(64, 'x') + "…");
}

}  // namespace
}  // namespace hale::dns
