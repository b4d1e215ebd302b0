// The keys of a dns check: `name`, `record_type`, `expect` and `server`. `expect` is checked
// against the record type once the whole table is read (check_table.cpp), since the two keys
// may come in any order.
#include <string>

#include "hale/config/check_keys.h"
#include "hale/config/toml_reader.h"
#include "hale/net/dns_answers.h"

namespace hale::config {

namespace {

bool valid_dns_name(std::string_view s) {
  if (s.size() > 254) return false;
  for (char c : s) {
    if (c == ' ' || static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

void apply_dns_name(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (!valid_dns_name(*text)) {
    c.diagnostics().add(c.value, backticked(c.key) + " \"" + *text +
                                     "\" is not a DNS name (no spaces or control characters, at most 254 characters)");
    return;
  }
  set_on<DnsCheck>(c.spec, [&](DnsCheck& k) { k.name = *text; });
}

void apply_record_type(const KeyCall& c) {
  auto text = read_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (!dns::parse_record_type(*text)) {
    c.diagnostics().add(c.value, backticked(c.key) + ": unknown record type \"" + *text + "\" (expected one of " +
                                     std::string(dns::record_type_list()) + ")");
    return;
  }
  set_on<DnsCheck>(c.spec, [&](DnsCheck& k) { k.record_type = *text; });
}

void apply_dns_expect(const KeyCall& c) {
  const auto* list = read_array(c.value, c.key, c.diagnostics());
  if (list == nullptr) return;
  std::vector<std::string> expect;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto s = read_string(*list->get(i), std::string(c.key) + "[" + std::to_string(i) + "]", c.diagnostics());
    if (!s) {
      ok = false;
      continue;
    }
    expect.push_back(std::move(*s));
  }
  if (ok) set_on<DnsCheck>(c.spec, [&](DnsCheck& k) { k.expect = std::move(expect); });
}

void apply_dns_server(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (!dns::parse_server(*text)) {
    c.diagnostics().add(c.value, backticked(c.key) + " \"" + *text +
                                     "\": want an IP address, \"ip:port\" or \"[ipv6]:port\"");
    return;
  }
  set_on<DnsCheck>(c.spec, [&](DnsCheck& k) { k.server = *text; });
}

void check_dns_expect(const DnsCheck& s, const toml::table& table, Diagnostics& d) {
  const toml::node* node = table.get("expect");
  const auto* list = node ? node->as_array() : nullptr;
  if (list == nullptr) return;
  // A record_type that did not read is already reported: judging `expect` by the default would
  // only add noise.
  if (const toml::node* rt = table.get("record_type"); rt && (!rt->as_string() || rt->as_string()->get() != s.record_type)) {
    return;
  }
  auto type = dns::parse_record_type(s.record_type);
  if (!type) return;
  for (std::size_t i = 0; i < list->size() && i < s.expect.size(); ++i) {
    if (auto problem = dns::expected_answer_problem(*type, s.expect[i])) {
      d.add(*list->get(i), "`expect[" + std::to_string(i) + "]` \"" + s.expect[i] + "\" " + *problem +
                               " (record_type " + s.record_type + ")");
    }
  }
}

}  // namespace hale::config
