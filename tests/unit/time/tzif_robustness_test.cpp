// TimeZone::load (cctz) on corrupt TZif files: an error naming the file, never an out-of-bounds
// read (ASan runs this too). Files come from a TempDir given as $TZDIR.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "hale/time/cron.h"
#include "support/temp_dir.h"

namespace hale {
namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// A TZif header: magic, version, 15 reserved bytes, then the six counts.
std::string header(char version, const std::array<std::uint32_t, 6>& counts) {
  std::string h = "TZif";
  h += version;
  h += std::string(15, '\0');
  for (auto c : counts) h += be32(c);
  return h;
}

class TzifRobustness : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TZDIR");
    saved_ = old ? std::optional<std::string>(old) : std::nullopt;
    setenv("TZDIR", dir_.path().c_str(), 1);
  }
  void TearDown() override {
    if (saved_) {
      setenv("TZDIR", saved_->c_str(), 1);
    } else {
      unsetenv("TZDIR");
    }
  }
  hale::testing::TempDir dir_;
  std::optional<std::string> saved_;
};

TEST_F(TzifRobustness, NegativeAndHugeCountsAreRejected) {
  // timecnt = -100000, charcnt = 500000: once, sizes wrapped around and reads went out of bounds.
  dir_.write("Bad", header('2', {0, 0, 0, 0xFFFE7960u, 1, 500000}) + std::string(64, 'x'));
  auto z = TimeZone::load("Bad");
  ASSERT_FALSE(z.is_ok());
  EXPECT_NE(z.status().message().find("is not a TZif file"), std::string::npos) << z.status().message();
  dir_.write("Huge", header('1', {0, 0, 0, 0x7FFFFFFFu, 1, 4}) + std::string(64, 'x'));
  EXPECT_FALSE(TimeZone::load("Huge").is_ok());
}

TEST_F(TzifRobustness, RandomBytesAfterAValidHeaderNeverCrash) {
  std::mt19937 rng(20261123);
  int loaded = 0;
  for (int i = 0; i < 300; ++i) {
    std::array<std::uint32_t, 6> counts{};
    for (auto& c : counts) c = rng() % 4 == 0 ? rng() : rng() % 40;
    std::string body(rng() % 600, '\0');
    for (char& ch : body) ch = static_cast<char>(rng());
    // A name per file: cctz keeps every zone it loaded (or failed to load) by name.
    const std::string name = "Fuzz" + std::to_string(i);
    dir_.write(name, header(i % 2 ? '2' : '1', counts) + body);
    auto z = TimeZone::load(name);  // either way is fine; it must not crash or hang
    loaded += z.is_ok() ? 1 : 0;
  }
  // Real zones still load after all that.
  unsetenv("TZDIR");
  EXPECT_TRUE(TimeZone::load("Europe/Berlin").is_ok());
  EXPECT_LT(loaded, 300) << "random files cannot all be valid time zones";
}

}  // namespace
}  // namespace hale
