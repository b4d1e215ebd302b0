// One [notifiers.NAME] table at a time: its type first, then every key through the key table
// (which types it applies to, how it is read), then what the type cannot work without.
#include "hale/config/notifier_table.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

#include "hale/config/check_table.h"
#include "hale/config/levenshtein.h"
#include "hale/config/names.h"
#include "hale/config/notifier_keys.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"

namespace hale::config {

namespace {

constexpr unsigned bit(NotifierType t) { return 1u << static_cast<unsigned>(t); }
constexpr unsigned kWebhook = bit(NotifierType::kWebhook);
constexpr unsigned kAlertmanager = bit(NotifierType::kAlertmanager);
constexpr unsigned kNtfy = bit(NotifierType::kNtfy);
constexpr unsigned kEmail = bit(NotifierType::kEmail);
constexpr unsigned kExec = bit(NotifierType::kExec);
constexpr unsigned kAny = (1u << kNotifierTypeWords.size()) - 1;
constexpr unsigned kConnecting = kAny & ~kExec;  // every type that opens a connection

struct NotifierKey {
  std::string_view name;
  unsigned types;          // the notifier types it applies to
  ApplyNotifierKey apply;  // nullptr for `type`, read before everything else
};

constexpr std::array kNotifierKeys{
    NotifierKey{"type", kAny, nullptr},
    NotifierKey{"url", kConnecting, apply_notifier_url},
    NotifierKey{"urls", kAlertmanager, apply_notifier_urls},
    NotifierKey{"secret", kWebhook, apply_notifier_secret},
    NotifierKey{"token", kNtfy | kAlertmanager, apply_notifier_token},
    NotifierKey{"headers", kWebhook, apply_notifier_headers},
    NotifierKey{"username", kEmail, apply_notifier_username},
    NotifierKey{"password", kEmail, apply_notifier_password},
    NotifierKey{"from", kEmail, apply_notifier_from},
    NotifierKey{"to", kEmail, apply_notifier_to},
    NotifierKey{"tls", kEmail, apply_notifier_tls},
    NotifierKey{"command", kExec, apply_notifier_command},
    NotifierKey{"ca_file", kConnecting, apply_notifier_ca_file},
    NotifierKey{"insecure_skip_verify", kConnecting, apply_notifier_insecure_skip_verify},
    NotifierKey{"timeout", kAny, apply_notifier_timeout},
    NotifierKey{"retry", kAny, apply_notifier_retry},
    NotifierKey{"drills", kAny, apply_notifier_drills},
    NotifierKey{"description", kAny, apply_notifier_description},
};

constexpr auto kKeyNames = [] {
  std::array<std::string_view, kNotifierKeys.size()> names{};
  for (std::size_t i = 0; i < kNotifierKeys.size(); ++i) names[i] = kNotifierKeys[i].name;
  return names;
}();

const NotifierKey* find_key(std::string_view name) {
  for (const NotifierKey& k : kNotifierKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

// "`secret` applies to webhook notifiers only", "`token` applies to alertmanager and ntfy
// notifiers only", "`ca_file` does not apply to exec notifiers".
std::string not_for(std::string_view key, unsigned types) {
  if (types == kConnecting) {
    return "`" + std::string(key) + "` does not apply to exec notifiers (a program makes its own connections)";
  }
  std::vector<std::string_view> names;
  for (const auto& w : kNotifierTypeWords) {
    if ((types & bit(w.value)) != 0) names.push_back(w.name);
  }
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " and " : ", ";
    list += std::string(names[i]);
  }
  return "`" + std::string(key) + "` applies to " + list + " notifiers only";
}

std::optional<NotifierType> read_type(std::string_view notifier, const toml::table& table, Diagnostics& d) {
  const toml::node* node = table.get("type");
  if (node == nullptr) {
    d.add(table, "notifier \"" + std::string(notifier) + "\" needs `type` (one of " + listed(names_of(kNotifierTypeWords)) + ")");
    return std::nullopt;
  }
  auto text = read_string(*node, "type", d);
  if (!text) return std::nullopt;
  for (const auto& w : kNotifierTypeWords) {
    if (w.name == *text) return w.value;
  }
  const auto names = names_of(kNotifierTypeWords);
  std::string message = "unknown notifier type \"" + *text + "\" (expected one of " + listed(names) + ")";
  if (auto guess = did_you_mean(*text, names)) message += "; did you mean \"" + *guess + "\"?";
  d.add(*node, std::move(message));
  return std::nullopt;
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// What the type cannot work without, reported at the table, and the rules between keys.
void check_type_rules(NotifierSpec& n, const toml::table& table, Diagnostics& d) {
  const std::string prefix =
      "notifier \"" + n.name + "\": type \"" + std::string(to_string(n.type)) + "\" needs ";
  const toml::node* url = table.get("url");
  const toml::node* urls = table.get("urls");
  switch (n.type) {
    case NotifierType::kAlertmanager:
      if (url == nullptr && urls == nullptr) {
        d.add(table, prefix + "`url` or `urls` (every member of the cluster)");
      } else if (url != nullptr && urls != nullptr) {
        // Reported at whichever of the two comes second in the file.
        const SourcePos a = position_of(*url), b = position_of(*urls);
        const bool urls_second = std::tie(b.line, b.column) > std::tie(a.line, a.column);
        d.add(urls_second ? *urls : *url, "`url` and `urls` cannot both be set: list every URL in `urls`");
      }
      break;
    case NotifierType::kExec:
      if (table.get("command") == nullptr) d.add(table, prefix + "`command` (an argv array)");
      break;
    default:
      if (url == nullptr) d.add(table, prefix + "`url`");
      break;
  }
  if (n.type != NotifierType::kEmail) return;
  if (table.get("from") == nullptr) d.add(table, prefix + "`from` (the sender's address)");
  if (table.get("to") == nullptr) d.add(table, prefix + "`to` (an address or a list of them)");
  if (!n.urls.empty() && starts_with_ignoring_case(n.urls.front(), "smtps://")) {
    n.smtp_tls = SmtpTls::kImplicit;
    if (const toml::node* tls = table.get("tls")) {
      d.add(*tls, "`tls` must be left out with an smtps:// `url`: that is TLS from the first byte");
    }
  }
  if (const toml::node* password = table.get("password"); password != nullptr && table.get("username") == nullptr) {
    d.add(*password, "`password` needs `username`");
  }
}

std::optional<NotifierSpec> read_notifier(std::string_view name, const toml::table& table, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const std::size_t errors_before = d.size();
  NotifierSpec spec;
  spec.name = std::string(name);
  spec.pos = position_of(table);
  if (auto problem = name_problem("notifier", name)) d.add(table, *problem);
  const std::optional<NotifierType> type = read_type(name, table, d);
  if (type) spec.type = *type;
  for (auto&& [k, v] : table) {
    if (k.str() == "type") continue;
    const NotifierKey* key = find_key(k.str());
    if (key == nullptr) {
      report_unknown_key(k, "in [notifiers." + spec.name + "]", kKeyNames, d);
      continue;
    }
    // With an unknown type every key is still read for its own errors, none is "not for this type".
    if (type && (key->types & bit(*type)) == 0) {
      d.add(k, not_for(k.str(), key->types));
      continue;
    }
    key->apply(NotifierCall{v, k.str(), spec, type.has_value(), ctx});
  }
  if (!type) return std::nullopt;
  check_type_rules(spec, table, d);
  if (d.size() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace

std::vector<NotifierSpec> read_notifiers(const toml::table& notifiers, LoadContext& ctx) {
  std::vector<NotifierSpec> out;
  for (auto&& [k, v] : notifiers) {
    const auto* table = read_table(v, "notifiers." + std::string(k.str()), ctx.diagnostics());
    if (table == nullptr) continue;
    if (auto spec = read_notifier(k.str(), *table, ctx)) out.push_back(std::move(*spec));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

NameSet declared_notifiers(const toml::table& notifiers) {
  NameSet names;
  // Every name, also one whose value is not a table: it was meant as a notifier, and its error
  // is already reported there.
  for (auto&& [k, v] : notifiers) names.emplace(k.str());
  return names;
}

}  // namespace hale::config
