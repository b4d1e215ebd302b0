// The expiry check's judgement on fixed instants: where the date is in a document (JWT, JWT at
// a JSON pointer, timestamp at a JSON pointer), the verdict at the warn/fail boundaries, the
// wording of the time left, and that no message ever carries the token or a value from the
// document.
#include <gtest/gtest.h>

#include "hale/probe/expiry_date.h"
#include "support/test_jwt.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;
using testing::make_jwt;

// 2026-11-23T10:00:00Z.
const ExpiryTime kAt{seconds(1795428000)};
const WallTime kNow = std::chrono::system_clock::from_time_t(1795428000);
constexpr Duration kWarn = 60min;
constexpr Duration kFail = 5min;

// A Claude Code credentials file, as SPEC §5's example reads it (milliseconds).
const std::string kClaudeCredentials =
    R"({"claudeAiOauth":{"accessToken":"sk-ant-oat01-SECRET-ACCESS","refreshToken":"sk-ant-ort01-SECRET-REFRESH",)"
    R"("expiresAt":1795428000000,"scopes":["user:inference"]}})";

StatusOr<ExpiryTime> json_at(const std::string& document, const std::string& pointer) {
  return find_expiry(document, ExpiryFormat::kJson, pointer);
}

// ---- find_expiry ----

TEST(FindExpiry, WholeDocumentIsAJwt) {
  auto at = find_expiry(make_jwt(R"({"exp":1795428000})") + "\n", ExpiryFormat::kJwt, std::nullopt);
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kAt);
}

TEST(FindExpiry, JwtAtAPointer) {
  const std::string doc = R"({"token_type":"Bearer","access_token":")" + make_jwt(R"({"exp":1795428000})") + R"("})";
  auto at = find_expiry(doc, ExpiryFormat::kJwt, "/access_token");
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kAt);
}

TEST(FindExpiry, TimestampAtAPointer) {
  struct Case {
    std::string doc;
    std::string pointer;
  };
  for (const Case& c : std::vector<Case>{
           {kClaudeCredentials, "/claudeAiOauth/expiresAt"},
           {R"({"expires_at":"2026-11-23T10:00:00Z"})", "/expires_at"},
           {R"({"expires_at":"2026-11-23T12:00:00.250+02:00"})", "/expires_at"},
           {R"({"expires_at":"1795428000"})", "/expires_at"},
           {R"({"expires_at":1795428000.5})", "/expires_at"},
           {R"({"tokens":[{"exp":0},{"exp":1795428000}]})", "/tokens/1/exp"},
           {R"({"a/b":{"m~n":1795428000}})", "/a~1b/m~0n"},  // RFC 6901 escapes
           {"1795428000\n", ""},                              // the whole document
       }) {
    auto at = json_at(c.doc, c.pointer);
    ASSERT_TRUE(at) << c.pointer << ": " << at.status().message();
    EXPECT_EQ(*at, kAt) << c.doc;
  }
}

struct BadDocument {
  const char* name;
  std::string doc;
  ExpiryFormat format;
  std::optional<std::string> pointer;
  std::string error;
};

