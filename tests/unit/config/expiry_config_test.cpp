// expiry checks in hale.toml: the keys read into CheckSpec, the defaults (thresholds of their
// own, the format implied by json_pointer), that `source` is kept as a reference and not read
// at load, and every error with its exact text and position.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::config_errors;
using hale::testing::error_lines;

// A copy: the LoadResult is often a temporary.
CheckSpec only_check(const LoadResult& r) {
  if (!r.config || r.config->checks.size() != 1) {
    ADD_FAILURE() << ::testing::PrintToString(error_lines(r));
    return CheckSpec{};
  }
  return r.config->checks[0];
}

// The one check's expiry keys (a failure, and defaults, when it is not an expiry check).
ExpiryCheck only_expiry(const LoadResult& r) {
  const CheckSpec c = only_check(r);
  if (c.as<ExpiryCheck>() == nullptr) {
    ADD_FAILURE() << "not an expiry check: " << to_string(c.type());
    return ExpiryCheck{};
  }
  return *c.as<ExpiryCheck>();
}

TEST(ExpiryConfig, EveryKeyIsRead) {
  const LoadResult r = load_config_string(R"([checks.claude-token]
type = "expiry"
source = "file:creds/.credentials.json"
format = "json"
json_pointer = "/claudeAiOauth/expiresAt"
warn_before = "2h"
fail_before = "10m"
interval = "1m"
critical = false
)",
                                          "/etc/hale/hale.toml");
  const CheckSpec spec = only_check(r);
  EXPECT_EQ(spec.type(), CheckType::kExpiry);
  EXPECT_EQ(spec.interval, 1min);
  EXPECT_FALSE(spec.critical);
  const ExpiryCheck c = only_expiry(r);
  EXPECT_EQ(c.source_kind, ExpirySource::kFile);
  EXPECT_EQ(c.source, "/etc/hale/creds/.credentials.json");  // relative to the config file
  EXPECT_EQ(c.format, ExpiryFormat::kJson);
  EXPECT_EQ(c.json_pointer, "/claudeAiOauth/expiresAt");
  EXPECT_EQ(c.warn_before, 2h);
  EXPECT_EQ(c.fail_before, 10min);
}

TEST(ExpiryConfig, DefaultsForAJwtInTheEnvironment) {
  const ExpiryCheck c = only_expiry(load_config_string("[checks.t]\ntype = \"expiry\"\nsource = \"env:API_TOKEN\"\n",
                                                     "hale.toml"));
  EXPECT_EQ(c.source_kind, ExpirySource::kEnv);
  EXPECT_EQ(c.source, "API_TOKEN");
  EXPECT_EQ(c.format, ExpiryFormat::kJwt);  // no json_pointer: the whole value is the token
  EXPECT_EQ(c.json_pointer, std::nullopt);
  // A token's thresholds, not a certificate's 14d/3d.
  EXPECT_EQ(c.warn_before, 1h);
  EXPECT_EQ(c.fail_before, 5min);
}

TEST(ExpiryConfig, APlainPathIsAFile) {
  const ExpiryCheck c =
      only_expiry(load_config_string("[checks.t]\ntype = \"expiry\"\nsource = \"/run/secrets/token\"\n", "hale.toml"));
  EXPECT_EQ(c.source_kind, ExpirySource::kFile);
  EXPECT_EQ(c.source, "/run/secrets/token");
}

TEST(ExpiryConfig, APointerAloneMeansJson) {
  const ExpiryCheck c = only_expiry(load_config_string(
      "[checks.t]\ntype = \"expiry\"\nsource = \"/x.json\"\njson_pointer = \"/expires_at\"\n", "hale.toml"));
  EXPECT_EQ(c.format, ExpiryFormat::kJson);
  EXPECT_EQ(c.json_pointer, "/expires_at");
}

TEST(ExpiryConfig, AJwtAtAPointer) {
  const ExpiryCheck c = only_expiry(load_config_string(
      "[checks.t]\ntype = \"expiry\"\nsource = \"/x.json\"\nformat = \"jwt\"\njson_pointer = \"/access_token\"\n",
      "hale.toml"));
  EXPECT_EQ(c.format, ExpiryFormat::kJwt);
  EXPECT_EQ(c.json_pointer, "/access_token");
}

