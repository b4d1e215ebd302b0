// The pure half of grpc checks: the two messages of grpc.health.v1 in protobuf's wire format,
// written and read by hand (no protoc, no generated code, no libprotobuf), and how an answer or
// an RPC error becomes a ProbeResult. No gRPC headers here: the probe (grpc_probe.cpp) is the
// only translation unit that includes them; unit tests cover this file.
//
//   message HealthCheckRequest  { string service = 1; }
//   message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2;
//                                                      SERVICE_UNKNOWN = 3; }
//                                 ServingStatus status = 1; }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hale/health.h"

namespace hale::grpc_health {

// The method every grpc check calls (unary).
inline constexpr std::string_view kCheckMethod = "/grpc.health.v1.Health/Check";

// HealthCheckResponse.ServingStatus. A response may carry a value outside it (proto3 enums are
// open): it is kept as the number.
enum ServingStatus : std::int32_t {
  kUnknown = 0,
  kServing = 1,
  kNotServing = 2,
  kServiceUnknown = 3,
};

// HealthCheckRequest{service} in wire format: empty for "" (proto3 leaves a default field out),
// else 0x0a, the length as a varint, the bytes.
std::string encode_request(std::string_view service);

// The `status` of a HealthCheckResponse. Unknown fields (any wire type, groups too) are skipped,
// a missing `status` reads as UNKNOWN (0), and when `status` appears more than once the last one
// counts (protobuf's rule). A varint status is read as int32 (the low 32 bits, as protobuf does).
// nullopt when the bytes are not protobuf: a truncated or over-long varint, a length past the
// end, field number 0, wire type 6 or 7, an unbalanced group, groups nested over 64 deep.
std::optional<std::int32_t> decode_response(std::string_view bytes);

// "UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"; "" for any other value.
std::string_view status_name(std::int32_t status);

// What an answered Check means:
//   SERVING          pass  "SERVING"
//   NOT_SERVING      fail  "NOT_SERVING"                                   grpc_not_serving
//   SERVICE_UNKNOWN  fail  "SERVICE_UNKNOWN"                               grpc_service_unknown
//   UNKNOWN          fail  "UNKNOWN"                                       grpc_status_unknown
//   any other value  fail  "serving status 7 (not in grpc.health.v1)"      grpc_status_unknown
ProbeResult judge_status(std::int32_t status);

// The result for an OK answer whose bytes decode_response() rejected ("grpc_protocol"), and for
// an OK answer without any response message.
ProbeResult malformed_response();
ProbeResult missing_response();

// The name of one of gRPC's canonical status codes ("UNAVAILABLE"); "CODE_42" for others.
std::string code_name(int code);

// What an RPC that ended with a non-OK status means (always a fail). `code` is gRPC's status code
// (grpc::StatusCode), `message` its message, cut to one line of at most 160 bytes:
//   DEADLINE_EXCEEDED               "timeout"                                  timeout
//   UNAVAILABLE, connection refused "UNAVAILABLE: connection refused"          refused
//   UNAVAILABLE, DNS failure        "UNAVAILABLE: DNS resolution failed ..."   dns
//   UNAVAILABLE, TLS handshake or   "UNAVAILABLE: ... handshake failed ..."    tls
//   a name not in the certificate
//   UNIMPLEMENTED                   "UNIMPLEMENTED: the server has no grpc.health.v1.Health service"
//                                                                              grpc_unimplemented
//   NOT_FOUND (Check's answer for a service name the server does not know)
//                                   "SERVICE_UNKNOWN (NOT_FOUND: message)"     grpc_service_unknown
//   any other                       "CODE: message" ("CODE" alone without one) grpc_<code in lower case>
ProbeResult rpc_failure(int code, std::string_view message);

// Whether the connection behind an RPC that ended with `code` is worth keeping for the next
// probe: the server answered (OK, or an error status a server sends). After UNAVAILABLE,
// DEADLINE_EXCEEDED, CANCELLED, UNKNOWN or INTERNAL the probe makes a new channel, so that the
// next attempt connects afresh instead of failing fast on the old channel's reconnect backoff.
bool keeps_channel(int code);

}  // namespace hale::grpc_health