const std::vector<BadDocument> kBadDocuments = {
    {"NotJson", "expires_at=1795428000", ExpiryFormat::kJson, "/expires_at", "document is not JSON"},
    {"TruncatedJson", R"({"expires_at": 17954)", ExpiryFormat::kJson, "/expires_at", "document is not JSON"},
    {"NoValueAtPointer", kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth/expires_at",
     "no value at /claudeAiOauth/expires_at"},
    {"PointerThroughAString", kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth/accessToken/x",
     "no value at /claudeAiOauth/accessToken/x"},
    {"ArrayIndexNotANumber", R"({"t":[1795428000]})", ExpiryFormat::kJson, "/t/first", "no value at /t/first"},
    {"ArrayIndexPastTheEnd", R"({"t":[1795428000]})", ExpiryFormat::kJson, "/t/1", "no value at /t/1"},
    {"ValueIsASecretString", kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth/accessToken",
     "value at /claudeAiOauth/accessToken is a string but not a timestamp (want ISO 8601 like 2026-11-23T10:00:00Z, "
     "or seconds or milliseconds since the epoch)"},
    {"ValueIsAnObject", kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth",
     "value at /claudeAiOauth is not a timestamp but an object"},
    {"ValueIsAnArray", kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth/scopes",
     "value at /claudeAiOauth/scopes is not a timestamp but an array"},
    {"ValueIsNull", R"({"expires_at":null})", ExpiryFormat::kJson, "/expires_at",
     "value at /expires_at is not a timestamp but null"},
    {"ValueIsABoolean", R"({"expires_at":true})", ExpiryFormat::kJson, "/expires_at",
     "value at /expires_at is not a timestamp but a boolean"},
    {"ValueIsANegativeNumber", R"({"expires_at":-1})", ExpiryFormat::kJson, "/expires_at",
     "value at /expires_at is a number but not a date (want seconds or milliseconds since the epoch, 1970 to 9999)"},
    {"WholeDocumentNotATimestamp", R"("soon")", ExpiryFormat::kJson, "",
     "value at the document root is a string but not a timestamp (want ISO 8601 like 2026-11-23T10:00:00Z, or "
     "seconds or milliseconds since the epoch)"},
    {"JwtExpectedButJsonGiven", kClaudeCredentials, ExpiryFormat::kJwt, std::nullopt,
     "not a JWT (want header.payload.signature); the document is JSON: set `json_pointer` to where the token is"},
    {"JwtAtPointerNotAString", R"({"access_token":42})", ExpiryFormat::kJwt, "/access_token",
     "value at /access_token is not a JWT but a number"},
    {"JwtAtPointerNotAJwt", kClaudeCredentials, ExpiryFormat::kJwt, "/claudeAiOauth/accessToken",
     "value at /claudeAiOauth/accessToken: not a JWT (want header.payload.signature)"},
    {"JwtAtPointerWithoutExp", R"({"id_token":")" + make_jwt(R"({"sub":"me"})") + R"("})", ExpiryFormat::kJwt,
     "/id_token", "value at /id_token: JWT has no `exp` claim"},
    {"JwtAtMissingPointer", R"({"id_token":"x"})", ExpiryFormat::kJwt, "/access_token", "no value at /access_token"},
};

class FindExpiryErrors : public ::testing::TestWithParam<BadDocument> {};

