// The email keys of [notifiers.NAME] (see notifier_keys.h): the SMTP envelope's addresses, the
// AUTH user and the TLS mode. `password` is read with the other secrets (notifier_keys.cpp).
#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "hale/config/notifier_keys.h"
#include "hale/config/match_keys.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"

namespace hale::config {

namespace {

constexpr std::array<Word<SmtpTls>, 2> kSmtpTlsWords{{
    {"starttls", SmtpTls::kStartTls},
    {"none", SmtpTls::kNone},
}};

// A plain address, user@host: what SMTP's MAIL FROM and RCPT TO take (no display name).
bool is_plain_address(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == s.npos || at == 0 || at + 1 == s.size() || s.find('@', at + 1) != s.npos) return false;
  return !has_space_or_control(s) && s.find_first_of("<>,;\"()") == s.npos;
}

std::optional<std::string> read_address(const toml::node& v, std::string_view key, Diagnostics& d) {
  auto text = read_nonempty_string(v, key, d);
  if (!text) return std::nullopt;
  if (!is_plain_address(*text)) {
    d.add(v, backticked(key) + " \"" + *text + "\" is not a plain email address (user@host, no display name)");
    return std::nullopt;
  }
  return text;
}

}  // namespace

void apply_notifier_username(const NotifierCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  auto value = c.ctx.resolve_value(c.value, c.key, *text);
  if (!value) return;
  if (value->empty()) {
    c.diagnostics().add(c.value, value_of(c.key, *text) + " is empty");
    return;
  }
  if (has_line_break_or_nul(*value)) {
    c.diagnostics().add(c.value, value_of(c.key, *text) + " must not contain a line break or a NUL byte");
    return;
  }
  c.spec.username = std::move(*value);
}

void apply_notifier_from(const NotifierCall& c) {
  if (auto from = read_address(c.value, c.key, c.diagnostics())) c.spec.from = std::move(*from);
}

void apply_notifier_to(const NotifierCall& c) {
  auto entries = read_string_or_list(c.value, c.key, "address", c.diagnostics());
  if (!entries) return;
  std::vector<std::string> to;
  bool ok = true;
  for (const TextAt& e : *entries) {
    auto address = read_address(*e.node, c.key, c.diagnostics());
    if (!address) {
      ok = false;
      continue;
    }
    if (std::find(to.begin(), to.end(), *address) == to.end()) to.push_back(std::move(*address));
  }
  if (ok) c.spec.to = std::move(to);
}

void apply_notifier_tls(const NotifierCall& c) {
  if (const auto* s = c.value.as_string()) {
    const std::string& text = s->get();
    if (text == "implicit" || text == "tls" || text == "ssl" || text == "smtps") {
      // Implicit TLS is a property of the port and the URL, not a mode to pick.
      c.diagnostics().add(c.value, "`tls` = \"" + text +
                                       "\": for TLS from the first byte write an smtps:// `url` and leave `tls` out");
      return;
    }
  }
  if (auto mode = read_word(c.value, c.key, kSmtpTlsWords, c.diagnostics())) c.spec.smtp_tls = *mode;
}

}  // namespace hale::config
