// Reading a JWT's `exp`: base64url as JWTs write it (no padding, '-' and '_'), the claim as an
// integer, a float or milliseconds, and every way a token can be unreadable, each with its
// message and none quoting the token.
#include <gtest/gtest.h>

#include "hale/probe/jwt.h"
#include "support/test_jwt.h"

namespace hale {
namespace {

using testing::base64url;
using testing::make_jwt;

// 2026-11-23T10:00:00Z.
const ExpiryTime kExp{std::chrono::seconds(1795428000)};

TEST(Base64Url, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(base64url_decode("TWFu"), "Man");
  EXPECT_EQ(base64url_decode("TWE"), "Ma");
  EXPECT_EQ(base64url_decode("TQ"), "M");
  EXPECT_EQ(base64url_decode("TWE="), "Ma");
  EXPECT_EQ(base64url_decode("TQ=="), "M");
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(Base64Url, UsesDashAndUnderscoreForPlusAndSlash) {
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(base64url_decode("Pz8_"), "???");
  // The standard alphabet's '+' and '/' are not base64url.
  EXPECT_EQ(base64url_decode("+/8"), std::nullopt);
  EXPECT_EQ(base64url_decode("Pz8/"), std::nullopt);
}

TEST(Base64Url, RefusesImpossibleLengthsAndStrayPadding) {
  EXPECT_EQ(base64url_decode("T"), std::nullopt);      // 6 bits: no whole byte
  EXPECT_EQ(base64url_decode("TWFuT"), std::nullopt);
  EXPECT_EQ(base64url_decode("TQ="), std::nullopt);    // padding that does not complete a group
  EXPECT_EQ(base64url_decode("T=Q="), std::nullopt);   // '=' inside
  EXPECT_EQ(base64url_decode("TQ==="), std::nullopt);  // three '='
  EXPECT_EQ(base64url_decode("TW u"), std::nullopt);
}

TEST(JwtExpiry, ReadsTheExpClaim) {
  auto at = jwt_expiry(make_jwt(R"({"sub":"svc","iat":1795400000,"exp":1795428000})"));
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kExp);
}

TEST(JwtExpiry, PayloadWhoseEncodingHasDashAndUnderscore) {
  // "???" and ">>>" encode to '_' and '-' in base64url ("Pz8_", "Pj4-").
  const std::string claims = R"({"exp":1795428000,"q":"???>>>??>"})";
  const std::string token = make_jwt(claims);
  const std::string payload = base64url(claims);
  ASSERT_NE(payload.find('_'), std::string::npos) << payload;
  ASSERT_NE(payload.find('-'), std::string::npos) << payload;
  ASSERT_NE(payload.size() % 4, 0u) << "the test wants a payload that would need padding";
  auto at = jwt_expiry(token);
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kExp);
}

TEST(JwtExpiry, ExpAsFloatIsRoundedDown) {
  auto at = jwt_expiry(make_jwt(R"({"exp":1795428000.75})"));
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kExp);
}

TEST(JwtExpiry, ExpInMillisecondsIsRecognised) {
  auto at = jwt_expiry(make_jwt(R"({"exp":1795428000999})"));
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kExp);
}

TEST(JwtExpiry, SurroundingWhitespaceAndAnEmptySignature) {
  // `echo $TOKEN > file` adds a newline; an unsecured JWT ("alg":"none") has no signature.
  const std::string unsigned_token = base64url(R"({"alg":"none"})") + "." + base64url(R"({"exp":1795428000})") + ".";
  auto at = jwt_expiry("  " + unsigned_token + "\n");
  ASSERT_TRUE(at) << at.status().message();
  EXPECT_EQ(*at, kExp);
}

struct BadToken {
  const char* name;
  std::string token;
  std::string error;
};

const std::vector<BadToken> kBadTokens = {
    {"Empty", "", "not a JWT (want header.payload.signature)"},
    {"OneWord", "hunter2-not-a-token", "not a JWT (want header.payload.signature)"},
    {"TwoParts", make_jwt(R"({"exp":1})").substr(0, make_jwt(R"({"exp":1})").rfind('.')),
     "not a JWT (want header.payload.signature)"},
    {"FourParts", make_jwt(R"({"exp":1})") + ".x", "not a JWT (want header.payload.signature)"},
    {"EmptyPayload", base64url(R"({"alg":"none"})") + "..sig", "not a JWT (want header.payload.signature)"},
    {"Jwe", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "an encrypted JWT (JWE) has no readable `exp`"},
    {"HeaderNotBase64", "a*b.c.d", "not a JWT: the header is not base64url JSON"},
    {"HeaderNotJson", base64url("hello") + "." + base64url(R"({"exp":1})") + ".s",
     "not a JWT: the header is not base64url JSON"},
    {"PayloadNotBase64", base64url(R"({"alg":"none"})") + ".p@yload.s", "not a JWT: the payload is not base64url"},
    {"PayloadNotJson", base64url(R"({"alg":"none"})") + "." + base64url("secret-ish text") + ".s",
     "JWT payload is not a JSON object"},
    {"PayloadAnArray", make_jwt(R"([1795428000])"), "JWT payload is not a JSON object"},
    {"NoExp", make_jwt(R"({"sub":"svc","iat":1795400000})"), "JWT has no `exp` claim"},
    {"ExpAString", make_jwt(R"({"exp":"1795428000"})"), "JWT `exp` claim is not a number"},
    {"ExpNull", make_jwt(R"({"exp":null})"), "JWT `exp` claim is not a number"},
    {"ExpNegative", make_jwt(R"({"exp":-5})"), "JWT `exp` claim is out of range"},
    {"ExpHuge", make_jwt(R"({"exp":1e300})"), "JWT `exp` claim is out of range"},
};

class JwtExpiryErrors : public ::testing::TestWithParam<BadToken> {};

TEST_P(JwtExpiryErrors, ReportsWhyWithoutQuotingTheToken) {
  const BadToken& c = GetParam();
  auto at = jwt_expiry(c.token);
  ASSERT_FALSE(at);
  EXPECT_EQ(at.status().message(), c.error);
  for (std::size_t start = 0; start < c.token.size(); start = c.token.find('.', start) + 1) {
    const std::string part = c.token.substr(start, c.token.find('.', start) - start);
    if (part.size() >= 4) {
      EXPECT_EQ(at.status().message().find(part), std::string::npos) << part;
    }
    if (c.token.find('.', start) == std::string::npos) break;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, JwtExpiryErrors, ::testing::ValuesIn(kBadTokens),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hale
