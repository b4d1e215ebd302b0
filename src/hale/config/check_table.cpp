// One check table at a time: its type first, then every key through the key table, then what
// the type requires and the rules that tie two keys together (timeout within interval, ...).
#include "hale/config/check_table.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

#include "hale/config/check_keys.h"
#include "hale/config/levenshtein.h"
#include "hale/config/names.h"
#include "hale/config/toml_reader.h"

namespace hale::config {

namespace {

using TypeName = Word<CheckType>;

// The words `type` takes: every check type's own (config.h), and `https`, an alias for http (the
// scheme of `url` decides TLS).
constexpr auto kTypeNames = [] {
  std::array<TypeName, kCheckTypeWords.size() + 1> all{};
  all[0] = kCheckTypeWords[0];
  all[1] = TypeName{"https", CheckType::kHttp};
  for (std::size_t i = 1; i < kCheckTypeWords.size(); ++i) all[i + 1] = kCheckTypeWords[i];
  return all;
}();

// The names alone, for did-you-mean.
constexpr auto kTypeWords = [] {
  std::array<std::string_view, kTypeNames.size()> words{};
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) words[i] = kTypeNames[i].name;
  return words;
}();

// "a tcp check", "an http check", "an exec check".
std::string a_check_of(CheckType t) {
  const std::string_view name = to_string(t);
  const bool vowel_sound = name == "http" || name == "exec" || name == "expiry";
  return std::string(vowel_sound ? "an " : "a ") + std::string(name) + " check";
}

// What `type` said: a type to read the check as, or nullopt (already reported).
std::optional<TypeName> read_type(std::string_view check, const toml::table& table, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const toml::node* node = table.get("type");
  if (node == nullptr) {
    d.add(table, "check \"" + std::string(check) + "\" needs `type` (one of http, https, tcp, exec, dns, tls, grpc, expiry)");
    return {};
  }
  auto text = read_string(*node, "type", d);
  if (!text) return {};
  for (const TypeName& t : kTypeNames) {
    if (t.name == *text) return t;
  }
  std::string message = "unknown check type \"" + *text + "\" (expected one of http, https, tcp, exec, dns, tls, grpc, expiry)";
  if (auto guess = did_you_mean(*text, kTypeWords)) message += "; did you mean \"" + *guess + "\"?";
  d.add(*node, std::move(message));
  return {};
}

// The position of the first of `keys` written in this table, if any.
std::optional<SourcePos> written(const KeyPositions& at, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    if (auto it = at.find(k); it != at.end()) return it->second;
  }
  return std::nullopt;
}

// Rules between keys, checked on the merged spec but reported only where one of the keys was
// written: a conflict that comes whole from [defaults] is reported there, once.
void check_key_rules(const CheckSpec& s, const KeyPositions& at, Diagnostics& d) {
  // A timeout longer than the interval is allowed (as in Kubernetes): probes of one check never
  // overlap, the next one is scheduled when the previous result is in.
  auto check_thresholds = [&](const auto& k) {
    // Equal thresholds would leave no degraded window before the failure.
    if (k.fail_before < k.warn_before) return;
    if (auto pos = written(at, {"fail_before", "warn_before"})) {
      d.add(*pos, "fail_before (" + format_duration(k.fail_before) + ") must be less than warn_before (" +
                      format_duration(k.warn_before) + ")");
    }
  };
  if (const auto* tls = s.as<TlsCheck>()) check_thresholds(*tls);
  if (const auto* expiry = s.as<ExpiryCheck>()) check_thresholds(*expiry);
  const HttpCheck* http = s.as<HttpCheck>();
  if (http == nullptr) return;
  // Slower than the timeout is already a failure: such a max_latency could never warn.
  if (http->max_latency && *http->max_latency >= s.timeout) {
    if (auto pos = written(at, {"max_latency", "timeout"})) {
      d.add(*pos, "max_latency (" + format_duration(*http->max_latency) + ") must be less than timeout (" +
                      format_duration(s.timeout) + ")");
    }
  }
  if (http->method == "HEAD" && (http->expect_body || http->expect_json)) {
    if (auto pos = written(at, {"expect_body", "expect_json", "method"})) {
      d.add(*pos, "a HEAD response has no body: `expect_body` and `expect_json` need another method");
    }
  }
}

// What [defaults] gives a check of this type: [defaults] is read as an http check, so an http
// check takes its keys whole; a tls check its TLS settings (ca_file, insecure_skip_verify); a
// grpc check ca_file (used with `tls = true`), not insecure_skip_verify, which it does not have:
// it always verifies. Other types take none, so that an http [defaults] setting never makes a
// tcp or exec check look "changed" on reload.
CheckKind kind_from_defaults(CheckType type, const CheckSpec& defaults) {
  CheckKind kind = default_kind(type);
  const HttpCheck* given = defaults.as<HttpCheck>();
  if (given == nullptr) return kind;
  if (auto* http = std::get_if<HttpCheck>(&kind)) *http = *given;
  if (auto* tls = std::get_if<TlsCheck>(&kind)) {
    tls->ca_file = given->ca_file;
    tls->insecure_skip_verify = given->insecure_skip_verify;
  }
  if (auto* grpc = std::get_if<GrpcCheck>(&kind)) grpc->ca_file = given->ca_file;
  return kind;
}

}  // namespace


