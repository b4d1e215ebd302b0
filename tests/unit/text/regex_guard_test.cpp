// regex_number_too_long: the numbers libstdc++'s std::regex would overflow on are refused, and
// nothing else is.
#include "hale/text/regex_guard.h"

#include <gtest/gtest.h>

#include <regex>

#include "hale/config.h"
#include "support/file_text.h"

namespace hale {
namespace {

TEST(RegexGuard, NumbersOfUpToNineDigitsAndLiteralDigitsPass) {
  for (const char* ok : {"ok", "(a)\\1", "a{2,5}", "a{123456789}", "a{1,123456789}", "order 12345678901234567890",
                         "a{2}, 12345678901234567890", "id=12345678901234567890"}) {
    EXPECT_EQ(regex_number_too_long(ok), std::nullopt) << ok;
  }
}

TEST(RegexGuard, TenDigitsAfterABackslashOrInABraceAreRefused) {
  EXPECT_EQ(regex_number_too_long("(a)\\1234567890"),
            "a back-reference or repetition count of more than 9 digits (at offset 4)");
  EXPECT_NE(regex_number_too_long("a{1234567890}"), std::nullopt);
  EXPECT_NE(regex_number_too_long("a{1,1234567890}"), std::nullopt);
  EXPECT_NE(regex_number_too_long("a{1234567890,}"), std::nullopt);
  EXPECT_NE(regex_number_too_long("x\\99999999999999999999"), std::nullopt);
}

// Found in review: libstdc++ reads `\c` and the character after it, whatever it is, as one escape,
// so in `\c\\9999...` the digits follow a back-reference's backslash. The guard does not pair
// escapes up at all: digits after any backslash count, a literal run after `\\` too.
TEST(RegexGuard, EscapesAreNotPairedUpSoNoEscapeHidesANumber) {
  EXPECT_NE(regex_number_too_long("\\c\\\\99999999999999999999"), std::nullopt);
  EXPECT_NE(regex_number_too_long("(a)\\c\\\\18446744073709551617"), std::nullopt);
  EXPECT_NE(regex_number_too_long("\\\\12345678901234567890"), std::nullopt);  // refused, though literal
  EXPECT_NE(regex_number_too_long("\\{12345678901234567890}"), std::nullopt);
  EXPECT_FALSE(compile_body_regex("(a)\\c\\\\18446744073709551617").is_ok());
}

TEST(RegexGuard, TheBodyRegexIsSearchedAsTheProbeSearchesIt) {
  auto re = compile_body_regex("st[a-z]+us: ok");
  ASSERT_TRUE(re.is_ok()) << re.status().message();
  EXPECT_TRUE(std::regex_search(std::string("{\"status: ok\"}"), re.value(), std::regex_constants::match_continuous));
  EXPECT_FALSE(std::regex_search(std::string("status: down"), re.value(), std::regex_constants::match_continuous));
  EXPECT_EQ(compile_body_regex("(ok").status().message().find("Mismatched"), 0u);
}

// The input the config fuzzer found (undefined behaviour in std::regex's constructor, reported by
// UBSan): now a config error at load, and the regex is never compiled.
TEST(RegexGuard, TheFuzzersInputIsAConfigErrorWithItsPosition) {
  const std::string text =
      testing::file_text(HALE_SOURCE_DIR "/tests/fuzz/regressions/config/regex-backreference-overflow");
  LoadResult r = load_config_string(text, "fuzz.toml");
  ASSERT_FALSE(r.config);
  bool named = false;
  for (const auto& e : r.errors) {
    if (e.to_string().find("`expect_body` is not a valid regular expression: a back-reference or repetition count") !=
        std::string::npos) {
      named = true;
      EXPECT_EQ(e.to_string().rfind("fuzz.toml:19:15: ", 0), 0u) << e.to_string();
    }
  }
  EXPECT_TRUE(named);
}

}  // namespace
}  // namespace hale
