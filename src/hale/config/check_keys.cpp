// The check key table, and the keys every check type shares (timing, thresholds, groups,
// backoff) plus the tcp and exec targets. HTTP's own keys are in http_keys.cpp.
#include "hale/config/check_keys.h"

#include "hale/config/backoff_keys.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <string>

#include "hale/config/levenshtein.h"
#include "hale/config/toml_reader.h"
#include "hale/net/host_port.h"

namespace hale::config {

namespace {

// `type` is read first (it decides which other keys apply); `target`, `url`, `command`, the dns
  // keys, the grpc keys, the expiry keys and the body matchers name one service each, so a default
  // for them would be a mistake.
constexpr std::array kCheckKeys{
    CheckKey{"type", kAnyType, false, nullptr},
    CheckKey{"target", kTcp | kTls | kGrpc, false, apply_target},
    CheckKey{"file", kTls, false, apply_file},
    CheckKey{"server_name", kTls | kGrpc, false, apply_server_name},
    CheckKey{"warn_before", kTls | kExpiry, false, apply_warn_before},
    CheckKey{"fail_before", kTls | kExpiry, false, apply_fail_before},
    CheckKey{"url", kHttp | kExpiry, false, apply_url},
    CheckKey{"source", kExpiry, false, apply_source},
    CheckKey{"format", kExpiry, false, apply_format},
    CheckKey{"json_pointer", kExpiry, false, apply_json_pointer},
    CheckKey{"command", kExec, false, apply_command},
    CheckKey{"name", kDns, false, apply_dns_name},
    CheckKey{"record_type", kDns, false, apply_record_type},
    CheckKey{"expect", kDns, false, apply_dns_expect},
    CheckKey{"server", kDns, false, apply_dns_server},
    CheckKey{"service", kGrpc, false, apply_grpc_service},
    CheckKey{"tls", kGrpc, false, apply_grpc_tls},
    CheckKey{"interval", kAnyType, true, apply_interval},
    CheckKey{"timeout", kAnyType, true, apply_timeout},
    CheckKey{"failure_threshold", kAnyType, true, apply_failure_threshold},
    CheckKey{"success_threshold", kAnyType, true, apply_success_threshold},
    CheckKey{"failure_duration", kAnyType, true, apply_failure_duration},
    CheckKey{"start_period", kAnyType, true, apply_start_period},
    CheckKey{"jitter", kAnyType, true, apply_jitter},
    CheckKey{"critical", kAnyType, true, apply_critical},
    CheckKey{"groups", kAnyType, true, apply_groups},
    CheckKey{"backoff", kAnyType, true, apply_backoff},
    CheckKey{"expect_status", kHttp, true, apply_expect_status},
    CheckKey{"expect_body", kHttp, false, apply_expect_body},
    CheckKey{"expect_json", kHttp, false, apply_expect_json},
    CheckKey{"max_latency", kHttp, true, apply_max_latency},
    CheckKey{"method", kHttp, true, apply_method},
    CheckKey{"headers", kHttp, true, apply_headers},
    CheckKey{"ca_file", kHttp | kTls | kGrpc, true, apply_ca_file},
    CheckKey{"insecure_skip_verify", kHttp | kTls, true, apply_insecure_skip_verify},
    CheckKey{"keepalive", kHttp, true, apply_keepalive},
    CheckKey{"guard_code", kAnyType, false, apply_guard_code},
    CheckKey{"latency_budget", kAnyType, false, apply_latency_budget},
    CheckKey{"depends_on", kAnyType, false, apply_check_depends_on},
};

constexpr auto kCheckKeyNames = [] {
  std::array<std::string_view, kCheckKeys.size()> names{};
  for (std::size_t i = 0; i < kCheckKeys.size(); ++i) names[i] = kCheckKeys[i].name;
  return names;
}();

int to_int(std::int64_t n) { return static_cast<int>(n); }

}  // namespace

std::span<const CheckKey> check_keys() { return kCheckKeys; }
std::span<const std::string_view> check_key_names() { return kCheckKeyNames; }

const CheckKey* find_check_key(std::string_view name) {
  for (const CheckKey& k : kCheckKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

void apply_target(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (auto read = read_host_port(*text, /*allow_port_zero=*/false); !read) {
    c.diagnostics().add(c.value, backticked(c.key) + " \"" + *text + "\": " + read.status().message());
    return;
  }
  set_on<TcpCheck, TlsCheck, GrpcCheck>(c.spec, [&](auto& k) { k.target = *text; });
}

void apply_command(const KeyCall& c) {
  const auto* argv = c.value.as_array();
  if (argv == nullptr) {
    // `command = "check_disk -w 20%"` would need a shell to split it; SPEC §1: argv, never a shell.
    c.diagnostics().add(c.value, backticked(c.key) + " must be an array of strings (argv, never a shell), not " +
                                     std::string(type_name(c.value)));
    return;
  }
  if (argv->empty()) {
    c.diagnostics().add(c.value, backticked(c.key) + " must not be empty");
    return;
  }
  std::vector<std::string> command;
  bool ok = true;
  for (std::size_t i = 0; i < argv->size(); ++i) {
    const std::string element = std::string(c.key) + "[" + std::to_string(i) + "]";
    auto arg = read_string(*argv->get(i), element, c.diagnostics());
    if (!arg) {
      ok = false;
      continue;
    }
    if (i == 0 && arg->empty()) {
      c.diagnostics().add(*argv->get(i), backticked(element) + " (the program) must not be empty");
      ok = false;
    }
    command.push_back(std::move(*arg));
  }
  if (ok) set_on<ExecCheck>(c.spec, [&](ExecCheck& k) { k.command = std::move(command); });
}

void apply_interval(const KeyCall& c) {
  if (auto d = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) c.spec.interval = *d;
}

void apply_timeout(const KeyCall& c) {
  if (auto d = read_duration(c.value, c.key, c.diagnostics(), /*positive=*/true)) c.spec.timeout = *d;
}

void apply_failure_threshold(const KeyCall& c) {
  if (auto n = read_integer(c.value, c.key, 1, INT_MAX, c.diagnostics())) c.spec.failure_threshold = to_int(*n);
}

void apply_success_threshold(const KeyCall& c) {
  if (auto n = read_integer(c.value, c.key, 1, INT_MAX, c.diagnostics())) c.spec.success_threshold = to_int(*n);
}

void apply_failure_duration(const KeyCall& c) {
  if (auto d = read_duration(c.value, c.key, c.diagnostics())) c.spec.failure_duration = *d;
}

void apply_start_period(const KeyCall& c) {
  if (auto d = read_duration(c.value, c.key, c.diagnostics())) c.spec.start_period = *d;
}

std::optional<Jitter> parse_jitter(std::string_view text) {
  Jitter j;
  if (text.ends_with('%')) {
    // A share of the interval: "10%", "2.5%". from_chars rejects signs, spaces and hex.
    const std::string_view number = text.substr(0, text.size() - 1);
    if (number.empty() || !(number.front() >= '0' && number.front() <= '9')) return std::nullopt;
    double percent = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), percent,
                                           std::chars_format::fixed);
    if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
    if (percent > 100) return std::nullopt;
    j.is_fraction = true;
    j.fraction = percent / 100;
    j.absolute = Duration::zero();
    return j;
  }
  auto d = parse_duration(text);
  if (!d) return std::nullopt;
  j.is_fraction = false;
  j.fraction = 0;
  j.absolute = *d;
  return j;
}

void apply_jitter(const KeyCall& c) {
  auto text = read_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  auto jitter = parse_jitter(*text);
  if (!jitter) {
    c.diagnostics().add(c.value, backticked(c.key) + ": invalid value \"" + *text +
                                     "\" (use a duration like \"2s\" or a share of interval from \"0%\" to \"100%\")");
    return;
  }
  c.spec.jitter = *jitter;
}

void apply_critical(const KeyCall& c) {
  if (auto b = read_bool(c.value, c.key, c.diagnostics())) c.spec.critical = *b;
}

void apply_groups(const KeyCall& c) {
  const auto* list = read_array(c.value, c.key, c.diagnostics());
  if (list == nullptr) return;
  std::vector<std::string> groups;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& element = *list->get(i);
    auto name = read_string(element, std::string(c.key) + "[" + std::to_string(i) + "]", c.diagnostics());
    if (!name) {
      ok = false;
      continue;
    }
    if (!c.ctx.has_group(*name)) {
      // A typo in a group would silently take the check out of /readyz: an error, never a new group.
      std::string message = "unknown group \"" + *name + "\"";
      const auto known = c.ctx.group_names();
      if (auto guess = did_you_mean(*name, known)) message += "; did you mean \"" + *guess + "\"?";
      message += " (a custom group needs a [groups." + *name + "] table)";
      c.diagnostics().add(element, std::move(message));
      ok = false;
      continue;
    }
    // Listing a group twice means nothing more than once.
    if (std::find(groups.begin(), groups.end(), *name) == groups.end()) groups.push_back(std::move(*name));
  }
  if (ok) c.spec.groups = std::move(groups);
}

void apply_backoff(const KeyCall& c) {
  const auto* table = read_table(c.value, c.key, c.diagnostics());
  if (table == nullptr) return;
  static constexpr std::string_view kOwnKeys[] = {"max_retries"};
  BackoffPolicy policy;
  const bool ok = read_backoff(*table, c.key, BackoffRules{.jitter = JitterForm::kDuration, .extra_keys = kOwnKeys}, policy,
                               c.diagnostics(), [&](std::string_view key, const toml::node& v, const std::string& name) {
                                 if (key != "max_retries") return false;
                                 if (auto n = read_integer(v, name, 0, INT_MAX, c.diagnostics())) policy.max_retries = to_int(*n);
                                 return true;
                               });
  if (ok) c.spec.backoff = policy;
}



}  // namespace hale::config
