// The pure half of dns checks: record types, the `server` syntax, how answers are written as
// text, and how they are judged against `expect`. No I/O; the probe (dns_probe.cpp) and the
// config loader both use it, and unit tests cover it.
//
// Matching rules (docs/config.md, "dns checks"):
// - every entry of `expect` must be among the answers; more answers than expected are fine;
// - A / AAAA: compared as addresses ("::1" matches "0:0::1");
// - CNAME / NS: names, case-insensitive, a trailing dot ignored;
// - MX: "PREFERENCE HOST" ("10 mail.example.com") or just "HOST" (any preference);
// - SRV: "PRIORITY WEIGHT PORT TARGET" or just "TARGET";
// - TXT: the record's strings joined without separator, compared exactly (case-sensitive).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/health.h"

namespace hale::dns {

enum class RecordType { kA, kAAAA, kCNAME, kMX, kTXT, kNS, kSRV };

// "A", "AAAA", ... exactly as written (upper case); nullopt otherwise.
std::optional<RecordType> parse_record_type(std::string_view text);
std::string_view to_string(RecordType t);
// "A, AAAA, CNAME, MX, TXT, NS, SRV", for error messages.
std::string_view record_type_list();

// `server`: an IP address, "ip:port" or "[ipv6]:port"; the port defaults to 53.
struct Server {
  std::string address;  // the IP literal, without brackets
  std::uint16_t port = 53;
  bool ipv6 = false;
};
std::optional<Server> parse_server(std::string_view text);

// nullopt when `expected` can match an answer of type `t`; else what is wrong with it
// ("is not an IPv4 address").
std::optional<std::string> expected_answer_problem(RecordType t, std::string_view expected);

// Whether one answer (as the probe writes it) satisfies one expected entry.
bool answer_matches(RecordType t, std::string_view answer, std::string_view expected);

// The expected entries that no answer satisfies, in the order of `expected`.
std::vector<std::string> missing_answers(RecordType t, const std::vector<std::string>& answers,
                                         const std::vector<std::string>& expected);

// "127.0.0.1, 10.0.0.2": at most 5 answers, each cut at 64 characters, then "(+N more)".
std::string summarize_answers(const std::vector<std::string>& answers);

// The verdict on a successful lookup:
// - no answer of the type: fail "no A answer", code "dns_nodata";
// - an expected answer missing: fail "missing expected answer 10.0.0.9; got 127.0.0.1", code
//   "dns_mismatch";
// - otherwise pass "A 127.0.0.1, 10.0.0.2 (2 ms)".
ProbeResult judge_answers(RecordType t, const std::vector<std::string>& answers,
                          const std::vector<std::string>& expected, Duration elapsed);

}  // namespace hale::dns
