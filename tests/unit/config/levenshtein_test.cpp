// Edit distance and the did-you-mean pick used by every "unknown ..." config error.
#include "hale/config/levenshtein.h"

#include <gtest/gtest.h>

#include <array>

namespace hale::config {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("interval", "interval"), 0u);
  EXPECT_EQ(edit_distance("intervall", "interval"), 1u);  // insertion
  EXPECT_EQ(edit_distance("timout", "timeout"), 1u);      // deletion
  EXPECT_EQ(edit_distance("tirget", "target"), 1u);       // substitution
  EXPECT_EQ(edit_distance("raedy", "ready"), 1u);         // adjacent swap
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("FETCH", "PATCH"), 2u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // optimal string alignment, not full Damerau
}

TEST(DidYouMean, PicksTheNearMissOrNothing) {
  constexpr std::array<std::string_view, 5> keys{"interval", "timeout", "target", "url", "groups"};
  EXPECT_EQ(did_you_mean("intervall", keys), "interval");
  EXPECT_EQ(did_you_mean("intrevla", keys), "interval");  // two edits in a long word
  EXPECT_EQ(did_you_mean("timout", keys), "timeout");
  EXPECT_EQ(did_you_mean("taget", keys), "target");
  EXPECT_EQ(did_you_mean("group", keys), "groups");
  EXPECT_EQ(did_you_mean("Interval", keys), "interval");  // case-insensitive match
  EXPECT_EQ(did_you_mean("TIMEOUT", keys), "timeout");
  EXPECT_EQ(did_you_mean("uri", keys), "url");
  EXPECT_EQ(did_you_mean("ur", keys), "url");
  EXPECT_EQ(did_you_mean("completely_different", keys), std::nullopt);
  EXPECT_EQ(did_you_mean("xy", keys), std::nullopt);
}

TEST(DidYouMean, ShortWordsAreNotGuessedWild) {
  constexpr std::array<std::string_view, 5> types{"http", "tcp", "exec", "tls", "PATCH"};
  EXPECT_EQ(did_you_mean("htp", types), "http");
  EXPECT_EQ(did_you_mean("tpc", types), "tcp");
  EXPECT_EQ(did_you_mean("udp", types), std::nullopt);  // two edits from tcp
  EXPECT_EQ(did_you_mean("FETCH", types), std::nullopt);
}

}  // namespace
}  // namespace hale::config
