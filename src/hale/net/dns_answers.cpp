// Record types, `server` parsing and answer matching for dns checks (see dns_answers.h).
#include "hale/net/dns_answers.h"
#include "hale/text/ascii.h"
#include "hale/words.h"

#include <array>
#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace hale::dns {

namespace {

constexpr std::array<Word<RecordType>, 7> kTypes{{
    {"A", RecordType::kA},
    {"AAAA", RecordType::kAAAA},
    {"CNAME", RecordType::kCNAME},
    {"MX", RecordType::kMX},
    {"TXT", RecordType::kTXT},
    {"NS", RecordType::kNS},
    {"SRV", RecordType::kSRV},
}};

// A DNS name for comparison: lower case, without the root's trailing dot.
std::string canonical_name(std::string_view s) {
  std::string out = ascii_lower(s);
  if (out.size() > 1 && out.back() == '.') out.pop_back();
  return out;
}

bool is_number(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 5) return false;
  unsigned n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size() && n <= max;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool valid_host_name(std::string_view s) {
  if (s.empty() || s.size() > 254) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

std::optional<boost::asio::ip::address> ip(std::string_view s) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return a;
}

}  // namespace

std::optional<RecordType> parse_record_type(std::string_view text) { return value_of(kTypes, text); }

std::string_view to_string(RecordType t) { return word_of(kTypes, t, "A"); }

std::string_view record_type_list() { return "A, AAAA, CNAME, MX, TXT, NS, SRV"; }

std::optional<Server> parse_server(std::string_view text) {
  // A scoped address ("fe80::1%eth0") cannot be given to c-ares: refused here, at load.
  if (text.find('%') != std::string_view::npos) return std::nullopt;
  Server s;
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
    auto a = ip(host);
    if (!a || !a->is_v6()) return std::nullopt;
  } else if (auto a = ip(text)) {
    host = text;  // a bare address, IPv6 ones included ("::1")
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    auto h = ip(host);
    if (!h || !h->is_v4()) return std::nullopt;  // IPv6 with a port needs brackets
  }
  auto a = ip(host);
  if (!a) return std::nullopt;
  s.address = a->to_string();
  s.ipv6 = a->is_v6();
  if (port) {
    if (!is_number(*port, 65535) || *port == "0") return std::nullopt;
    unsigned n = 0;
    std::from_chars(port->data(), port->data() + port->size(), n);
    s.port = static_cast<std::uint16_t>(n);
  }
  return s;
}

std::optional<std::string> expected_answer_problem(RecordType t, std::string_view e) {
  if (e.empty()) return "must not be empty";
  switch (t) {
    case RecordType::kA: {
      auto a = ip(e);
      if (!a || !a->is_v4()) return "is not an IPv4 address";
      return std::nullopt;
    }
    case RecordType::kAAAA: {
      auto a = ip(e);
      if (!a || !a->is_v6()) return "is not an IPv6 address";
      return std::nullopt;
    }
    case RecordType::kCNAME:
    case RecordType::kNS:
      if (!valid_host_name(e)) return "is not a host name";
      return std::nullopt;
    case RecordType::kMX: {
      auto w = words(e);
      if (w.size() == 1 && valid_host_name(w[0])) return std::nullopt;
      if (w.size() == 2 && is_number(w[0], 65535) && valid_host_name(w[1])) return std::nullopt;
      return "is not \"HOST\" or \"PREFERENCE HOST\"";
    }
    case RecordType::kSRV: {
      auto w = words(e);
      if (w.size() == 1 && valid_host_name(w[0])) return std::nullopt;
      if (w.size() == 4 && is_number(w[0], 65535) && is_number(w[1], 65535) && is_number(w[2], 65535) &&
          valid_host_name(w[3])) {
        return std::nullopt;
      }
      return "is not \"TARGET\" or \"PRIORITY WEIGHT PORT TARGET\"";
    }
    case RecordType::kTXT: return std::nullopt;
  }
  return std::nullopt;
}

bool answer_matches(RecordType t, std::string_view answer, std::string_view expected) {
  switch (t) {
    case RecordType::kA:
    case RecordType::kAAAA: {
      auto a = ip(answer);
      auto e = ip(expected);
      return a && e && *a == *e;
    }
    case RecordType::kCNAME:
    case RecordType::kNS: return canonical_name(answer) == canonical_name(expected);
    case RecordType::kMX:
    case RecordType::kSRV: {
      auto a = words(answer);
      auto e = words(expected);
      if (a.empty() || e.empty()) return false;
      if (e.size() == 1) return canonical_name(a.back()) == canonical_name(e[0]);
      if (a.size() != e.size()) return false;
      for (std::size_t i = 0; i + 1 < a.size(); ++i) {
        unsigned x = 0, y = 0;
        std::from_chars(a[i].data(), a[i].data() + a[i].size(), x);
        std::from_chars(e[i].data(), e[i].data() + e[i].size(), y);
        if (x != y) return false;
      }
      return canonical_name(a.back()) == canonical_name(e.back());
    }
    case RecordType::kTXT: return answer == expected;
  }
  return false;
}

std::vector<std::string> missing_answers(RecordType t, const std::vector<std::string>& answers,
                                         const std::vector<std::string>& expected) {
  std::vector<std::string> missing;
  for (const std::string& e : expected) {
    bool found = false;
    for (const std::string& a : answers) {
      if (answer_matches(t, a, e)) {
        found = true;
        break;
      }
    }
    if (!found) missing.push_back(e);
  }
  return missing;
}

std::string summarize_answers(const std::vector<std::string>& answers) {
  constexpr std::size_t kMaxShown = 5;
  constexpr std::size_t kMaxChars = 64;
  std::string out;
  for (std::size_t i = 0; i < answers.size() && i < kMaxShown; ++i) {
    if (i > 0) out += ", ";
    if (answers[i].size() > kMaxChars) {
      out += answers[i].substr(0, kMaxChars) + "…";
    } else {
      out += answers[i];
    }
  }
  if (answers.size() > kMaxShown) out += " (+" + std::to_string(answers.size() - kMaxShown) + " more)";
  return out;
}

ProbeResult judge_answers(RecordType t, const std::vector<std::string>& answers,
                          const std::vector<std::string>& expected, Duration elapsed) {
  const std::string type(to_string(t));
  if (answers.empty()) return probe_failure("no " + type + " answer", ErrorKind::kDnsNodata);
  auto missing = missing_answers(t, answers, expected);
  if (!missing.empty()) {
    std::string reason = missing.size() == 1 ? "missing expected answer " : "missing expected answers ";
    reason += summarize_answers(missing) + "; got " + summarize_answers(answers);
    return probe_failure(std::move(reason), ErrorKind::kDnsMismatch);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  return probe_result(Verdict::kPass, type + " " + summarize_answers(answers) + " (" + std::to_string(ms) + " ms)");
}

}  // namespace hale::dns