CheckSpec read_defaults(const toml::table& table, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const std::size_t errors_before = d.size();
  CheckSpec spec;
  KeyPositions at;
  for (auto&& [k, v] : table) {
    const CheckKey* key = find_check_key(k.str());
    if (key == nullptr) {
      report_unknown_key(k, "in [defaults]", check_key_names(), d);
      continue;
    }
    if (!key->in_defaults) {
      d.add(k, backticked(k.str()) + " cannot be set in [defaults]; set it in each [checks.NAME]");
      continue;
    }
    const std::size_t before = d.size();
    key->apply(KeyCall{v, k.str(), spec, ctx});
    if (d.size() == before) at.emplace(k.str(), position_of(v));
  }
  // [defaults] is read as an http check (CheckSpec's default kind): the http rules apply to
  // what it gives http checks.
  if (d.size() == errors_before) check_key_rules(spec, at, d);
  return spec;
}

std::optional<CheckSpec> read_check(std::string_view name, const toml::table& table, const CheckSpec& defaults,
                                    LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const std::size_t errors_before = d.size();
  if (auto problem = name_problem("check", name)) d.add(table, *problem);
  const std::optional<TypeName> type = read_type(name, table, ctx);

  CheckSpec spec = defaults;
  spec.name = std::string(name);
  spec.pos = position_of(table);
  spec.kind = kind_from_defaults(type ? type->value : CheckType::kHttp, defaults);

  KeyPositions at;
  for (auto&& [k, v] : table) {
    if (k.str() == "type") continue;
    const CheckKey* key = find_check_key(k.str());
    if (key == nullptr) {
      report_unknown_key(k, "in [checks." + std::string(name) + "]", check_key_names(), d);
      continue;
    }
    // With an unknown type, every key is still read for its own errors, but none is "wrong type".
    if (type && (key->types & type_bit(type->value)) == 0) {
      d.add(k, backticked(k.str()) + " does not apply to " + a_check_of(type->value));
      continue;
    }
    const std::size_t before = d.size();
    key->apply(KeyCall{v, k.str(), spec, ctx});
    if (d.size() == before) at.emplace(k.str(), position_of(v));
  }
  if (!type) return std::nullopt;
  if (spec.guard_code.empty()) spec.guard_code = default_guard_code(name);

  // What each type cannot run without, reported at the table.
  const std::string prefix = "check \"" + std::string(name) + "\": type \"" + std::string(type->name) + "\" needs ";
  if (type->value == CheckType::kTcp && table.get("target") == nullptr) d.add(table, prefix + "`target` (host:port)");
  if (type->value == CheckType::kHttp && table.get("url") == nullptr) d.add(table, prefix + "`url`");
  if (type->value == CheckType::kExec && table.get("command") == nullptr) {
    d.add(table, prefix + "`command` (an argv array)");
  }
  if (type->value == CheckType::kTls) {
    const toml::node* target = table.get("target");
    const toml::node* file = table.get("file");
    if (target == nullptr && file == nullptr) {
      d.add(table, prefix + "`target` (host:port) or `file` (a PEM certificate chain)");
    } else if (target != nullptr && file != nullptr) {
      // Reported at whichever of the two comes second in the file.
      const SourcePos tp = position_of(*target), fp = position_of(*file);
      const bool file_second = std::tie(fp.line, fp.column) > std::tie(tp.line, tp.column);
      d.add(file_second ? *file : *target, "`target` and `file` cannot both be set: a tls check reads one chain");
    } else if (file != nullptr) {
      if (const toml::node* sn = table.get("server_name")) {
        d.add(*sn, "`server_name` needs `target`: a chain read from `file` is not checked against a name");
      }
    }
  }
  if (type->value == CheckType::kDns && table.get("name") == nullptr) {
    d.add(table, prefix + "`name` (the name to resolve)");
  }
  if (const auto* dns = spec.as<DnsCheck>()) check_dns_expect(*dns, table, d);
  if (auto* expiry = spec.as<ExpiryCheck>()) check_expiry_table(name, *expiry, table, d);
  if (auto* grpc = spec.as<GrpcCheck>()) {
    check_grpc_table(*grpc, table, prefix, d);
    // A plaintext check has no use for a ca_file from [defaults]: left out, so that changing it
    // does not count as a change of this check on reload.
    if (!grpc->tls) grpc->ca_file.clear();
  }
  if (d.size() != errors_before) return std::nullopt;
  check_key_rules(spec, at, d);
  if (d.size() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace hale::config
