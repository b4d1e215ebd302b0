// The pure half of grpc checks: grpc.health.v1's two messages in protobuf wire format (including
// bytes that are not protobuf), the verdict of each serving status, and how RPC errors read.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/probe/grpc_health.h"

namespace hale::grpc_health {
namespace {

using namespace std::string_literals;

// ---- HealthCheckRequest ----

TEST(GrpcHealthRequest, EmptyServiceIsAnEmptyMessage) { EXPECT_EQ(encode_request(""), ""); }

TEST(GrpcHealthRequest, ServiceIsFieldOneLengthDelimited) {
  EXPECT_EQ(encode_request("api"), "\x0a\x03" "api"s);
  EXPECT_EQ(encode_request("grpc.health.v1.Health"), "\x0a\x15" "grpc.health.v1.Health"s);
}

TEST(GrpcHealthRequest, LongServiceHasAMultiByteLength) {
  const std::string name(300, 'x');  // 300 = 0b10_0101100: varint 0xac 0x02
  const std::string bytes = encode_request(name);
  ASSERT_EQ(bytes.size(), 3 + name.size());
  EXPECT_EQ(bytes.substr(0, 3), "\x0a\xac\x02"s);
  EXPECT_EQ(bytes.substr(3), name);
}

TEST(GrpcHealthRequest, Utf8IsSentAsIs) { EXPECT_EQ(encode_request("ä"), "\x0a\x02\xc3\xa4"s); }

// ---- HealthCheckResponse ----

struct DecodeCase {
  const char* name;
  std::string bytes;
  std::optional<std::int32_t> status;
};

const std::vector<DecodeCase> kDecodeCases = {
    // What servers send.
    {"Serving", "\x08\x01"s, kServing},
    {"NotServing", "\x08\x02"s, kNotServing},
    {"ServiceUnknown", "\x08\x03"s, kServiceUnknown},
    {"ExplicitUnknown", "\x08\x00"s, kUnknown},
    {"EmptyMessageIsUnknown", ""s, kUnknown},  // proto3 leaves status = 0 out
    // Values outside the enum are kept (proto3 enums are open).
    {"ValueOutsideTheEnum", "\x08\x07"s, 7},
    {"MultiByteVarint", "\x08\x96\x01"s, 150},
    {"NegativeAsTenByteVarint", "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s, -1},
    {"WiderThanInt32KeepsTheLow32Bits", "\x08\x81\x80\x80\x80\x10"s, 1},  // 2^32 + 1
    {"NonMinimalVarintIsAccepted", "\x08\x81\x00"s, kServing},
    // The last occurrence wins.
    {"RepeatedFieldLastWins", "\x08\x02\x08\x01"s, kServing},
    // Unknown fields of every wire type are skipped.
    {"UnknownVarintField", "\x10\x05\x08\x01"s, kServing},
    {"UnknownFixed64Field", "\x11\x01\x02\x03\x04\x05\x06\x07\x08\x08\x02"s, kNotServing},
    {"UnknownLengthDelimitedField", "\x1a\x03" "abc\x08\x01"s, kServing},
    {"UnknownFixed32Field", "\x08\x01\x25\x01\x02\x03\x04"s, kServing},
    {"UnknownGroupSkippedWithItsContents", "\x1b\x08\x02\x1c\x08\x01"s, kServing},  // group 3 { 1: 2 } then 1: 1
    {"NestedGroups", "\x1b\x23\x08\x02\x24\x1c"s, kUnknown},
    {"StatusInsideAGroupIsNotTheStatus", "\x08\x01\x1b\x08\x02\x1c"s, kServing},
    {"StatusSentLengthDelimitedIsSkipped", "\x0a\x01\x01"s, kUnknown},
    {"LargeFieldNumber", "\xf8\xff\xff\xff\x0f\x01\x08\x01"s, kServing},  // field 2^29 - 1, varint
    // Not protobuf.
    {"TruncatedKey", "\x88"s, std::nullopt},
    {"TruncatedVarintValue", "\x08"s, std::nullopt},
    {"TruncatedMultiByteValue", "\x08\x96"s, std::nullopt},
    {"VarintLongerThanTenBytes", "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s, std::nullopt},
    {"FieldNumberZero", "\x00\x01"s, std::nullopt},
    {"FieldNumberTooLarge", "\x80\x80\x80\x80\x10\x01"s, std::nullopt},  // field 2^29
    {"WireType6", "\x0e"s, std::nullopt},
    {"WireType7", "\x0f"s, std::nullopt},
    {"LengthPastTheEnd", "\x1a\x05" "abc"s, std::nullopt},
    {"HugeLength", "\x1a\xff\xff\xff\xff\xff\xff\xff\xff\x7f"s, std::nullopt},
    {"TruncatedFixed64", "\x11\x01\x02"s, std::nullopt},
    {"TruncatedFixed32", "\x15\x01"s, std::nullopt},
    {"UnclosedGroup", "\x1b\x08\x01"s, std::nullopt},
    {"EndGroupWithoutStart", "\x1c"s, std::nullopt},
    {"MismatchedEndGroup", "\x1b\x24"s, std::nullopt},
    {"HtmlInsteadOfProtobuf", "<html>"s, std::nullopt},
};

class GrpcHealthDecode : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(GrpcHealthDecode, ReadsTheStatusOrRejects) {
  const DecodeCase& c = GetParam();
  EXPECT_EQ(decode_response(c.bytes), c.status);
}

INSTANTIATE_TEST_SUITE_P(Probe, GrpcHealthDecode, ::testing::ValuesIn(kDecodeCases),
                         [](const ::testing::TestParamInfo<DecodeCase>& info) { return info.param.name; });

TEST(GrpcHealthDecodeLimits, GroupsNestedDeeperThan64AreRejected) {
  auto nested = [](int depth) {
    std::string bytes;
    for (int i = 0; i < depth; ++i) bytes += "\x1b";
    for (int i = 0; i < depth; ++i) bytes += "\x1c";
    return bytes + "\x08\x01";
  };
  EXPECT_EQ(decode_response(nested(64)), kServing);
  EXPECT_EQ(decode_response(nested(65)), std::nullopt);
}

TEST(GrpcHealthDecodeLimits, EveryPrefixOfAValidMessageDecodesOrIsRejectedCleanly) {
  // A response cut anywhere must never read past its end (ASan would tell).
  const std::string full = "\x11\x01\x02\x03\x04\x05\x06\x07\x08\x1a\x03" "abc\x1b\x08\x02\x1c\x08\x96\x01"s;
  ASSERT_EQ(decode_response(full), 150);
  int rejected = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    const std::string cut = full.substr(0, n);
    if (!decode_response(cut)) ++rejected;
  }
  EXPECT_GT(rejected, 10);
}

TEST(GrpcHealthDecodeLimits, RoundTripsEveryStatus) {
  for (std::int32_t s : {0, 1, 2, 3, 4, 127, 128, 1 << 20}) {
    std::string bytes = "\x08"s;
    std::uint32_t v = static_cast<std::uint32_t>(s);
    while (v >= 0x80) {
      bytes += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    bytes += static_cast<char>(v);
    EXPECT_EQ(decode_response(bytes), s) << s;
  }
}

// ---- Verdicts ----

struct StatusCase {
  std::int32_t status;
  Verdict verdict;
  std::string reason;
  std::string error_code;
};

TEST(GrpcHealthJudge, EachServingStatus) {
  const std::vector<StatusCase> cases = {
      {kServing, Verdict::kPass, "SERVING", ""},
      {kNotServing, Verdict::kFail, "NOT_SERVING", "grpc_not_serving"},
      {kServiceUnknown, Verdict::kFail, "SERVICE_UNKNOWN", "grpc_service_unknown"},
      {kUnknown, Verdict::kFail, "UNKNOWN", "grpc_status_unknown"},
      {7, Verdict::kFail, "serving status 7 (not in grpc.health.v1)", "grpc_status_unknown"},
      {-1, Verdict::kFail, "serving status -1 (not in grpc.health.v1)", "grpc_status_unknown"},
  };
  for (const StatusCase& c : cases) {
    const ProbeResult r = judge_status(c.status);
    EXPECT_EQ(r.verdict, c.verdict) << c.status;
    EXPECT_EQ(r.reason, c.reason) << c.status;
    EXPECT_EQ(to_string(r.error), c.error_code) << c.status;
  }
}

TEST(GrpcHealthJudge, StatusNames) {
  EXPECT_EQ(status_name(kServing), "SERVING");
  EXPECT_EQ(status_name(kServiceUnknown), "SERVICE_UNKNOWN");
  EXPECT_EQ(status_name(9), "");
}

TEST(GrpcHealthJudge, MalformedAndMissingResponsesFail) {
  EXPECT_EQ(malformed_response().verdict, Verdict::kFail);
  EXPECT_EQ(to_string(malformed_response().error), "grpc_protocol");
  EXPECT_EQ(missing_response().verdict, Verdict::kFail);
  EXPECT_EQ(to_string(missing_response().error), "grpc_protocol");
}

// ---- RPC errors ----

struct RpcCase {
  const char* name;
  int code;
  std::string message;
  std::string reason;
  std::string error_code;
};

const std::vector<RpcCase> kRpcCases = {
    {"DeadlineIsATimeout", 4, "Deadline Exceeded", "timeout", "timeout"},
    {"Refused", 14,
     "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Failed to connect to remote host: "
     "Connection refused",
     "UNAVAILABLE: connection refused", "refused"},
    {"DnsFailure", 14, "DNS resolution failed for nope.invalid:50051: C-ares status is not ARES_SUCCESS",
     "UNAVAILABLE: DNS resolution failed for nope.invalid:50051: C-ares status is not ARES_SUCCESS", "dns"},
    {"TlsHandshake", 14,
     "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:443: Ssl handshake failed: "
     "SSL_ERROR_SSL: error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
     "UNAVAILABLE: UNKNOWN: ipv4:127.0.0.1:443: Ssl handshake failed: SSL_ERROR_SSL: "
     "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
     "tls"},
    {"NameNotInTheCertificate", 14,
     "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:443: Peer name other.test is not in "
     "peer certificate",
     "UNAVAILABLE: UNKNOWN: ipv4:127.0.0.1:443: Peer name other.test is not in peer certificate", "tls"},
    {"OtherUnavailable", 14, "Socket closed", "UNAVAILABLE: Socket closed", "grpc_unavailable"},
    {"Unimplemented", 12, "", "UNIMPLEMENTED: the server has no grpc.health.v1.Health service", "grpc_unimplemented"},
    {"NotFoundIsServiceUnknown", 5, "service name unknown", "SERVICE_UNKNOWN (NOT_FOUND: service name unknown)",
     "grpc_service_unknown"},
    {"PermissionDenied", 7, "no", "PERMISSION_DENIED: no", "grpc_permission_denied"},
    {"Unauthenticated", 16, "missing token", "UNAUTHENTICATED: missing token", "grpc_unauthenticated"},
    {"EmptyMessage", 13, "", "INTERNAL", "grpc_internal"},
    // A status gRPC does not define (0-16) is one hale does not know: one error kind for all of them
    // (error_kind.h), so a code never grows a metric label of its own.
    {"CodeOutOfRange", 42, "what", "CODE_42: what", "grpc_status_unknown"},
    {"MultiLineMessageIsOneLine", 2, "first\nsecond\r\n\tthird", "UNKNOWN: first second third", "grpc_unknown"},
};

class GrpcRpcFailure : public ::testing::TestWithParam<RpcCase> {};

TEST_P(GrpcRpcFailure, ReasonAndCode) {
  const RpcCase& c = GetParam();
  const ProbeResult r = rpc_failure(c.code, c.message);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, c.reason);
  EXPECT_EQ(to_string(r.error), c.error_code);
}

INSTANTIATE_TEST_SUITE_P(Probe, GrpcRpcFailure, ::testing::ValuesIn(kRpcCases),
                         [](const ::testing::TestParamInfo<RpcCase>& info) { return info.param.name; });

TEST(GrpcRpcFailureText, LongMessagesAreCutOnACharacterBoundary) {
  std::string message = "a";
  for (int i = 0; i < 100; ++i) message += "é";  // two bytes each: byte 160 is in the middle of one
  const ProbeResult r = rpc_failure(13, message);
  ASSERT_TRUE(r.reason.ends_with("…")) << r.reason;
  const std::string kept = r.reason.substr(std::string("INTERNAL: ").size());
  const std::string body = kept.substr(0, kept.size() - std::string("…").size());
  EXPECT_EQ(body.size(), 159u);
  EXPECT_EQ(body, message.substr(0, 159));
}

TEST(GrpcRpcFailureText, ControlCharactersAreDropped) {
  EXPECT_EQ(rpc_failure(13, "a\x01" "b\x7f" "c").reason, "INTERNAL: abc");
}

TEST(GrpcCodeNames, Canonical) {
  EXPECT_EQ(code_name(0), "OK");
  EXPECT_EQ(code_name(14), "UNAVAILABLE");
  EXPECT_EQ(code_name(16), "UNAUTHENTICATED");
  EXPECT_EQ(code_name(17), "CODE_17");
  EXPECT_EQ(code_name(-1), "CODE_-1");
}

TEST(GrpcKeepsChannel, OnlyWhenTheServerAnswered) {
  EXPECT_TRUE(keeps_channel(0));    // OK
  EXPECT_TRUE(keeps_channel(5));    // NOT_FOUND
  EXPECT_TRUE(keeps_channel(12));   // UNIMPLEMENTED
  EXPECT_TRUE(keeps_channel(16));   // UNAUTHENTICATED
  EXPECT_FALSE(keeps_channel(14));  // UNAVAILABLE
  EXPECT_FALSE(keeps_channel(4));   // DEADLINE_EXCEEDED
  EXPECT_FALSE(keeps_channel(1));   // CANCELLED
  EXPECT_FALSE(keeps_channel(2));   // UNKNOWN
  EXPECT_FALSE(keeps_channel(13));  // INTERNAL
}

}  // namespace
}  // namespace hale::grpc_health
