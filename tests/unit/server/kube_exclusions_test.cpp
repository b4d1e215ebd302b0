// ?exclude= as kube-apiserver takes it: which names matched, and its warning line byte for byte.
#include "hale/server/kube_exclusions.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(GoQuote, QuotesAsStrconvQuoteDoes) {
  EXPECT_EQ(go_quote("db"), "\"db\"");
  EXPECT_EQ(go_quote("services/api"), "\"services/api\"");
  EXPECT_EQ(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(go_quote("t\ta\nb\rc"), "\"t\\ta\\nb\\rc\"");
  EXPECT_EQ(go_quote(std::string("x\0y", 3)), "\"x\\x00y\"");
  EXPECT_EQ(go_quote("\x7f"), "\"\\x7f\"");
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"") << "valid UTF-8 stays";
  EXPECT_EQ(go_quote("\xff"), "\"\\xff\"") << "a byte that is not UTF-8 is escaped";
  EXPECT_EQ(go_quote("a\xc2\xa0" "b"), "\"a\\u00a0b\"") << "a no-break space is not printable to Go";
  EXPECT_EQ(go_quote("\xe2\x80\x8b"), "\"\\u200b\"") << "nor a zero-width space";
  EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"") << "nor a C1 control";
  EXPECT_EQ(go_quote("\xf3\xb0\x80\x80"), "\"\\U000f0000\"") << "nor private use beyond the BMP";
  EXPECT_EQ(go_quote(""), "\"\"");
}

TEST(KubeExclusions, UnmatchedNamesAreSortedQuotedAndSaidOnce) {
  KubeExclusions e({"zeta", "db", "alpha", "zeta"});
  EXPECT_TRUE(e.take("db"));
  EXPECT_FALSE(e.take("web"));
  EXPECT_EQ(e.warning(), "warn: some health checks cannot be excluded: no matches for \"alpha\",\"zeta\"\n");
  EXPECT_TRUE(e.take("alpha"));
  EXPECT_TRUE(e.take("zeta"));
  EXPECT_EQ(e.warning(), "");
  EXPECT_EQ(KubeExclusions::excluded_line("db"), "[+]db excluded: ok\n");
}

}  // namespace
}  // namespace hale
