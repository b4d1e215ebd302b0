// grpc.health.v1 by hand (see grpc_health.h): the request's few bytes, a wire-format reader that
// only looks for field 1, and the verdicts.
#include "hale/probe/grpc_health.h"
#include "hale/text/ascii.h"

#include <array>

namespace hale::grpc_health {

namespace {

constexpr std::size_t kMaxMessage = 160;  // bytes of gRPC's message kept in a reason
constexpr int kMaxGroupDepth = 64;

// gRPC's canonical codes, by number (grpc/status.h, google.rpc.Code).
constexpr std::array<std::string_view, 17> kCodeNames{
    "OK",        "CANCELLED",         "UNKNOWN",      "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

constexpr int kCancelled = 1;
constexpr int kCodeUnknown = 2;
constexpr int kDeadlineExceeded = 4;
constexpr int kNotFound = 5;
constexpr int kUnimplemented = 12;
constexpr int kInternal = 13;
constexpr int kUnavailable = 14;

// Reads one varint at `at`; false when truncated or longer than 10 bytes.
bool read_varint(std::string_view bytes, std::size_t& at, std::uint64_t& value) {
  value = 0;
  for (int i = 0; i < 10; ++i) {
    if (at >= bytes.size()) return false;
    const auto b = static_cast<unsigned char>(bytes[at++]);
    value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool skip(std::string_view bytes, std::size_t& at, std::uint64_t n) {
  if (n > bytes.size() - at) return false;
  at += static_cast<std::size_t>(n);
  return true;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  return ascii_lower(haystack).find(ascii_lower(needle)) != std::string::npos;
}

// gRPC's message on one line, without the channel's boilerplate, at most kMaxMessage bytes
// (cut on a UTF-8 character boundary, "…" added).
std::string one_line(std::string_view message) {
  constexpr std::string_view kBoilerplate = "failed to connect to all addresses; last error: ";
  if (message.starts_with(kBoilerplate)) message.remove_prefix(kBoilerplate.size());
  std::string out;
  for (char c : message) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > kMaxMessage) {
    std::size_t cut = kMaxMessage;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

}  // namespace

std::string encode_request(std::string_view service) {
  std::string out;
  if (service.empty()) return out;
  out += '\x0a';  // field 1, wire type 2 (length-delimited)
  std::uint64_t n = service.size();
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
  out += service;
  return out;
}

std::optional<std::int32_t> decode_response(std::string_view bytes) {
  std::int32_t status = kUnknown;
  std::size_t at = 0;
  // Field numbers of the groups we are inside (unknown fields of wire type 3), innermost last.
  std::array<std::uint64_t, kMaxGroupDepth> groups{};
  int depth = 0;
  while (at < bytes.size()) {
    std::uint64_t key = 0;
    if (!read_varint(bytes, at, key)) return std::nullopt;
    const std::uint64_t field = key >> 3;
    const unsigned wire_type = static_cast<unsigned>(key & 7);
    if (field == 0 || field > 0x1fffffff) return std::nullopt;
    switch (wire_type) {
      case 0: {  // varint
        std::uint64_t value = 0;
        if (!read_varint(bytes, at, value)) return std::nullopt;
        if (field == 1 && depth == 0) status = static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
        break;
      }
      case 1:  // fixed64
        if (!skip(bytes, at, 8)) return std::nullopt;
        break;
      case 2: {  // length-delimited (a `status` sent this way is not an enum: skipped, as protobuf does)
        std::uint64_t length = 0;
        if (!read_varint(bytes, at, length) || !skip(bytes, at, length)) return std::nullopt;
        break;
      }
      case 3:  // start group
        if (depth == kMaxGroupDepth) return std::nullopt;
        groups[static_cast<std::size_t>(depth++)] = field;
        break;
      case 4:  // end group: must close the innermost open one
        if (depth == 0 || groups[static_cast<std::size_t>(depth - 1)] != field) return std::nullopt;
        --depth;
        break;
      case 5:  // fixed32
        if (!skip(bytes, at, 4)) return std::nullopt;
        break;
      default:  // 6, 7: not wire types
        return std::nullopt;
    }
  }
  if (depth != 0) return std::nullopt;
  return status;
}

std::string_view status_name(std::int32_t status) {
  switch (status) {
    case kUnknown: return "UNKNOWN";
    case kServing: return "SERVING";
    case kNotServing: return "NOT_SERVING";
    case kServiceUnknown: return "SERVICE_UNKNOWN";
    default: return "";
  }
}

ProbeResult judge_status(std::int32_t status) {
  switch (status) {
    case kServing: return probe_result(Verdict::kPass, "SERVING");
    case kNotServing: return probe_failure("NOT_SERVING", ErrorKind::kGrpcNotServing);
    case kServiceUnknown: return probe_failure("SERVICE_UNKNOWN", ErrorKind::kGrpcServiceUnknown);
    case kUnknown: return probe_failure("UNKNOWN", ErrorKind::kGrpcStatusUnknown);
    default:
      return probe_failure("serving status " + std::to_string(status) + " (not in grpc.health.v1)",
                           ErrorKind::kGrpcStatusUnknown);
  }
}

ProbeResult malformed_response() {
  return probe_failure("malformed HealthCheckResponse (not protobuf)", ErrorKind::kGrpcProtocol);
}

ProbeResult missing_response() { return probe_failure("no HealthCheckResponse in an OK answer", ErrorKind::kGrpcProtocol); }

std::string code_name(int code) {
  if (code >= 0 && code < static_cast<int>(kCodeNames.size())) return std::string(kCodeNames[code]);
  return "CODE_" + std::to_string(code);
}

ProbeResult rpc_failure(int code, std::string_view message) {
  const std::string name = code_name(code);
  const std::string text = one_line(message);
  const std::string with_text = text.empty() ? name : name + ": " + text;
  switch (code) {
    case kDeadlineExceeded: return probe_failure("timeout", ErrorKind::kTimeout);
    case kUnimplemented:
      // The server speaks gRPC but has no health service (or not this method).
      return probe_failure("UNIMPLEMENTED: the server has no grpc.health.v1.Health service", ErrorKind::kGrpcUnimplemented);
    case kNotFound:
      // grpc.health.v1: "If the requested service is unknown, the call will fail with status NOT_FOUND."
      return probe_failure("SERVICE_UNKNOWN (" + with_text + ")", ErrorKind::kGrpcServiceUnknown);
    case kUnavailable:
      if (contains_ignoring_case(message, "connection refused")) {
        return probe_failure("UNAVAILABLE: connection refused", ErrorKind::kRefused);
      }
      if (contains_ignoring_case(message, "dns resolution failed")) return probe_failure(with_text, ErrorKind::kDns);
      if (contains_ignoring_case(message, "handshake failed") || contains_ignoring_case(message, "ssl_error") ||
          contains_ignoring_case(message, "peer certificate")) {
        return probe_failure(with_text, ErrorKind::kTls);
      }
      return probe_failure(with_text, ErrorKind::kGrpcUnavailable);
    default: {
      // Every other status as its own kind ("grpc_permission_denied"); a code gRPC does not
      // define is one hale does not know.
      const auto kind = parse_error_kind("grpc_" + ascii_lower(name));
      return probe_failure(with_text, kind.value_or(ErrorKind::kGrpcStatusUnknown));
    }
  }
}

bool keeps_channel(int code) {
  return code != kUnavailable && code != kDeadlineExceeded && code != kCancelled && code != kCodeUnknown &&
         code != kInternal;
}

}  // namespace hale::grpc_health
