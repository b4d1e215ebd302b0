// The readers of [notifiers.NAME] keys (see notifier_keys.h): URLs by scheme, the secrets,
// webhook headers, the exec argv, TLS settings, timeout and retry. The email keys are in
// notifier_email_keys.cpp.
#include "hale/config/notifier_keys.h"
#include "hale/config/backoff_keys.h"

#include "hale/config/credential_headers.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "hale/config/check_keys.h"
#include "hale/config/toml_reader.h"
#include "hale/config/url_check.h"
#include "hale/config/url_userinfo.h"
#include "hale/text/ascii.h"

namespace hale::config {

namespace {


// Headers the webhook sender writes itself: a second one would break the request's framing or
// forge its signature.
constexpr std::array<std::string_view, 3> kReservedHeaders{"content-length", "transfer-encoding",
                                                           "x-hale-signature-256"};

// RFC 9110 `token`: the characters a header name may have.
bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// What is wrong with `url` for a notifier of type `t`, said of the value without showing it.
std::optional<std::string> url_problem(NotifierType t, std::string_view url) {
  const bool email = t == NotifierType::kEmail;
  if (has_space_or_control(url)) return "must not contain spaces or control characters";
  auto problem = email ? config::url_problem(url, {"smtp", "smtps"}) : config::url_problem(url, {"http", "https"});
  if (problem) return problem;
  const std::size_t host_at = url.find("://") + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", host_at), url.size());
  if (t == NotifierType::kNtfy) {
    // ntfy publishes to a topic named by the path: https://ntfy.sh/TOPIC.
    const std::string_view path = url.substr(authority_end);
    if (path.size() <= 1 || path[0] != '/' || path[1] == '?' || path[1] == '#') {
      return "must name a topic (https://HOST/TOPIC)";
    }
  }
  return std::nullopt;
}

// One URL of `key`: resolved, registered as a secret whole (a Slack or Discord URL is the
// credential) and by its userinfo password, then checked against the type when it is known.
std::optional<std::string> read_url(const toml::node& v, std::string_view key, const NotifierCall& c) {
  auto text = read_nonempty_string(v, key, c.diagnostics());
  if (!text) return std::nullopt;
  auto url = c.ctx.resolve_value(v, key, *text);
  if (!url) return std::nullopt;
  c.ctx.add_secret(*url);
  if (auto span = url_userinfo_secret(*url)) c.ctx.add_secret(url->substr(span->pos, span->size));
  if (!c.type_known) return url;
  if (auto problem = url_problem(c.spec.type, *url)) {
    c.diagnostics().add(v, value_of(key, *text) + " " + *problem);
    return std::nullopt;
  }
  return url;
}

// A secret value (secret, token, password): resolved, not empty, registered for the redactor.
// `header`: it goes into a request header, where a line break would smuggle in another.
std::optional<std::string> read_secret(const NotifierCall& c, bool header) {
  Diagnostics& d = c.diagnostics();
  auto text = read_nonempty_string(c.value, c.key, d);
  if (!text) return std::nullopt;
  auto value = c.ctx.resolve_value(c.value, c.key, *text);
  if (!value) return std::nullopt;
  if (value->empty()) {
    d.add(c.value, value_of(c.key, *text) + " is empty");
    return std::nullopt;
  }
  if (header && has_line_break_or_nul(*value)) {
    d.add(c.value, value_of(c.key, *text) + " must not contain a line break or a NUL byte");
    return std::nullopt;
  }
  c.ctx.add_secret(*value);
  return value;
}

}  // namespace

bool has_line_break_or_nul(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

bool has_space_or_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string value_of(std::string_view key, std::string_view written) {
  if (written.starts_with("env:") || written.starts_with("file:")) {
    return "the value of " + backticked(key) + " (" + std::string(written) + ")";
  }
  return backticked(key);
}

void apply_notifier_url(const NotifierCall& c) {
  if (auto url = read_url(c.value, c.key, c)) c.spec.urls.push_back(std::move(*url));
}

void apply_notifier_urls(const NotifierCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* list = read_array(c.value, c.key, d);
  if (list == nullptr) return;
  if (list->empty()) {
    d.add(c.value, backticked(c.key) + " must list at least one URL");
    return;
  }
  std::vector<std::string> urls;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto url = read_url(*list->get(i), std::string(c.key) + "[" + std::to_string(i) + "]", c);
    if (!url) {
      ok = false;
      continue;
    }
    // The same member twice would get every alert twice.
    if (std::find(urls.begin(), urls.end(), *url) == urls.end()) urls.push_back(std::move(*url));
  }
  if (ok) c.spec.urls = std::move(urls);
}

void apply_notifier_secret(const NotifierCall& c) {
  if (auto secret = read_secret(c, /*header=*/false)) c.spec.secret = std::move(*secret);
}

void apply_notifier_token(const NotifierCall& c) {
  if (auto token = read_secret(c, /*header=*/true)) c.spec.token = std::move(*token);
}

void apply_notifier_password(const NotifierCall& c) {
  if (auto password = read_secret(c, /*header=*/false)) c.spec.password = std::move(*password);
}

void apply_notifier_headers(const NotifierCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* table = read_table(c.value, c.key, d);
  if (table == nullptr) return;
  std::vector<std::pair<std::string, std::string>> headers;
  bool ok = true;
  for (auto&& [k, v] : *table) {
    const std::string name(k.str());
    const std::string key = std::string(c.key) + "." + name;
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      d.add(k, "header name \"" + name + "\" is not a valid HTTP header name");
      ok = false;
      continue;
    }
    if (std::find(kReservedHeaders.begin(), kReservedHeaders.end(), ascii_lower(name)) != kReservedHeaders.end()) {
      d.add(k, "header " + name + " is set by hale; leave it out of `headers`");
      ok = false;
      continue;
    }
    auto text = read_string(v, key, d);
    if (!text) {
      ok = false;
      continue;
    }
    auto value = c.ctx.resolve_value(v, key, *text);
    if (!value) {
      ok = false;
      continue;
    }
    if (has_line_break_or_nul(*value)) {
      d.add(v, value_of(key, *text) + " must not contain a line break or a NUL byte");
      ok = false;
      continue;
    }
    // Receivers take API keys in headers: a credential header's value is a secret, inline or
    // not (an env:/file: value is one already); "X-Env: prod" stays readable in the logs.
    if (is_credential_header(name)) c.ctx.add_secret(*value);
    headers.emplace_back(name, std::move(*value));
  }
  if (ok) c.spec.headers = std::move(headers);
}