TEST_P(FindExpiryErrors, SaysWhyAndNeverQuotesTheDocument) {
  const BadDocument& c = GetParam();
  auto at = find_expiry(c.doc, c.format, c.pointer);
  ASSERT_FALSE(at);
  EXPECT_EQ(at.status().message(), c.error);
  EXPECT_EQ(at.status().message().find("SECRET"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Table, FindExpiryErrors, ::testing::ValuesIn(kBadDocuments),
                         [](const auto& info) { return std::string(info.param.name); });

// The token and the secrets around a date appear in no message, pass or fail (SPEC §5: "the
// token itself is never logged or shown").
TEST(FindExpiry, NoMessageCarriesTheTokenOrASecret) {
  const std::string secret_claim = "subject-secret-4711";
  const std::string jwt = make_jwt(R"({"sub":")" + secret_claim + R"(","exp":1795428000})");
  const std::string jwt_no_exp = make_jwt(R"({"sub":")" + secret_claim + R"("})");
  const std::string wrapped = R"({"access_token":")" + jwt + R"(","refresh_token":"sk-ant-ort01-SECRET-REFRESH"})";
  struct Case {
    std::string doc;
    ExpiryFormat format;
    std::optional<std::string> pointer;
  };
  const std::vector<Case> cases = {
      {jwt, ExpiryFormat::kJwt, std::nullopt},
      {jwt_no_exp, ExpiryFormat::kJwt, std::nullopt},
      {jwt.substr(0, jwt.find('.')) + "*" + jwt.substr(jwt.find('.') + 1), ExpiryFormat::kJwt, std::nullopt},
      {wrapped, ExpiryFormat::kJwt, "/access_token"},
      {wrapped, ExpiryFormat::kJwt, "/refresh_token"},
      {wrapped, ExpiryFormat::kJson, "/access_token"},
      {wrapped, ExpiryFormat::kJson, "/refresh_token"},
      {wrapped, ExpiryFormat::kJwt, std::nullopt},
      {kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth/expiresAt"},
      {kClaudeCredentials, ExpiryFormat::kJson, "/claudeAiOauth/refreshToken"},
      {kClaudeCredentials.substr(0, 60), ExpiryFormat::kJson, "/claudeAiOauth/expiresAt"},
  };
  const std::vector<std::string> forbidden = {jwt, jwt.substr(0, jwt.find('.')),
                                              jwt.substr(jwt.find('.') + 1, 20), secret_claim, "SECRET"};
  int passes = 0;
  for (const Case& c : cases) {
    auto at = find_expiry(c.doc, c.format, c.pointer);
    const std::string message = at ? judge_expiry_date(*at, kNow, kWarn, kFail).reason : at.status().message();
    passes += at ? 1 : 0;
    ASSERT_FALSE(message.empty());
    for (const std::string& f : forbidden) EXPECT_EQ(message.find(f), std::string::npos) << message;
  }
  EXPECT_EQ(passes, 3);  // the readable ones were read: both JWTs with exp, and expiresAt
}

// ---- the verdict ----

TEST(FormatTimeLeft, TwoLargestUnitsRoundedDown) {
  EXPECT_EQ(format_time_left(0s), "0s");
  EXPECT_EQ(format_time_left(59s), "59s");
  EXPECT_EQ(format_time_left(60s), "1m");
  EXPECT_EQ(format_time_left(4min + 30s), "4m30s");
  EXPECT_EQ(format_time_left(1h), "1h");
  EXPECT_EQ(format_time_left(3h + 12min + 59s), "3h12m");
  EXPECT_EQ(format_time_left(24h), "1d");
  EXPECT_EQ(format_time_left(26h + 59min), "1d2h");
  EXPECT_EQ(format_time_left(-2h), "2h");
}

struct VerdictCase {
  const char* name;
  seconds left;  // expires_at - now
  Verdict verdict;
  std::string reason;
  std::string code;
};

const std::vector<VerdictCase> kVerdicts = {
    {"WellAhead", 3h + 12min, Verdict::kPass, "expires in 3h12m (2026-11-23T13:12:00Z)", ""},
    {"ExactlyWarnBeforeIsStillAPass", 60min, Verdict::kPass, "expires in 1h (2026-11-23T11:00:00Z)", ""},
    {"JustUnderWarnBefore", 60min - 1s, Verdict::kWarn, "expires in 59m59s (2026-11-23T10:59:59Z)", "expiry"},
    {"ExactlyFailBeforeIsAWarn", 5min, Verdict::kWarn, "expires in 5m (2026-11-23T10:05:00Z)", "expiry"},
    {"JustUnderFailBefore", 5min - 1s, Verdict::kFail, "expires in 4m59s (2026-11-23T10:04:59Z)", "expiry"},
    {"OneSecondLeft", 1s, Verdict::kFail, "expires in 1s (2026-11-23T10:00:01Z)", "expiry"},
    {"ExpiringNow", 0s, Verdict::kFail, "expired 0s ago (2026-11-23T10:00:00Z)", "expiry"},
    {"ExpiredTwoHoursAgo", -2h, Verdict::kFail, "expired 2h ago (2026-11-23T08:00:00Z)", "expiry"},
    {"ExpiredDaysAgo", -(50h + 5min), Verdict::kFail, "expired 2d2h ago (2026-11-21T07:55:00Z)", "expiry"},
};

class ExpiryVerdict : public ::testing::TestWithParam<VerdictCase> {};

TEST_P(ExpiryVerdict, AtTheBoundaries) {
  const VerdictCase& c = GetParam();
  const ProbeResult r = judge_expiry_date(kAt + c.left, kNow, kWarn, kFail);
  EXPECT_EQ(r.verdict, c.verdict);
  EXPECT_EQ(r.reason, c.reason);
  EXPECT_EQ(to_string(r.error), c.code);
}

INSTANTIATE_TEST_SUITE_P(Table, ExpiryVerdict, ::testing::ValuesIn(kVerdicts),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ExpiryVerdict, NowIsCountedInWholeSeconds) {
  // 999 ms past the second still leaves exactly warn_before: a pass, not a warn.
  const ProbeResult r = judge_expiry_date(kAt + 60min, kNow + 999ms, kWarn, kFail);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "expires in 1h (2026-11-23T11:00:00Z)");
}

TEST(ExpiryVerdict, SubSecondThresholdsRoundUp) {
  // fail_before 1500ms: one second left is under it, two seconds are not.
  EXPECT_EQ(judge_expiry_date(kAt + 1s, kNow, kWarn, 1500ms).verdict, Verdict::kFail);
  EXPECT_EQ(judge_expiry_date(kAt + 2s, kNow, kWarn, 1500ms).verdict, Verdict::kWarn);
}

TEST(ExpiryVerdict, ZeroFailBeforeFailsOnlyOnceExpired) {
  EXPECT_EQ(judge_expiry_date(kAt + 1s, kNow, kWarn, Duration::zero()).verdict, Verdict::kWarn);
  EXPECT_EQ(judge_expiry_date(kAt, kNow, kWarn, Duration::zero()).verdict, Verdict::kFail);
}

TEST(ExpiryVerdict, NeverExpiringDateIsAPassWithoutOverflow) {
  // Nearly 8000 years ahead: more than nanoseconds can count.
  auto never = parse_iso8601("9999-12-31T23:59:59Z");
  ASSERT_TRUE(never);
  const ProbeResult r = judge_expiry_date(*never, kNow, kWarn, kFail);
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "expires in 2912116d13h (9999-12-31T23:59:59Z)");
}

}  // namespace
}  // namespace hale
