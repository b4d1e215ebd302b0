// The keys of an http check: what to request (url, method, headers, TLS) and what counts as a
// pass (expect_status, expect_body, expect_json, max_latency).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "hale/config/check_keys.h"
#include "hale/config/credential_headers.h"
#include "hale/config/levenshtein.h"
#include "hale/config/secret_parts.h"
#include "hale/config/toml_reader.h"
#include "hale/config/url_check.h"
#include "hale/config/url_userinfo.h"
#include "hale/text/ascii.h"
#include "hale/text/regex_guard.h"

namespace hale::config {

namespace {

// libstdc++ compiles (and matches) std::regex recursively: a pattern nested tens of thousands
// deep overflows the stack. A body check matches a marker, never a page; this is plenty.
constexpr std::size_t kMaxPatternBytes = 1024;

constexpr std::array<std::string_view, 7> kMethods{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};

// Header values that carry credentials even when written inline: they go to the log redactor.

// RFC 9110 `token`: the characters a header name may have.
bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// One expect_status entry: 200, "200", "200-399" or "2xx".
std::optional<StatusRange> parse_status_text(std::string_view s) {
  auto number = [](std::string_view t) -> std::optional<int> {
    if (t.size() != 3 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return (t[0] - '0') * 100 + (t[1] - '0') * 10 + (t[2] - '0');
  };
  if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && ascii_lower(s.substr(1)) == "xx") {
    const int hundred = (s[0] - '0') * 100;
    return StatusRange{hundred, hundred + 99};
  }
  const std::size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    auto n = number(s);
    if (!n) return std::nullopt;
    return StatusRange{*n, *n};
  }
  auto lo = number(s.substr(0, dash));
  auto hi = number(s.substr(dash + 1));
  if (!lo || !hi) return std::nullopt;
  return StatusRange{*lo, *hi};
}

std::optional<StatusRange> read_status(const toml::node& v, std::string_view key, Diagnostics& d) {
  std::optional<StatusRange> range;
  if (const auto* i = v.as_integer()) {
    const auto n = i->get();
    if (n >= 100 && n <= 599) return StatusRange{static_cast<int>(n), static_cast<int>(n)};
    d.add(v, backticked(key) + ": " + std::to_string(n) + " is not an HTTP status (100-599)");
    return std::nullopt;
  }
  const auto* s = v.as_string();
  if (s == nullptr) {
    d.add(v, backticked(key) + " must be a status (200), a range (\"200-399\", \"2xx\") or a list of them, not " +
                 std::string(type_name(v)));
    return std::nullopt;
  }
  range = parse_status_text(s->get());
  if (!range) {
    d.add(v, backticked(key) + ": invalid status \"" + s->get() + "\" (use 200, \"200-399\" or \"2xx\")");
    return std::nullopt;
  }
  if (range->lo < 100 || range->hi > 599) {
    d.add(v, backticked(key) + ": \"" + s->get() + "\" is not an HTTP status (100-599)");
    return std::nullopt;
  }
  if (range->lo > range->hi) {
    d.add(v, backticked(key) + ": range \"" + s->get() + "\" is backwards");
    return std::nullopt;
  }
  return range;
}

// A TOML value as JSON: `expect_json = { status = "ok" }` means the JSON object {"status":"ok"}.
nlohmann::json to_json(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: {
      auto out = nlohmann::json::object();
      for (auto&& [k, v] : *n.as_table()) out[std::string(k.str())] = to_json(v);
      return out;
    }
    case toml::node_type::array: {
      auto out = nlohmann::json::array();
      for (const toml::node& e : *n.as_array()) out.push_back(to_json(e));
      return out;
    }
    case toml::node_type::string: return n.as_string()->get();
    case toml::node_type::integer: return n.as_integer()->get();
    case toml::node_type::floating_point: return n.as_floating_point()->get();
    case toml::node_type::boolean: return n.as_boolean()->get();
    default: {
      // Dates and times have no JSON type; a body would carry them as strings.
      std::ostringstream text;
      n.visit([&](auto&& value) { text << value; });
      return text.str();
    }
  }
}

}  // namespace

void apply_url(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  auto url = c.ctx.resolve_value(c.value, c.key, *text);
  if (!url) return;
  // The URL may be a secret (env:/file:): messages name the key, never the value.
  if (auto problem = url_problem(*url, {"http", "https"})) {
    c.diagnostics().add(c.value, backticked(c.key) + " " + *problem);
    return;
  }
  // Credentials in the URL itself are secrets too, even when the URL was written inline.
  if (auto span = url_userinfo_secret(*url)) c.ctx.add_secret(url->substr(span->pos, span->size));
  // ?apikey=..., ?token=...: credentials even in a URL written inline.
  for (std::string& v : credential_query_values(*url)) c.ctx.add_secret(std::move(v));
  const bool is_secret = text->rfind("env:", 0) == 0 || text->rfind("file:", 0) == 0;
  set_on<HttpCheck, ExpiryCheck>(c.spec, [&](auto& k) {
    k.url = std::move(*url);
    k.url_is_secret = is_secret;
  });
}