TEST(ExpiryConfig, AnEmptyPointerIsTheWholeDocument) {
  const ExpiryCheck c = only_expiry(load_config_string(
      "[checks.t]\ntype = \"expiry\"\nsource = \"/x\"\nformat = \"json\"\njson_pointer = \"\"\n", "hale.toml"));
  EXPECT_EQ(c.format, ExpiryFormat::kJson);
  EXPECT_EQ(c.json_pointer, "");
}

TEST(ExpiryConfig, UrlSource) {
  const LoadResult r = load_config_string(
      "[checks.t]\ntype = \"expiry\"\nurl = \"http://svc:pa55word@127.0.0.1:9/oauth/status\"\njson_pointer = "
      "\"/expires_at\"\n",
      "hale.toml");
  const ExpiryCheck c = only_expiry(r);
  EXPECT_EQ(c.source_kind, ExpirySource::kUrl);
  EXPECT_EQ(c.source, "");
  EXPECT_EQ(c.url, "http://svc:pa55word@127.0.0.1:9/oauth/status");
  // The URL's password goes to the log redactor, as for http checks.
  ASSERT_TRUE(r.config);
  EXPECT_NE(std::find(r.config->secrets.begin(), r.config->secrets.end(), "pa55word"), r.config->secrets.end());
}

TEST(ExpiryConfig, SourceIsNotReadAtLoad) {
  // The credential is what the check watches: a missing file or variable is a failing check,
  // not a config that cannot load, and nothing of it becomes a load-time secret.
  ::unsetenv("HALE_EXPIRY_CONFIG_TEST_UNSET");
  const LoadResult r = load_config_string(
      "[checks.a]\ntype = \"expiry\"\nsource = \"env:HALE_EXPIRY_CONFIG_TEST_UNSET\"\n"
      "[checks.b]\ntype = \"expiry\"\nsource = \"file:/nonexistent/hale/token\"\n",
      "hale.toml");
  ASSERT_EQ(error_lines(r), std::vector<std::string>{});
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->checks.size(), 2u);
  EXPECT_TRUE(r.config->secrets.empty());
}

TEST(ExpiryConfig, ChangingTheSourceOrPointerIsAChange) {
  auto load = [](const std::string& source, const std::string& pointer) {
    return *load_config_string("[checks.t]\ntype = \"expiry\"\nsource = \"" + source + "\"\njson_pointer = \"" +
                                   pointer + "\"\n",
                               "hale.toml")
                .config->find_check("t");
  };
  EXPECT_TRUE(load("/a", "/x") == load("/a", "/x"));
  EXPECT_FALSE(load("/a", "/x") == load("/b", "/x"));
  EXPECT_FALSE(load("/a", "/x") == load("/a", "/y"));
  EXPECT_FALSE(load("/a", "/x") == load("env:a", "/x"));
}

struct Case {
  const char* name;
  std::string toml;
  std::vector<std::string> errors;
};

// A valid expiry check to add one line to, at line 4.
std::string expiry_check(const std::string& line4) {
  return "[checks.tok]\ntype = \"expiry\"\nsource = \"env:TOKEN\"\n" + line4 + "\n";
}

