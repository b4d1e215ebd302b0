// Every error a [checks.NAME] table can have, as a table: the TOML, and the exact lines
// `hale validate` prints for it, with line and column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using hale::testing::config_errors;

struct Case {
  const char* name;
  std::string toml;
  std::vector<std::string> errors;
};

// A valid tcp check to add one broken line to, at line 4.
std::string tcp_check(const std::string& line4) {
  return "[checks.db]\ntype = \"tcp\"\ntarget = \"db:5432\"\n" + line4 + "\n";
}
// A valid http check to add one broken line to, at line 4.
std::string http_check(const std::string& line4) {
  return "[checks.web]\ntype = \"http\"\nurl = \"http://127.0.0.1:8080/ready\"\n" + line4 + "\n";
}

// A valid grpc check to add one broken line to, at line 4.
std::string grpc_check(const std::string& line4) {
  return "[checks.rpc]\ntype = \"grpc\"\ntarget = \"api.internal:50051\"\n" + line4 + "\n";
}

// A valid tls check to add one broken line to, at line 4.
std::string tls_check(const std::string& line4) {
  return "[checks.cert]\ntype = \"tls\"\ntarget = \"api.internal:443\"\n" + line4 + "\n";
}

const std::vector<Case> kCases = {
    // Unknown keys, with and without a near miss.
    {"UnknownKeyWithNearMiss", tcp_check("intervall = \"10s\""),
     {"hale.toml:4:1: unknown key `intervall` in [checks.db]; did you mean `interval`?"}},
    {"UnknownKeyCaseInsensitive", tcp_check("Timeout = \"1s\""),
     {"hale.toml:4:1: unknown key `Timeout` in [checks.db]; did you mean `timeout`?"}},
    {"UnknownKeyWithoutNearMiss", tcp_check("colour = \"red\""),
     {"hale.toml:4:1: unknown key `colour` in [checks.db]"}},

    // Wrong TOML types.
    {"IntegerGivenAString", tcp_check("failure_threshold = \"3\""),
     {"hale.toml:4:21: `failure_threshold` must be an integer, not a string"}},
    {"BoolGivenAString", tcp_check("critical = \"false\""),
     {"hale.toml:4:12: `critical` must be true or false, not a string"}},
    {"DurationGivenAnInteger", tcp_check("interval = 10"),
     {"hale.toml:4:12: `interval` must be a duration string like \"10s\", not an integer"}},

    // Durations and thresholds.
    {"DurationWithoutUnit", tcp_check("interval = \"10\""),
     {"hale.toml:4:12: `interval`: invalid duration \"10\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"NegativeDuration", tcp_check("start_period = \"-5s\""),
     {"hale.toml:4:16: `start_period`: invalid duration \"-5s\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"ZeroInterval", tcp_check("interval = \"0s\""), {"hale.toml:4:12: `interval` must be greater than 0"}},
    {"ZeroTimeout", tcp_check("timeout = \"0ms\""), {"hale.toml:4:11: `timeout` must be greater than 0"}},
    {"ZeroFailureThreshold", tcp_check("failure_threshold = 0"),
     {"hale.toml:4:21: `failure_threshold` must be at least 1"}},
    {"NegativeSuccessThreshold", tcp_check("success_threshold = -2"),
     {"hale.toml:4:21: `success_threshold` must be at least 1"}},
    {"HugeThreshold", tcp_check("failure_threshold = 3000000000"),
     {"hale.toml:4:21: `failure_threshold` must be at most 2147483647"}},

    // Jitter.
    {"JitterOverHundredPercent", tcp_check("jitter = \"150%\""),
     {"hale.toml:4:10: `jitter`: invalid value \"150%\" (use a duration like \"2s\" or a share of interval from "
      "\"0%\" to \"100%\")"}},
    {"JitterNegativePercent", tcp_check("jitter = \"-5%\""),
     {"hale.toml:4:10: `jitter`: invalid value \"-5%\" (use a duration like \"2s\" or a share of interval from "
      "\"0%\" to \"100%\")"}},
    {"JitterNotAString", tcp_check("jitter = 0.1"), {"hale.toml:4:10: `jitter` must be a string, not a float"}},

    // type.
    {"MissingType", "[checks.db]\ntarget = \"db:5432\"\n",
     {"hale.toml:1:1: check \"db\" needs `type` (one of http, https, tcp, exec, dns, tls, grpc, expiry)"}},
    {"UnknownTypeWithNearMiss", "[checks.web]\ntype = \"htp\"\nurl = \"http://x\"\n",
     {"hale.toml:2:8: unknown check type \"htp\" (expected one of http, https, tcp, exec, dns, tls, grpc, expiry); did you mean \"http\"?"}},
    {"UnknownTypeWithoutNearMiss", "[checks.q]\ntype = \"kafka\"\n",
     {"hale.toml:2:8: unknown check type \"kafka\" (expected one of http, https, tcp, exec, dns, tls, grpc, expiry)"}},
    {"UnknownTypeStillReportsBadValues", "[checks.q]\ntype = \"kafka\"\ninterval = \"x\"\n",
     {"hale.toml:2:8: unknown check type \"kafka\" (expected one of http, https, tcp, exec, dns, tls, grpc, expiry)",
      "hale.toml:3:12: `interval`: invalid duration \"x\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"TypeNotAString", "[checks.q]\ntype = 1\n", {"hale.toml:2:8: `type` must be a string, not an integer"}},
    {"DnsNeedsName", "[checks.ns]\ntype = \"dns\"\n",
     {"hale.toml:1:1: check \"ns\": type \"dns\" needs `name` (the name to resolve)"}},
    {"GrpcNeedsTarget", "[checks.g]\ntype = \"grpc\"\n",
     {"hale.toml:1:1: check \"g\": type \"grpc\" needs `target` (host:port)"}},

    // What each type needs, at the table.
    {"TcpNeedsTarget", "[checks.db]\ntype = \"tcp\"\n",
     {"hale.toml:1:1: check \"db\": type \"tcp\" needs `target` (host:port)"}},
    {"HttpNeedsUrl", "\n[checks.web]\ntype = \"http\"\n", {"hale.toml:2:1: check \"web\": type \"http\" needs `url`"}},
    {"HttpsAliasNeedsUrl", "[checks.web]\ntype = \"https\"\n",
     {"hale.toml:1:1: check \"web\": type \"https\" needs `url`"}},
    {"ExecNeedsCommand", "[checks.disk]\ntype = \"exec\"\n",
     {"hale.toml:1:1: check \"disk\": type \"exec\" needs `command` (an argv array)"}},
    {"BadTargetStillCountsAsGiven", "[checks.db]\ntype = \"tcp\"\ntarget = \"db\"\n",
     {"hale.toml:3:10: `target` \"db\": needs a port (host:port)"}},

    // Keys of another type.
    {"UrlOnTcp", tcp_check("url = \"http://x\""), {"hale.toml:4:1: `url` does not apply to a tcp check"}},
    {"ExpectStatusOnExec", "[checks.disk]\ntype = \"exec\"\ncommand = [\"/bin/true\"]\nexpect_status = 200\n",
     {"hale.toml:4:1: `expect_status` does not apply to an exec check"}},
    {"TargetOnHttp", http_check("target = \"x:1\""), {"hale.toml:4:1: `target` does not apply to an http check"}},
    {"CommandOnTcp", tcp_check("command = [\"x\"]"), {"hale.toml:4:1: `command` does not apply to a tcp check"}},
    {"HeadersOnTcp", tcp_check("headers = { A = \"b\" }"), {"hale.toml:4:1: `headers` does not apply to a tcp check"}},

    // target.
    {"TargetWithoutHost", "[checks.db]\ntype = \"tcp\"\ntarget = \":5432\"\n",
     {"hale.toml:3:10: `target` \":5432\": needs a host (host:port)"}},
    {"TargetPortZero", "[checks.db]\ntype = \"tcp\"\ntarget = \"db:0\"\n",
     {"hale.toml:3:10: `target` \"db:0\": port must be a number from 1 to 65535"}},
    {"TargetPortTooLarge", "[checks.db]\ntype = \"tcp\"\ntarget = \"db:65536\"\n",
     {"hale.toml:3:10: `target` \"db:65536\": port must be a number from 1 to 65535"}},
    {"TargetPortNotANumber", "[checks.db]\ntype = \"tcp\"\ntarget = \"db:pg\"\n",
     {"hale.toml:3:10: `target` \"db:pg\": port must be a number from 1 to 65535"}},
    {"TargetIpv6WithoutBrackets", "[checks.db]\ntype = \"tcp\"\ntarget = \"::1:80\"\n",
     {"hale.toml:3:10: `target` \"::1:80\": an IPv6 address needs brackets, e.g. [::1]:80"}},
    {"TargetIpv6WithoutPort", "[checks.db]\ntype = \"tcp\"\ntarget = \"[::1]\"\n",
     {"hale.toml:3:10: `target` \"[::1]\": needs a port after the IPv6 address, e.g. [::1]:80"}},
    {"TargetUnclosedBracket", "[checks.db]\ntype = \"tcp\"\ntarget = \"[::1:80\"\n",
     {"hale.toml:3:10: `target` \"[::1:80\": missing ']' after an IPv6 address"}},
    {"TargetIsAUrl", "[checks.db]\ntype = \"tcp\"\ntarget = \"http://db:80\"\n",
     {"hale.toml:3:10: `target` \"http://db:80\": a URL is not host:port; write e.g. \"db.internal:5432\""}},
    {"TargetWithSpace", "[checks.db]\ntype = \"tcp\"\ntarget = \"my db:80\"\n",
     {"hale.toml:3:10: `target` \"my db:80\": is not a valid host name or address"}},
    {"TargetEmpty", "[checks.db]\ntype = \"tcp\"\ntarget = \"\"\n", {"hale.toml:3:10: `target` must not be empty"}},

    // url.
    {"UrlWithoutScheme", "[checks.web]\ntype = \"http\"\nurl = \"127.0.0.1:8080/ready\"\n",
     {"hale.toml:3:7: `url` must start with http:// or https://"}},
    {"UrlOtherScheme", "[checks.web]\ntype = \"http\"\nurl = \"ftp://files\"\n",
     {"hale.toml:3:7: `url` must start with http:// or https://"}},
    {"UrlWithoutHost", "[checks.web]\ntype = \"http\"\nurl = \"http:///ready\"\n",
     {"hale.toml:3:7: `url` has no host"}},
    // Issue 17: ports are 1-65535 (libcurl's URL parser decides).
    {"UrlPortTooBig", "[checks.web]\ntype = \"http\"\nurl = \"http://127.0.0.1:99999/\"\n",
     {"hale.toml:3:7: `url` has a port that is not a number from 1 to 65535"}},
    {"UrlPortZero", "[checks.web]\ntype = \"http\"\nurl = \"http://127.0.0.1:0/\"\n",
     {"hale.toml:3:7: `url` has port 0, not one from 1 to 65535"}},
    {"UrlNotAString", "[checks.web]\ntype = \"http\"\nurl = [\"http://a\"]\n",
     {"hale.toml:3:7: `url` must be a string, not an array"}},

    // command.
    {"CommandAsAString", "[checks.disk]\ntype = \"exec\"\ncommand = \"check_disk -w 20%\"\n",
     {"hale.toml:3:11: `command` must be an array of strings (argv, never a shell), not a string"}},
    {"CommandEmpty", "[checks.disk]\ntype = \"exec\"\ncommand = []\n", {"hale.toml:3:11: `command` must not be empty"}},
    {"CommandEmptyProgram", "[checks.disk]\ntype = \"exec\"\ncommand = [\"\", \"-w\"]\n",
     {"hale.toml:3:12: `command[0]` (the program) must not be empty"}},
    {"CommandNonStringArgument", "[checks.disk]\ntype = \"exec\"\ncommand = [\"/bin/check\", 20, true]\n",
     {"hale.toml:3:26: `command[1]` must be a string, not an integer",
      "hale.toml:3:30: `command[2]` must be a string, not a boolean"}},

    // groups.
    {"GroupTypo", tcp_check("groups = [\"live\", \"raedy\"]"),
     {"hale.toml:4:19: unknown group \"raedy\"; did you mean \"ready\"? (a custom group needs a [groups.raedy] "
      "table)"}},
    {"GroupUndeclared", tcp_check("groups = [\"backend\"]"),
     {"hale.toml:4:11: unknown group \"backend\" (a custom group needs a [groups.backend] table)"}},
    {"GroupTypoOfCustomGroup", "[groups.payments]\n" + tcp_check("groups = [\"payment\"]"),
     {"hale.toml:5:11: unknown group \"payment\"; did you mean \"payments\"? (a custom group needs a "
      "[groups.payment] table)"}},
    {"GroupsNotAnArray", tcp_check("groups = \"ready\""), {"hale.toml:4:10: `groups` must be an array, not a string"}},
    {"GroupsElementNotAString", tcp_check("groups = [1]"),
     {"hale.toml:4:11: `groups[0]` must be a string, not an integer"}},

    // backoff.
    {"BackoffNotATable", tcp_check("backoff = \"1s\""), {"hale.toml:4:11: `backoff` must be a table, not a string"}},
    {"BackoffZeroBase", tcp_check("backoff = { base = \"0s\" }"),
     {"hale.toml:4:20: `backoff.base` must be greater than 0"}},
    {"BackoffMaxBelowBase", tcp_check("backoff = { base = \"5s\", max = \"1s\" }"),
     {"hale.toml:4:32: `backoff.max` (1s) must not be less than `backoff.base` (5s)"}},
    {"BackoffBaseOverDefaultMax", tcp_check("backoff = { base = \"1m\" }"),
     {"hale.toml:4:20: `backoff.max` (30s, the default) must not be less than `backoff.base` (1m)"}},
    {"BackoffNegativeRetries", tcp_check("backoff = { max_retries = -1 }"),
     {"hale.toml:4:27: `backoff.max_retries` must be at least 0"}},
    {"BackoffBadJitter", tcp_check("backoff = { jitter = \"10%\" }"),
     {"hale.toml:4:22: `backoff.jitter`: invalid duration \"10%\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"BackoffUnknownKey", tcp_check("backoff = { bsae = \"1s\" }"),
     {"hale.toml:4:13: unknown key `bsae` in `backoff`; did you mean `base`?"}},

    // expect_status.
    {"ExpectStatusOutOfRange", http_check("expect_status = 600"),
     {"hale.toml:4:17: `expect_status`: 600 is not an HTTP status (100-599)"}},
    {"ExpectStatusRangeOutOfRange", http_check("expect_status = \"200-699\""),
     {"hale.toml:4:17: `expect_status`: \"200-699\" is not an HTTP status (100-599)"}},
    {"ExpectStatusGarbage", http_check("expect_status = \"ok\""),
     {"hale.toml:4:17: `expect_status`: invalid status \"ok\" (use 200, \"200-399\" or \"2xx\")"}},
    {"ExpectStatusBackwards", http_check("expect_status = \"399-200\""),
     {"hale.toml:4:17: `expect_status`: range \"399-200\" is backwards"}},
    {"ExpectStatusBadElement", http_check("expect_status = [200, \"2x\", 99]"),
     {"hale.toml:4:23: `expect_status`: invalid status \"2x\" (use 200, \"200-399\" or \"2xx\")",
      "hale.toml:4:29: `expect_status`: 99 is not an HTTP status (100-599)"}},
    {"ExpectStatusEmptyList", http_check("expect_status = []"),
     {"hale.toml:4:17: `expect_status` must list at least one status"}},
    {"ExpectStatusWrongType", http_check("expect_status = true"),
     {"hale.toml:4:17: `expect_status` must be a status (200), a range (\"200-399\", \"2xx\") or a list of them, "
      "not a boolean"}},

    // expect_body, expect_json.
    {"ExpectBodyBadRegex", http_check("expect_body = \"(ok\""),
     {"hale.toml:4:15: `expect_body` is not a valid regular expression: Mismatched '(' and ')' in regular "
      "expression"}},
    // Found by the config fuzzer: libstdc++'s regex compiler overflows a `long` on such numbers
    // (tests/fuzz/regressions/config/regex-backreference-overflow).
    {"ExpectBodyBackReferenceTooLong", http_check("expect_body = '(ok)\\12345678901'"),
     {"hale.toml:4:15: `expect_body` is not a valid regular expression: a back-reference or repetition count of "
      "more than 9 digits (at offset 5)"}},
    {"ExpectBodyBackReference", http_check("expect_body = '(ok) \\1'"),
     {"hale.toml:4:15: `expect_body` is not a valid regular expression: a back-reference (\\1), which the probe's "
      "linear-time matcher does not support"}},
    {"ExpectBodyRepeatCountTooLong", http_check("expect_body = 'o{1,99999999999999999999}k'"),
     {"hale.toml:4:15: `expect_body` is not a valid regular expression: a back-reference or repetition count of "
      "more than 9 digits (at offset 4)"}},
    {"ExpectBodyTooLong", http_check("expect_body = \"" + std::string(1025, 'a') + "\""),
     {"hale.toml:4:15: `expect_body` is longer than 1024 bytes; match a short marker, not a page"}},
    {"ExpectBodyEmpty", http_check("expect_body = \"\""), {"hale.toml:4:15: `expect_body` must not be empty"}},
    {"ExpectJsonBadText", http_check("expect_json = '{\"status\": }'"),
     {"hale.toml:4:15: `expect_json` is not valid JSON: parse error at line 1, column 12: syntax error while "
      "parsing value - unexpected '}'; expected '[', '{', or a literal"}},
    {"ExpectJsonWrongType", http_check("expect_json = 1"),
     {"hale.toml:4:15: `expect_json` must be a table or a string holding JSON, not an integer"}},
    {"HeadCannotMatchABody", http_check("method = \"HEAD\"\nexpect_body = \"ok\""),
     {"hale.toml:5:15: a HEAD response has no body: `expect_body` and `expect_json` need another method"}},

    // method, max_latency.
    {"UnknownMethod", http_check("method = \"FETCH\""),
     {"hale.toml:4:10: unknown method \"FETCH\" (expected one of GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH)"}},
    {"UnknownMethodWithNearMiss", http_check("method = \"PATCHH\""),
     {"hale.toml:4:10: unknown method \"PATCHH\" (expected one of GET, HEAD, POST, PUT, DELETE, OPTIONS, "
      "PATCH); did you mean \"PATCH\"?"}},
    {"MaxLatencyNotUnderTimeout", http_check("timeout = \"1s\"\nmax_latency = \"1s\""),
     {"hale.toml:5:15: max_latency (1s) must be less than timeout (1s)"}},
    {"MaxLatencyZero", http_check("max_latency = \"0s\""), {"hale.toml:4:15: `max_latency` must be greater than 0"}},

    // headers, ca_file, insecure_skip_verify.
    {"HeaderValueNotAString", http_check("headers = { X-Id = 7 }"),
     {"hale.toml:4:20: `headers.X-Id` must be a string, not an integer"}},
    {"HeaderValueWithLineBreak", http_check("headers = { X-Id = \"a\\r\\nX-Evil: 1\" }"),
     {"hale.toml:4:20: `headers.X-Id` must not contain a line break or a NUL byte"}},
    {"HeaderBadName", http_check("headers = { \"Bad Header\" = \"x\" }"),
     {"hale.toml:4:13: header name \"Bad Header\" is not a valid HTTP header name"}},
    {"HeadersNotATable", http_check("headers = [\"A: b\"]"),
     {"hale.toml:4:11: `headers` must be a table, not an array"}},
    {"CaFileMissing", http_check("ca_file = \"/nonexistent/ca.pem\""),
     {"hale.toml:4:11: `ca_file` \"/nonexistent/ca.pem\": cannot read: No such file or directory"}},
    {"InsecureSkipVerifyNotABool", http_check("insecure_skip_verify = \"yes\""),
     {"hale.toml:4:24: `insecure_skip_verify` must be true or false, not a string"}},

    // tls.
    {"TlsNeedsTargetOrFile", "[checks.cert]\ntype = \"tls\"\n",
     {"hale.toml:1:1: check \"cert\": type \"tls\" needs `target` (host:port) or `file` (a PEM certificate chain)"}},
    {"TlsTargetAndFile", tls_check("file = \"api.pem\""),
     {"hale.toml:4:8: `target` and `file` cannot both be set: a tls check reads one chain"}},
    {"TlsFileThenTarget", "[checks.cert]\ntype = \"tls\"\nfile = \"api.pem\"\ntarget = \"api:443\"\n",
     {"hale.toml:4:10: `target` and `file` cannot both be set: a tls check reads one chain"}},
    {"TlsBadTarget", "[checks.cert]\ntype = \"tls\"\ntarget = \"api\"\n",
     {"hale.toml:3:10: `target` \"api\": needs a port (host:port)"}},
    {"TlsServerNameWithFile", "[checks.cert]\ntype = \"tls\"\nfile = \"api.pem\"\nserver_name = \"api\"\n",
     {"hale.toml:4:15: `server_name` needs `target`: a chain read from `file` is not checked against a name"}},
    {"TlsBadServerName", tls_check("server_name = \"api internal\""),
     {"hale.toml:4:15: `server_name` \"api internal\" is not a host name"}},
    {"TlsEmptyFile", "[checks.cert]\ntype = \"tls\"\nfile = \"\"\n", {"hale.toml:3:8: `file` must not be empty"}},
    {"TlsWarnBeforeNotADuration", tls_check("warn_before = \"2 weeks\""),
     {"hale.toml:4:15: `warn_before`: invalid duration \"2 weeks\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"TlsWarnBeforeZero", tls_check("warn_before = \"0d\""), {"hale.toml:4:15: `warn_before` must be greater than 0"}},
    {"TlsFailBeforeNotUnderWarnBefore", tls_check("warn_before = \"7d\"\nfail_before = \"7d\""),
     {"hale.toml:5:15: fail_before (7d) must be less than warn_before (7d)"}},
    {"TlsWarnBeforeUnderDefaultFailBefore", tls_check("warn_before = \"2d\""),
     {"hale.toml:4:15: fail_before (3d) must be less than warn_before (2d)"}},
    {"TlsCaFileMissing", tls_check("ca_file = \"/nonexistent/ca.pem\""),
     {"hale.toml:4:11: `ca_file` \"/nonexistent/ca.pem\": cannot read: No such file or directory"}},
    {"TlsKeyOfHttp", tls_check("expect_status = 200"),
     {"hale.toml:4:1: `expect_status` does not apply to a tls check"}},
    {"WarnBeforeOnTcp", tcp_check("warn_before = \"14d\""),
     {"hale.toml:4:1: `warn_before` does not apply to a tcp check"}},
    {"WarnBeforeInDefaults", "[defaults]\nwarn_before = \"14d\"\n",
     {"hale.toml:2:1: `warn_before` cannot be set in [defaults]; set it in each [checks.NAME]"}},

    // grpc.
    {"GrpcBadTarget", "[checks.rpc]\ntype = \"grpc\"\ntarget = \"api\"\n",
     {"hale.toml:3:10: `target` \"api\": needs a port (host:port)"}},
    {"GrpcServiceNotAString", grpc_check("service = 5"), {"hale.toml:4:11: `service` must be a string, not an integer"}},
    {"GrpcServiceWithControlCharacter", grpc_check("service = \"api\\tv1\""),
     {"hale.toml:4:11: `service` must not contain control characters"}},
    {"GrpcTlsNotABool", grpc_check("tls = \"yes\""), {"hale.toml:4:7: `tls` must be true or false, not a string"}},
    {"GrpcServerNameWithoutTls", grpc_check("server_name = \"api.internal\""),
     {"hale.toml:4:15: `server_name` needs `tls = true`: a plaintext grpc check has no certificate to verify"}},
    {"GrpcServerNameWithTlsFalse", grpc_check("tls = false\nserver_name = \"api.internal\""),
     {"hale.toml:5:15: `server_name` needs `tls = true`: a plaintext grpc check has no certificate to verify"}},
    {"GrpcBadTlsReportsOnlyTheTls", grpc_check("tls = 1\nserver_name = \"api.internal\""),
     {"hale.toml:4:7: `tls` must be true or false, not an integer"}},
    {"GrpcCaFileMissing", grpc_check("tls = true\nca_file = \"/nonexistent/ca.pem\""),
     {"hale.toml:5:11: `ca_file` \"/nonexistent/ca.pem\": cannot read: No such file or directory"}},
    {"GrpcCaFileMissingWithoutTlsIsOneError", grpc_check("ca_file = \"/nonexistent/ca.pem\""),
     {"hale.toml:4:11: `ca_file` \"/nonexistent/ca.pem\": cannot read: No such file or directory"}},
    {"GrpcBadServerName", grpc_check("tls = true\nserver_name = \"api internal\""),
     {"hale.toml:5:15: `server_name` \"api internal\" is not a host name"}},
    {"GrpcInsecureSkipVerify", grpc_check("insecure_skip_verify = true"),
     {"hale.toml:4:1: `insecure_skip_verify` does not apply to a grpc check"}},
    {"GrpcKeyOfHttp", grpc_check("url = \"http://api/\""), {"hale.toml:4:1: `url` does not apply to a grpc check"}},
    {"GrpcKeyOfTls", grpc_check("file = \"api.pem\""), {"hale.toml:4:1: `file` does not apply to a grpc check"}},
    {"GrpcServiceTypo", grpc_check("servce = \"api\""),
     {"hale.toml:4:1: unknown key `servce` in [checks.rpc]; did you mean `service`?"}},
    {"ServiceOnTcp", tcp_check("service = \"api\""), {"hale.toml:4:1: `service` does not apply to a tcp check"}},
    {"TlsKeyOnTcp", tcp_check("tls = true"), {"hale.toml:4:1: `tls` does not apply to a tcp check"}},
    {"ServiceInDefaults", "[defaults]\nservice = \"api\"\n",
     {"hale.toml:2:1: `service` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"GrpcTlsInDefaults", "[defaults]\ntls = true\n",
     {"hale.toml:2:1: `tls` cannot be set in [defaults]; set it in each [checks.NAME]"}},

    // Names and shapes.
    {"CheckNameWithSpace", "[checks.\"my db\"]\ntype = \"tcp\"\ntarget = \"db:1\"\n",
     {"hale.toml:1:1: check name \"my db\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    {"CheckNameWithSlash", "[checks.\"a/b\"]\ntype = \"tcp\"\ntarget = \"db:1\"\n",
     {"hale.toml:1:1: check name \"a/b\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    // Issue 17: `.`, `..` and `-x` are a path step or a CLI option, not a name.
    {"CheckNameDot", "[checks.\".\"]\ntype = \"tcp\"\ntarget = \"db:1\"\n",
     {"hale.toml:1:1: check name \".\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    {"CheckNameDotDot", "[checks.\"..\"]\ntype = \"tcp\"\ntarget = \"db:1\"\n",
     {"hale.toml:1:1: check name \"..\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    {"CheckNameDash", "[checks.\"-\"]\ntype = \"tcp\"\ntarget = \"db:1\"\n",
     {"hale.toml:1:1: check name \"-\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    {"CheckNameTooLong", "[checks." + std::string(129, 'a') + "]\ntype = \"tcp\"\ntarget = \"db:1\"\n",
     {"hale.toml:1:1: check name \"" + std::string(32, 'a') + "…\" is longer than 128 characters"}},
    {"CheckNotATable", "[checks]\ndb = \"tcp://db:5432\"\n",
     {"hale.toml:2:6: `checks.db` must be a table, not a string"}},
    {"ChecksNotATable", "checks = [\"db\"]\n", {"hale.toml:1:10: `checks` must be a table, not an array"}},
};

class CheckErrors : public ::testing::TestWithParam<Case> {};

TEST_P(CheckErrors, ReportsExactMessageAndPosition) {
  const Case& c = GetParam();
  const LoadResult r = load_config_string(c.toml, "hale.toml");
  EXPECT_EQ(testing::error_lines(r), c.errors) << c.toml;
  EXPECT_FALSE(r.config.has_value());
}

INSTANTIATE_TEST_SUITE_P(Config, CheckErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace hale
