// RotatingLog on real files: size-bounded rotation, nothing lost inside the kept files.
#include "hale/supervise/rotating_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace hale {
namespace {

namespace fs = std::filesystem;
using hale::testing::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RotatingLog, RotatesBySizeAndKeepsN) {
  TempDir dir;
  const fs::path log = dir.path() / "logs" / "api.log";
  RotatingLog r(log.string(), 100, 2);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(r.write(std::string(40, static_cast<char>('a' + i))));
  }
  // 40-byte writes, 100-byte files: two writes per file. Ten writes: files for (i,j) pairs,
  // the current one holds the last two, .1 and .2 the two pairs before; older ones are gone.
  EXPECT_EQ(slurp(log), std::string(40, 'i') + std::string(40, 'j'));
  EXPECT_EQ(slurp(fs::path(log.string() + ".1")), std::string(40, 'g') + std::string(40, 'h'));
  EXPECT_EQ(slurp(fs::path(log.string() + ".2")), std::string(40, 'e') + std::string(40, 'f'));
  EXPECT_FALSE(fs::exists(log.string() + ".3"));
  for (const auto& e : fs::directory_iterator(log.parent_path())) {
    EXPECT_LE(fs::file_size(e.path()), 100u) << e.path();
  }
}

TEST(RotatingLog, OversizedWriteGetsAFileOfItsOwn) {
  TempDir dir;
  const fs::path log = dir.path() / "big.log";
  RotatingLog r(log.string(), 10, 1);
  ASSERT_TRUE(r.write("small\n"));
  ASSERT_TRUE(r.write(std::string(50, 'x')));
  EXPECT_EQ(slurp(log), std::string(50, 'x'));
  EXPECT_EQ(slurp(fs::path(log.string() + ".1")), "small\n");
}

TEST(RotatingLog, AppendsToAnExistingFileAcrossRestarts) {
  TempDir dir;
  const fs::path log = dir.path() / "w.log";
  { RotatingLog r(log.string(), 1000, 1); ASSERT_TRUE(r.write("one\n")); }
  RotatingLog again(log.string(), 1000, 1);
  ASSERT_TRUE(again.write("two\n"));
  EXPECT_EQ(slurp(log), "one\ntwo\n");
  EXPECT_EQ(again.size(), 8u);
}

TEST(RotatingLog, UnwritableDirectoryIsAnError) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  RotatingLog r((dir.path() / "file" / "x.log").string(), 100, 1);
  Status s = r.write("x");
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find("x.log"), std::string::npos);
}

}  // namespace
}  // namespace hale
