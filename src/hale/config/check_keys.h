// The keys of a check table ([defaults] and [checks.NAME]): which exist, which check types they
// apply to, which may be defaults, and how each one is read into a CheckSpec.
#pragma once

#include <span>
#include <string_view>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// One key being read: its value, its name, and where it goes.
struct KeyCall {
  const toml::node& value;
  std::string_view key;
  CheckSpec& spec;
  LoadContext& ctx;
  Diagnostics& diagnostics() const { return ctx.diagnostics(); }
};
using ApplyKey = void (*)(const KeyCall&);

// Calls set(kind) when the check is of one of the kinds Ks: a key is read (and its errors
// reported) whatever the type, and kept only where it belongs. With an unknown type the spec is
// still an HttpCheck, so the keys of other types are checked and dropped.
template <class... Ks, class Set>
void set_on(CheckSpec& spec, Set&& set) {
  (
      [&] {
        if (Ks* k = spec.as<Ks>()) set(*k);
      }(),
      ...);
}

constexpr unsigned type_bit(CheckType t) { return 1u << static_cast<unsigned>(t); }
inline constexpr unsigned kAnyType = ~0u;
inline constexpr unsigned kHttp = type_bit(CheckType::kHttp);
inline constexpr unsigned kTcp = type_bit(CheckType::kTcp);
inline constexpr unsigned kExec = type_bit(CheckType::kExec);
inline constexpr unsigned kTls = type_bit(CheckType::kTls);
inline constexpr unsigned kDns = type_bit(CheckType::kDns);
inline constexpr unsigned kGrpc = type_bit(CheckType::kGrpc);
inline constexpr unsigned kExpiry = type_bit(CheckType::kExpiry);

struct CheckKey {
  std::string_view name;
  unsigned types;    // the check types it applies to
  bool in_defaults;  // may appear in [defaults]
  ApplyKey apply;    // nullptr for `type`, which is read before everything else
};

// Every check key, and their names (for did-you-mean).
std::span<const CheckKey> check_keys();
std::span<const std::string_view> check_key_names();
const CheckKey* find_check_key(std::string_view name);

// Keys of every type (check_keys.cpp).
void apply_target(const KeyCall& c);
void apply_command(const KeyCall& c);
void apply_interval(const KeyCall& c);
void apply_timeout(const KeyCall& c);
void apply_failure_threshold(const KeyCall& c);
void apply_success_threshold(const KeyCall& c);
void apply_failure_duration(const KeyCall& c);
void apply_start_period(const KeyCall& c);
void apply_jitter(const KeyCall& c);
void apply_critical(const KeyCall& c);
void apply_groups(const KeyCall& c);
void apply_backoff(const KeyCall& c);
// Degraded-mode keys, SPEC §7 (degraded_keys.cpp).
void apply_guard_code(const KeyCall& c);
void apply_latency_budget(const KeyCall& c);
// The names only; that they name other checks, and no cycle, is checked once every check is
// read (check_dependencies()).
void apply_check_depends_on(const KeyCall& c);

// HTTP keys (http_keys.cpp).
void apply_url(const KeyCall& c);
void apply_expect_status(const KeyCall& c);
void apply_expect_body(const KeyCall& c);
void apply_expect_json(const KeyCall& c);
void apply_max_latency(const KeyCall& c);
void apply_method(const KeyCall& c);
void apply_headers(const KeyCall& c);
void apply_ca_file(const KeyCall& c);
void apply_insecure_skip_verify(const KeyCall& c);
void apply_keepalive(const KeyCall& c);

// TLS keys (tls_keys.cpp).
void apply_file(const KeyCall& c);
void apply_server_name(const KeyCall& c);
void apply_warn_before(const KeyCall& c);
void apply_fail_before(const KeyCall& c);
// DNS keys (dns_keys.cpp).
void apply_dns_name(const KeyCall& c);
void apply_record_type(const KeyCall& c);
void apply_dns_expect(const KeyCall& c);
void apply_dns_server(const KeyCall& c);
// Each `expect` entry against the check's record_type, reported at the entry.
void check_dns_expect(const DnsCheck& s, const toml::table& table, Diagnostics& d);
// gRPC keys (grpc_keys.cpp).
void apply_grpc_service(const KeyCall& c);
void apply_grpc_tls(const KeyCall& c);
// What a grpc check's table needs, and the TLS keys written without `tls = true`.
void check_grpc_table(const GrpcCheck& s, const toml::table& table, std::string_view prefix, Diagnostics& d);

// Expiry keys (expiry_keys.cpp).
void apply_source(const KeyCall& c);
void apply_format(const KeyCall& c);
void apply_json_pointer(const KeyCall& c);
// What an expiry check needs once its whole table is read: exactly one document (`source` or
// `url`), `format` implied by `json_pointer` when not written, a pointer for `format = "json"`.
// Reports at the table or at the key concerned.
void check_expiry_table(std::string_view check, ExpiryCheck& s, const toml::table& table, Diagnostics& d);

// Parses a `jitter` value: a duration ("2s") or a share of the interval ("10%", 0-100).
std::optional<Jitter> parse_jitter(std::string_view text);

}  // namespace hale::config