void apply_expect_status(const KeyCall& c) {
  std::vector<StatusRange> ranges;
  if (const auto* list = c.value.as_array()) {
    if (list->empty()) {
      c.diagnostics().add(c.value, backticked(c.key) + " must list at least one status");
      return;
    }
    bool ok = true;
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto r = read_status(*list->get(i), c.key, c.diagnostics());
      if (r) ranges.push_back(*r);
      ok = ok && r.has_value();
    }
    if (!ok) return;
  } else {
    auto r = read_status(c.value, c.key, c.diagnostics());
    if (!r) return;
    ranges.push_back(*r);
  }
  set_on<HttpCheck>(c.spec, [&](HttpCheck& k) { k.expect_status = std::move(ranges); });
}

void apply_expect_body(const KeyCall& c) {
  auto pattern = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!pattern) return;
  if (pattern->size() > kMaxPatternBytes) {
    c.diagnostics().add(c.value, backticked(c.key) + " is longer than 1024 bytes; match a short marker, not a page");
    return;
  }
  // Compiled here as the probe compiles it, only to refuse a bad pattern at load time.
  if (auto compiled = compile_body_regex(*pattern); !compiled) {
    c.diagnostics().add(c.value, backticked(c.key) + " is not a valid regular expression: " + compiled.status().message());
    return;
  }
  set_on<HttpCheck>(c.spec, [&](HttpCheck& k) { k.expect_body = std::move(*pattern); });
}

void apply_expect_json(const KeyCall& c) {
  nlohmann::json expected;
  if (c.value.is_table()) {
    expected = to_json(c.value);
  } else if (const auto* s = c.value.as_string()) {
    try {
      expected = nlohmann::json::parse(s->get());
    } catch (const nlohmann::json::parse_error& e) {
      // e.what() is "[json.exception.parse_error.101] parse error at line 1, ...": keep the useful half.
      std::string why = e.what();
      if (const auto at = why.find("] "); at != std::string::npos) why = why.substr(at + 2);
      c.diagnostics().add(c.value, backticked(c.key) + " is not valid JSON: " + why);
      return;
    }
  } else {
    c.diagnostics().add(c.value, backticked(c.key) + " must be a table or a string holding JSON, not " +
                                     std::string(type_name(c.value)));
    return;
  }
  set_on<HttpCheck>(c.spec, [&](HttpCheck& k) { k.expect_json = expected.dump(); });
}

void apply_max_latency(const KeyCall& c) {
  if (auto d = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) set_on<HttpCheck>(c.spec, [&](HttpCheck& k) { k.max_latency = *d; });
}

void apply_method(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  // HTTP methods are case-sensitive on the wire, but nobody means a different method by "get".
  std::string method = *text;
  for (char& ch : method) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    std::string message = "unknown method \"" + *text + "\" (expected one of GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH)";
    if (auto guess = did_you_mean(method, kMethods)) message += "; did you mean \"" + *guess + "\"?";
    c.diagnostics().add(c.value, std::move(message));
    return;
  }
  set_on<HttpCheck>(c.spec, [&](HttpCheck& k) { k.method = std::move(method); });
}

void apply_headers(const KeyCall& c) {
  const auto* table = read_table(c.value, c.key, c.diagnostics());
  if (table == nullptr) return;
  Diagnostics& d = c.diagnostics();
  for (auto&& [k, v] : *table) {
    const std::string name(k.str());
    const std::string key = std::string(c.key) + "." + name;
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      d.add(k, "header name \"" + name + "\" is not a valid HTTP header name");
      continue;
    }
    auto text = read_string(v, key, d);
    if (!text) continue;
    auto value = c.ctx.resolve_value(v, key, *text);
    if (!value) continue;
    // A line break would smuggle a second header (or a body) into every probe request.
    if (value->find_first_of("\r\n") != std::string::npos || value->find('\0') != std::string::npos) {
      d.add(v, backticked(key) + " must not contain a line break or a NUL byte");
      continue;
    }
    const std::string lowered = ascii_lower(name);
    if (is_credential_header(name)) c.ctx.add_secret(*value);  // env:/file: values are already
    // A check's header replaces a [defaults] header of the same name (names are case-insensitive).
    HttpCheck* http = c.spec.as<HttpCheck>();
    if (http == nullptr) continue;
    auto& headers = http->headers;
    auto same = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return ascii_lower(h.first) == lowered; });
    if (same != headers.end()) {
      *same = {name, std::move(*value)};
    } else {
      headers.emplace_back(name, std::move(*value));
    }
  }
}

void apply_ca_file(const KeyCall& c) {
  if (auto path = c.ctx.read_readable_path(c.value, c.key)) set_on<HttpCheck, TlsCheck, GrpcCheck>(c.spec, [&](auto& k) { k.ca_file = *path; });
}

void apply_insecure_skip_verify(const KeyCall& c) {
  if (auto b = read_bool(c.value, c.key, c.diagnostics())) set_on<HttpCheck, TlsCheck>(c.spec, [&](auto& k) { k.insecure_skip_verify = *b; });
}

void apply_keepalive(const KeyCall& c) {
  if (auto b = read_bool(c.value, c.key, c.diagnostics())) set_on<HttpCheck>(c.spec, [&](auto& k) { k.keepalive = *b; });
}

}  // namespace hale::config
