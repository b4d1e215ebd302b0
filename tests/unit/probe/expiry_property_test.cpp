// A property test (seeded mutations; the libFuzzer target is tests/fuzz/expiry_fuzz.cpp): thousands
// of truncated and mutated credential documents (a JWT, a JWT inside JSON, a token cache with a
// timestamp), from a fixed seed. Whatever the input, find_expiry must not throw, and its message
// (or the verdict's reason) must never carry a byte of the secrets in the document.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hale/probe/expiry_date.h"
#include "support/test_jwt.h"

namespace hale {
namespace {

struct Seed {
  std::string doc;
  ExpiryFormat format;
  std::optional<std::string> pointer;
};

std::vector<Seed> seeds() {
  const std::string jwt = testing::make_jwt(R"({"sub":"SECRETSUBJECT","exp":1795428000,"scope":"SECRETSCOPE"})");
  return {
      {jwt, ExpiryFormat::kJwt, std::nullopt},
      {R"({"access_token":")" + jwt + R"(","refresh_token":"SECRETREFRESH"})", ExpiryFormat::kJwt, "/access_token"},
      {R"({"claudeAiOauth":{"accessToken":"SECRETACCESS","expiresAt":1795428000000}})", ExpiryFormat::kJson,
       "/claudeAiOauth/expiresAt"},
      {R"({"token":"SECRETTOKEN","expires_at":"2026-11-23T12:00:00.5+02:00"})", ExpiryFormat::kJson, "/expires_at"},
  };
}

std::string mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<int> byte(0, 255);
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const std::size_t at = rng() % s.size();
    switch (op(rng)) {
      case 0: s.resize(at); break;                                     // truncate
      case 1: s[at] = static_cast<char>(byte(rng)); break;             // replace a byte
      case 2: s.insert(s.begin() + static_cast<long>(at), "{}.\"=~-_0:"[rng() % 10]); break;
      default: s.erase(at, 1); break;                                  // delete a byte
    }
  }
  return s;
}

TEST(ExpiryProperty, MutatedDocumentsNeverThrowOrLeak) {
  std::mt19937 rng(20261123);
  const WallTime now = std::chrono::system_clock::from_time_t(1795428000);
  int read = 0, refused = 0;
  for (const Seed& seed : seeds()) {
    for (int i = 0; i < 2000; ++i) {
      const std::string doc = mutate(seed.doc, rng);
      std::string message;
      ASSERT_NO_THROW({
        auto at = find_expiry(doc, seed.format, seed.pointer);
        message = at ? judge_expiry_date(*at, now, std::chrono::hours(1), std::chrono::minutes(5)).reason
                     : at.status().message();
        (at ? read : refused) += 1;
      }) << doc;
      ASSERT_FALSE(message.empty()) << doc;
      ASSERT_EQ(message.find("SECRET"), std::string::npos) << message;
    }
  }
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  EXPECT_GT(read, 100);
  EXPECT_GT(refused, 100);
}

}  // namespace
}  // namespace hale
