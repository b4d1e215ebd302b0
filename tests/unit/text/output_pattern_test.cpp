// fail_if_output_matches (SPEC §5): PCRE2 syntax, searched line by line, the matching line as
// evidence; a bad pattern is an error with its offset.
#include "hale/text/output_pattern.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(OutputPattern, FindsTheFirstMatchingLineCaseInsensitively) {
  auto p = OutputPattern::compile("(?i)401|unauthorized");
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  EXPECT_EQ(p->first_matching_line("GET /feed\r\nerror: Unauthorized access\nretry 401\n"),
            "error: Unauthorized access");
  EXPECT_EQ(p->first_matching_line("all good\n200 rows\n"), std::nullopt);
  EXPECT_EQ(p->first_matching_line(""), std::nullopt);
  EXPECT_EQ(p->first_matching_line("no newline at the end 401"), "no newline at the end 401");
}

TEST(OutputPattern, AnchorsApplyToEachLine) {
  auto p = OutputPattern::compile("^ERROR\\b");
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->first_matching_line("ok\nERROR: disk full\n"), "ERROR: disk full");
  EXPECT_EQ(p->first_matching_line("ok\nno ERROR here\n"), std::nullopt);
}

TEST(OutputPattern, InvalidUtf8OutputIsStillSearched) {
  auto p = OutputPattern::compile("failed");
  ASSERT_TRUE(p.is_ok());
  const std::string output = std::string("\xff\xfe binary \xc3\n") + "upload failed\n";
  EXPECT_EQ(p->first_matching_line(output), "upload failed");
}

TEST(OutputPattern, ACatastrophicPatternGivesUpAndFailsClosed) {
  // Exponential backtracking on a line of 'a's with no final 'b': PCRE2's match limit stops it.
  auto p = OutputPattern::compile("(*NO_START_OPT)(a+)+b");  // no "needs a b" shortcut
  ASSERT_TRUE(p.is_ok());
  auto m = p->first_matching_line("ok\n" + std::string(40, 'a') + "\n");
  ASSERT_TRUE(m.has_value()) << "a pattern that could not be evaluated must not count as a pass";
  EXPECT_NE(m->find("match limit"), std::string::npos) << *m;
}

TEST(OutputPattern, ABadPatternSaysWhereAndWhy) {
  auto p = OutputPattern::compile("(unclosed");
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().message().rfind("invalid pattern at offset 9: ", 0), 0u) << p.status().message();
  EXPECT_NE(p.status().message().find("missing closing parenthesis"), std::string::npos) << p.status().message();
}

}  // namespace
}  // namespace hale
