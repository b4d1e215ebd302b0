// ErrorKind: why a check did not pass, in one word. The one list of them (Envoy's
// ALL_HEALTH_CHECKER_STATS idea): the enum, the word that /health shows as `error_code`, the log
// lines carry and hale_check_errors_total{code} counts, whose fault it is, and what it means for
// the docs (tests/unit/error_kind_test.cpp holds docs/config.md's table to this list).
//
// Whose fault: a target's failure is the dependency's answer (refused, HTTP 503, NOT_SERVING). A
// prober's is hale's own inability to ask (the command of an exec check cannot be started, the
// gRPC module is missing): the check still fails, closed, but /health and the log say the probe
// errored rather than that the target failed, as kubelet tells "probe errored" from "probe
// failed". hale's are judgments of hale's own (a drill, a blocked dependency, a latency budget).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hale {

enum class Fault : std::uint8_t { kTarget, kProber, kHale };

// X(enumerator, word, fault, meaning)
#define HALE_ERROR_KINDS(X)                                                                                          \
  X(kTimeout, "timeout", kTarget, "no answer within `timeout`")                                                   \
  X(kRefused, "refused", kTarget, "the connection was refused")                                                  \
  X(kConnect, "connect", kTarget, "no connection (unreachable, reset, closed without an answer)")                \
  X(kDns, "dns", kTarget, "the target's name did not resolve")                                                    \
  X(kTls, "tls", kTarget, "the TLS handshake or the certificate's verification failed")                         \
  X(kStatus, "status", kTarget, "an HTTP status outside `expect_status`")                                         \
  X(kBody, "body", kTarget, "the body did not match `expect_body`, or was over 1 MiB")                           \
  X(kJson, "json", kTarget, "the body is not JSON, or `expect_json` did not match")                              \
  X(kLatency, "latency", kTarget, "slower than `max_latency` (a warn)")                                           \
  X(kExit, "exit", kTarget, "an exec check's command exited 2 or more, or was killed (Nagios CRITICAL, UNKNOWN)") \
  X(kWarn, "warn", kTarget, "an exec check's command exited 1 (Nagios WARNING: a warn)")                         \
  X(kExpiry, "expiry", kTarget, "a certificate or credential is within `warn_before`/`fail_before` or past")    \
  X(kSource, "source", kTarget, "an expiry check's file, variable or URL could not be read")                     \
  X(kFormat, "format", kTarget, "an expiry check's document holds no date where it was asked for")               \
  X(kDnsNxdomain, "dns_nxdomain", kTarget, "a dns check's name does not exist")                                  \
  X(kDnsNodata, "dns_nodata", kTarget, "a dns check's name has no record of that type")                          \
  X(kDnsMismatch, "dns_mismatch", kTarget, "a dns check's answers lack an `expect`ed one")                       \
  X(kGrpcNotServing, "grpc_not_serving", kTarget, "the gRPC health service says NOT_SERVING")                     \
  X(kGrpcServiceUnknown, "grpc_service_unknown", kTarget, "the gRPC server does not know `service`")            \
  X(kGrpcStatusUnknown, "grpc_status_unknown", kTarget, "the gRPC health service says UNKNOWN, or a status hale does not know") \
  X(kGrpcUnimplemented, "grpc_unimplemented", kTarget, "the gRPC server has no grpc.health.v1.Health service")  \
  X(kGrpcUnavailable, "grpc_unavailable", kTarget, "the RPC ended UNAVAILABLE")                                  \
  X(kGrpcProtocol, "grpc_protocol", kTarget, "the gRPC answer is not a HealthCheckResponse")                     \
  X(kGrpcCancelled, "grpc_cancelled", kTarget, "the RPC ended CANCELLED")                                         \
  X(kGrpcUnknown, "grpc_unknown", kTarget, "the RPC ended UNKNOWN")                                               \
  X(kGrpcInvalidArgument, "grpc_invalid_argument", kTarget, "the RPC ended INVALID_ARGUMENT")                     \
  X(kGrpcAlreadyExists, "grpc_already_exists", kTarget, "the RPC ended ALREADY_EXISTS")                           \
  X(kGrpcPermissionDenied, "grpc_permission_denied", kTarget, "the RPC ended PERMISSION_DENIED")                 \
  X(kGrpcResourceExhausted, "grpc_resource_exhausted", kTarget, "the RPC ended RESOURCE_EXHAUSTED")              \
  X(kGrpcFailedPrecondition, "grpc_failed_precondition", kTarget, "the RPC ended FAILED_PRECONDITION")           \
  X(kGrpcAborted, "grpc_aborted", kTarget, "the RPC ended ABORTED")                                               \
  X(kGrpcOutOfRange, "grpc_out_of_range", kTarget, "the RPC ended OUT_OF_RANGE")                                  \
  X(kGrpcInternal, "grpc_internal", kTarget, "the RPC ended INTERNAL")                                            \
  X(kGrpcDataLoss, "grpc_data_loss", kTarget, "the RPC ended DATA_LOSS")                                          \
  X(kGrpcUnauthenticated, "grpc_unauthenticated", kTarget, "the RPC ended UNAUTHENTICATED")                     \
  X(kSpawn, "spawn", kProber, "hale could not start an exec check's command (not found, not executable, no process left)") \
  X(kGrpcModuleUnavailable, "grpc_module_unavailable", kProber, "hale's gRPC module (libhale_grpc.so) could not be loaded") \
  X(kGrpcChannel, "grpc_channel", kProber, "hale could not make the gRPC channel (its TLS files could not be read)") \
  X(kBlocked, "blocked", kHale, "not probed: a check in its `depends_on` is failing")                              \
  X(kLatencyBudget, "latency_budget", kHale, "p50 or p95 over `latency_budget` (degraded)")                      \
  X(kDrill, "drill", kHale, "forced by a drill")

enum class ErrorKind : std::uint8_t {
  kNone,  // passed: no error
#define HALE_ERROR_KIND_ENUM(e, word, fault, meaning) e,
  HALE_ERROR_KINDS(HALE_ERROR_KIND_ENUM)
#undef HALE_ERROR_KIND_ENUM
};

struct ErrorKindInfo {
  ErrorKind kind;
  std::string_view word;
  Fault fault;
  std::string_view meaning;
};

// Every kind but kNone, in the order above.
std::span<const ErrorKindInfo> error_kinds();

// The word ("" for kNone).
std::string_view to_string(ErrorKind k);
std::string_view to_string(Fault f);  // "target", "prober", "hale"
std::optional<ErrorKind> parse_error_kind(std::string_view word);
Fault fault_of(ErrorKind k);

}  // namespace hale
