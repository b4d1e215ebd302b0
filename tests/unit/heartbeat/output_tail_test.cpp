// The tail hale exec sends with the exit code: the last N bytes, whatever the chunking.
#include "hale/heartbeat/output_tail.h"

#include <gtest/gtest.h>

#include <string>

namespace hale {
namespace {

TEST(OutputTail, KeepsEverythingUpToTheCapacity) {
  OutputTail tail(10);
  EXPECT_EQ(tail.str(), "");
  tail.append("abc");
  tail.append("");
  tail.append("defghij");
  EXPECT_EQ(tail.str(), "abcdefghij");
  EXPECT_EQ(tail.total(), 10u);
}

TEST(OutputTail, KeepsTheLastBytesAcrossChunkBoundaries) {
  // One byte more than the capacity, in chunks that straddle every trim point.
  const std::string all = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (std::size_t chunk = 1; chunk <= all.size(); ++chunk) {
    OutputTail tail(7);
    for (std::size_t i = 0; i < all.size(); i += chunk) tail.append(std::string_view(all).substr(i, chunk));
    EXPECT_EQ(tail.str(), "tuvwxyz") << "chunk " << chunk;
    EXPECT_EQ(tail.total(), all.size());
  }
}

TEST(OutputTail, OneChunkLargerThanTheCapacityKeepsItsEnd) {
  OutputTail tail(4);
  tail.append("xy");
  tail.append("abcdefgh");
  EXPECT_EQ(tail.str(), "efgh");
  tail.append("i");
  EXPECT_EQ(tail.str(), "fghi");
}

TEST(OutputTail, DefaultCapacityIsThePingBodyLimitAndBytesStayBinary) {
  OutputTail tail;
  std::string big(kMaxPingBody + 3, 'a');
  big[3] = '\0';  // the first kept byte
  big.back() = '\xff';
  tail.append(std::string_view(big).substr(0, 5000));
  tail.append(std::string_view(big).substr(5000));
  const std::string kept = tail.str();
  ASSERT_EQ(kept.size(), kMaxPingBody);
  EXPECT_EQ(kept, big.substr(3));
  EXPECT_EQ(kept.front(), '\0');
}

TEST(OutputTail, ZeroCapacityKeepsNothingButCounts) {
  OutputTail tail(0);
  tail.append("abc");
  EXPECT_EQ(tail.str(), "");
  EXPECT_EQ(tail.total(), 3u);
}

}  // namespace
}  // namespace hale