void apply_notifier_command(const NotifierCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* argv = c.value.as_array();
  if (argv == nullptr) {
    // A string would need a shell to split it: argv, never a shell (as for exec checks).
    d.add(c.value, backticked(c.key) + " must be an array of strings (argv, never a shell), not " +
                       std::string(type_name(c.value)));
    return;
  }
  if (argv->empty()) {
    d.add(c.value, backticked(c.key) + " must not be empty");
    return;
  }
  std::vector<std::string> command;
  bool ok = true;
  for (std::size_t i = 0; i < argv->size(); ++i) {
    const std::string element = std::string(c.key) + "[" + std::to_string(i) + "]";
    auto arg = read_string(*argv->get(i), element, d);
    if (!arg) {
      ok = false;
      continue;
    }
    if (i == 0 && arg->empty()) {
      d.add(*argv->get(i), backticked(element) + " (the program) must not be empty");
      ok = false;
      continue;
    }
    command.push_back(std::move(*arg));
  }
  if (ok) c.spec.command = std::move(command);
}

void apply_notifier_ca_file(const NotifierCall& c) {
  if (auto path = c.ctx.read_readable_path(c.value, c.key)) c.spec.ca_file = std::move(*path);
}

void apply_notifier_insecure_skip_verify(const NotifierCall& c) {
  if (auto b = read_bool(c.value, c.key, c.diagnostics())) c.spec.tls_verify = !*b;
}

void apply_notifier_timeout(const NotifierCall& c) {
  if (auto t = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) c.spec.timeout = *t;
}

void apply_notifier_retry(const NotifierCall& c) {
  const auto* table = read_table(c.value, c.key, c.diagnostics());
  if (table == nullptr) return;
  static constexpr std::string_view kOwnKeys[] = {"give_up_after"};
  RetryPolicy retry;
  const bool ok = read_backoff(*table, c.key, BackoffRules{.jitter = JitterForm::kShare, .extra_keys = kOwnKeys}, retry,
                               c.diagnostics(), [&](std::string_view key, const toml::node& v, const std::string& name) {
                                 if (key != "give_up_after") return false;
                                 if (auto after = read_duration(v, name, c.diagnostics(), /*positive=*/true)) {
                                   retry.give_up_after = *after;
                                 }
                                 return true;
                               });
  if (ok) c.spec.retry = retry;
}

// SPEC §7: whether drills' alerts are delivered to it (otherwise they are recorded only).
void apply_notifier_drills(const NotifierCall& c) {
  if (auto b = read_bool(c.value, c.key, c.diagnostics())) c.spec.drills = *b;
}

void apply_notifier_description(const NotifierCall& c) { read_string(c.value, c.key, c.diagnostics()); }

}  // namespace hale::config