const std::vector<Case> kCases = {
    {"NeedsSourceOrUrl", "[checks.tok]\ntype = \"expiry\"\n",
     {"hale.toml:1:1: check \"tok\": type \"expiry\" needs `source` (file:PATH, env:NAME or a path) or `url`"}},
    {"SourceAndUrl", expiry_check("url = \"http://127.0.0.1:9/t\""),
     {"hale.toml:4:7: `source` and `url` cannot both be set: an expiry check reads one document"}},
    {"UrlAndSource", "[checks.tok]\ntype = \"expiry\"\nurl = \"http://127.0.0.1:9/t\"\nsource = \"/t\"\n",
     {"hale.toml:4:10: `source` and `url` cannot both be set: an expiry check reads one document"}},
    {"EmptySource", "[checks.tok]\ntype = \"expiry\"\nsource = \"\"\n", {"hale.toml:3:10: `source` must not be empty"}},
    {"SourceNotAString", "[checks.tok]\ntype = \"expiry\"\nsource = 5\n",
     {"hale.toml:3:10: `source` must be a string, not an integer"}},
    {"EnvWithoutName", "[checks.tok]\ntype = \"expiry\"\nsource = \"env:\"\n",
     {"hale.toml:3:10: `source`: `env:` needs a variable name, e.g. env:API_TOKEN"}},
    {"FileWithoutPath", "[checks.tok]\ntype = \"expiry\"\nsource = \"file:\"\n",
     {"hale.toml:3:10: `source`: `file:` needs a path, e.g. file:/run/secrets/token.json"}},
    {"SourceIsAUrl", "[checks.tok]\ntype = \"expiry\"\nsource = \"https://user:pw@idp/token\"\n",
     {"hale.toml:3:10: `source` is a file or env:NAME; a URL goes in `url`"}},
    {"UrlNotHttp", "[checks.tok]\ntype = \"expiry\"\nurl = \"ftp://idp/token\"\n",
     {"hale.toml:3:7: `url` must start with http:// or https://"}},
    {"UnknownFormat", expiry_check("format = \"pem\""),
     {"hale.toml:4:10: `format`: unknown format \"pem\" (expected jwt: the `exp` claim, or json: a timestamp at "
      "`json_pointer`)"}},
    {"JsonWithoutPointer", expiry_check("format = \"json\""),
     {"hale.toml:4:10: `format = \"json\"` needs `json_pointer` (where the timestamp is, e.g. \"/expires_at\")"}},
    {"PointerWithoutSlash", expiry_check("json_pointer = \"claudeAiOauth/expiresAt\""),
     {"hale.toml:4:16: `json_pointer` \"claudeAiOauth/expiresAt\" must start with '/' (RFC 6901), e.g. "
      "\"/claudeAiOauth/expiresAt\""}},
    {"PointerWithABadEscape", expiry_check("json_pointer = \"/a~2b\""),
     {"hale.toml:4:16: `json_pointer` \"/a~2b\" has a '~' not followed by 0 or 1 (write ~0 for '~' and ~1 for '/')"}},
    {"PointerEndingInTilde", expiry_check("json_pointer = \"/a~\""),
     {"hale.toml:4:16: `json_pointer` \"/a~\" has a '~' not followed by 0 or 1 (write ~0 for '~' and ~1 for '/')"}},
    {"PointerNotAString", expiry_check("json_pointer = [\"a\"]"),
     {"hale.toml:4:16: `json_pointer` must be a string, not an array"}},
    {"FailBeforeNotUnderTheDefaultWarnBefore", expiry_check("fail_before = \"1h\""),
     {"hale.toml:4:15: fail_before (1h) must be less than warn_before (1h)"}},
    {"ZeroWarnBefore", expiry_check("warn_before = \"0s\""), {"hale.toml:4:15: `warn_before` must be greater than 0"}},
    {"WarnBeforeInDefaults", "[defaults]\nwarn_before = \"1h\"\n",
     {"hale.toml:2:1: `warn_before` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"SourceInDefaults", "[defaults]\nsource = \"env:TOKEN\"\n",
     {"hale.toml:2:1: `source` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"TargetOnExpiry", expiry_check("target = \"idp:443\""),
     {"hale.toml:4:1: `target` does not apply to an expiry check"}},
    {"ExpectStatusOnExpiry", expiry_check("expect_status = 200"),
     {"hale.toml:4:1: `expect_status` does not apply to an expiry check"}},
    {"SourceOnHttp", "[checks.web]\ntype = \"http\"\nurl = \"http://x\"\nsource = \"/t\"\n",
     {"hale.toml:4:1: `source` does not apply to an http check"}},
    {"JsonPointerOnTls", "[checks.c]\ntype = \"tls\"\ntarget = \"x:443\"\njson_pointer = \"/a\"\n",
     {"hale.toml:4:1: `json_pointer` does not apply to a tls check"}},
};

class ExpiryConfigErrors : public ::testing::TestWithParam<Case> {};

TEST_P(ExpiryConfigErrors, ReportsExactly) { EXPECT_EQ(config_errors(GetParam().toml), GetParam().errors); }

INSTANTIATE_TEST_SUITE_P(Table, ExpiryConfigErrors, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hale
