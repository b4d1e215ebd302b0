// Edit distance and the did-you-mean pick used by every "unknown ..." config error.
#include "hale/config/levenshtein.h"

#include <gtest/gtest.h>

#include <array>

namespace hale::config {
namespace {

TEST(Levenshtein, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(levenshtein("", ""), 0u);
  EXPECT_EQ(levenshtein("abc", ""), 3u);
  EXPECT_EQ(levenshtein("", "abc"), 3u);
  EXPECT_EQ(levenshtein("interval", "interval"), 0u);
  EXPECT_EQ(levenshtein("intervall", "interval"), 1u);
  EXPECT_EQ(levenshtein("timout", "timeout"), 1u);
  EXPECT_EQ(levenshtein("raedy", "ready"), 2u);
  EXPECT_EQ(levenshtein("kitten", "sitting"), 3u);
}

TEST(DidYouMean, PicksTheNearMissOrNothing) {
  constexpr std::array<std::string_view, 5> keys{"interval", "timeout", "target", "url", "groups"};
  EXPECT_EQ(did_you_mean("intervall", keys), "interval");
  EXPECT_EQ(did_you_mean("timout", keys), "timeout");
  EXPECT_EQ(did_you_mean("taget", keys), "target");
  EXPECT_EQ(did_you_mean("group", keys), "groups");
  EXPECT_EQ(did_you_mean("Interval", keys), "interval");  // case-insensitive match
  EXPECT_EQ(did_you_mean("TIMEOUT", keys), "timeout");
  EXPECT_EQ(did_you_mean("uri", keys), "url");
  EXPECT_EQ(did_you_mean("completely_different", keys), std::nullopt);
  EXPECT_EQ(did_you_mean("ur", keys), "url");
  EXPECT_EQ(did_you_mean("xy", keys), std::nullopt);  // short words need a closer match
}

TEST(DidYouMean, ShortWordsAreNotGuessedWild) {
  constexpr std::array<std::string_view, 4> types{"http", "tcp", "exec", "tls"};
  EXPECT_EQ(did_you_mean("htp", types), "http");
  EXPECT_EQ(did_you_mean("tpc", types), std::nullopt);  // 2 edits from tcp, too far for 3 letters
  EXPECT_EQ(did_you_mean("udp", types), std::nullopt);
}

}  // namespace
}  // namespace hale::config
