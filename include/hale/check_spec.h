// A check as the config describes it (SPEC §1, §5): what every check has (name, timing,
// thresholds, groups, backoff, guard, budget, parents) in CheckSpec itself, and the keys of its
// own type in `kind`, one struct per type whose members are named like the config keys
// (`[checks.x] type = "dns", name = "...", server = "..."` is DnsCheck{name, ..., server}).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "hale/backoff.h"
#include "hale/clock.h"
#include "hale/source_pos.h"
#include "hale/words.h"

namespace hale {

// Exponential retry while a check is failing (SPEC §1 `backoff`): 500ms doubling to 30s by
// default, with a fixed jitter (none by default).
struct BackoffPolicy : Backoff {
  int max_retries = 0;  // 0 = unlimited; past it the check stays `fail` and stops probing
  BackoffPolicy() : Backoff{std::chrono::milliseconds(500), std::chrono::seconds(30), 2.0, Jitter::fixed({})} {}
  BackoffPolicy(Duration base, Duration max, Duration jitter, int max_retries)
      : Backoff{base, max, 2.0, Jitter::fixed(jitter)}, max_retries(max_retries) {}
  bool operator==(const BackoffPolicy&) const = default;
};

// SPEC §7 `latency_budget`: p50 and p95 of a check's latencies over `window` (once it holds
// enough results); over either: the result is a warn (degraded) with the reason.
struct LatencyBudget {
  std::optional<Duration> p50;
  std::optional<Duration> p95;
  Duration window = std::chrono::minutes(10);
  bool operator==(const LatencyBudget&) const = default;
};

struct StatusRange {
  int lo = 200;
  int hi = 399;
  bool operator==(const StatusRange&) const = default;
};

// The order is CheckKind's: a check's type is the index of its kind.
enum class CheckType { kHttp, kTcp, kExec, kDns, kTls, kGrpc, kExpiry };
inline constexpr std::array<Word<CheckType>, 7> kCheckTypeWords{{
    {"http", CheckType::kHttp},
    {"tcp", CheckType::kTcp},
    {"exec", CheckType::kExec},
    {"dns", CheckType::kDns},
    {"tls", CheckType::kTls},
    {"grpc", CheckType::kGrpc},
    {"expiry", CheckType::kExpiry},
}};
std::string_view to_string(CheckType t);

// type = "http" (or "https"): a request to `url`, judged by status, body and latency.
struct HttpCheck {
  std::string url;             // secrets resolved; shown only through redact_url()
  bool url_is_secret = false;  // written as env:/file:: shown as scheme://host only
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // values may be secrets
  std::vector<StatusRange> expect_status{{200, 399}};
  std::optional<std::string> expect_body;  // ECMAScript regex searched in the body
  std::optional<std::string> expect_json;  // JSON text; the body must contain it as a subset
  std::optional<Duration> max_latency;     // slower than this: warn (degraded)
  std::string ca_file;                     // extra CA bundle; empty = the system store
  bool insecure_skip_verify = false;
  // Reuse a connection to the target between probes when it allows keep-alive (one connection
  // per target is never older than kMaxConnectionAge, so a target that stops accepting new
  // connections is still found out); false: a new connection for every probe, as kubelet does.
  bool keepalive = true;
  bool operator==(const HttpCheck&) const = default;
};

// type = "tcp": a connection to `target` (host:port).
struct TcpCheck {
  std::string target;
  bool operator==(const TcpCheck&) const = default;
};

// type = "exec": `command` (argv, never a shell), judged by its exit code (Nagios' meaning).
struct ExecCheck {
  std::vector<std::string> command;
  bool operator==(const ExecCheck&) const = default;
};

// type = "dns": resolve `name` for `record_type` through c-ares, at `server` ("ip" or "ip:port";
// empty = the system resolver, /etc/resolv.conf); every entry of `expect` must be among the
// answers (see net/dns_answers.h).
struct DnsCheck {
  std::string name;
  std::string record_type = "A";  // A, AAAA, CNAME, MX, TXT, NS, SRV
  std::vector<std::string> expect;
  std::string server;
  bool operator==(const DnsCheck&) const = default;
};

// type = "tls": the certificate chain at `target` (host:port) or in `file` (a PEM chain, resolved
// against the config file's directory), exactly one of them; expiring within `warn_before`:
// degraded, within `fail_before`: fail.
struct TlsCheck {
  std::string target;
  std::string file;
  std::string server_name;  // SNI and name to verify; empty = the host of target
  std::string ca_file;      // extra CA bundle; empty = the system store
  bool insecure_skip_verify = false;
  Duration warn_before = std::chrono::hours(24 * 14);
  Duration fail_before = std::chrono::hours(24 * 3);
  bool operator==(const TlsCheck&) const = default;
};

// type = "grpc": grpc.health.v1.Health/Check at `target` for `service` (empty = the server as a
// whole), in plaintext (h2c) or, with `tls`, over TLS verified against ca_file (empty = gRPC's
// default roots) and server_name (empty = the host of target).
struct GrpcCheck {
  std::string target;
  std::string service;
  bool tls = false;
  std::string ca_file;
  std::string server_name;
  bool operator==(const GrpcCheck&) const = default;
};

// Where an expiry check reads its document: a file, an environment variable of hale's, or the
// body of a GET of the check's `url`. Kept as a reference and read at every probe, never
// resolved at load: the owner of a credential file rewrites it when it refreshes the token.
enum class ExpirySource { kFile, kEnv, kUrl };
// How the date is found in the document: the `exp` claim of a JWT, or a timestamp at a JSON pointer.
enum class ExpiryFormat { kJwt, kJson };

// type = "expiry" (SPEC §5): the date in a credential. `source` is the file's path (resolved
// against the config file's directory) or the variable's name, as `source_kind` says; with kUrl
// the document is the body of a GET of `url`. With `json_pointer` set, the document is JSON and
// the pointer says where the timestamp (kJson) or the JWT (kJwt) is; without it the whole
// document is the JWT. A token lives hours, not months like a certificate: an hour ahead is when
// a refresher that stopped working shows as degraded, five minutes ahead as failing.
struct ExpiryCheck {
  ExpirySource source_kind = ExpirySource::kFile;
  std::string source;
  std::string url;  // kUrl only; secrets resolved, as HttpCheck's
  bool url_is_secret = false;
  ExpiryFormat format = ExpiryFormat::kJwt;
  std::optional<std::string> json_pointer;  // RFC 6901, checked at load; "" = the whole document
  Duration warn_before = std::chrono::hours(1);
  Duration fail_before = std::chrono::minutes(5);
  bool operator==(const ExpiryCheck&) const = default;
};

// One alternative per CheckType, in its order.
using CheckKind = std::variant<HttpCheck, TcpCheck, ExecCheck, DnsCheck, TlsCheck, GrpcCheck, ExpiryCheck>;
static_assert(std::variant_size_v<CheckKind> == kCheckTypeWords.size());
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(CheckType::kExpiry), CheckKind>,
                             ExpiryCheck>);

// A kind with its defaults, for a type.
CheckKind default_kind(CheckType type);

struct CheckSpec {
  std::string name;
  SourcePos pos;  // where [checks.NAME] starts, for errors found after loading
  CheckKind kind;

  Duration interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(1);
  int failure_threshold = 3;
  int success_threshold = 1;
  Duration failure_duration{};
  Duration start_period{};
  Jitter jitter;
  bool critical = true;
  std::vector<std::string> groups{"ready"};
  std::optional<BackoffPolicy> backoff;

  // SPEC §7: the code of /guard/NAME's 503 answer; default_guard_code(name) unless written.
  std::string guard_code;
  std::optional<LatencyBudget> latency_budget;
  // Checks this one depends on (SPEC §7): while one is fail, this check failing is "blocked by"
  // it and not alerted on its own. Sorted; no cycles.
  std::vector<std::string> depends_on;

  CheckType type() const { return static_cast<CheckType>(kind.index()); }
  // This check's own keys when it is of type K, else nullptr.
  template <class K>
  const K* as() const { return std::get_if<K>(&kind); }
  template <class K>
  K* as() { return std::get_if<K>(&kind); }

  bool operator==(const CheckSpec& o) const;  // everything but pos: decides "changed" on reload
};

}  // namespace hale
