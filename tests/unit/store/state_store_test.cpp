// StateStore on a real SQLite file: the operator's intent survives closing and reopening
// (a restart of hale), and bad files are errors, not crashes.
#include "hale/store/state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace hale {
namespace {

using hale::testing::TempDir;

TEST(StateStore, WantedSurvivesReopen) {
  TempDir dir;
  const std::string state = (dir.path() / "state").string();  // created on open
  {
    auto store = StateStore::open(state);
    ASSERT_TRUE(store) << store.status().message();
    auto none = (*store)->wanted("api");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none.value().has_value());
    ASSERT_TRUE((*store)->set_wanted("api", Wanted::kStop));
    ASSERT_TRUE((*store)->set_wanted("worker", Wanted::kStart));
    ASSERT_TRUE((*store)->set_wanted("worker", Wanted::kStop));
    ASSERT_TRUE((*store)->set_wanted("worker", Wanted::kStart));
  }
  auto reopened = StateStore::open(state);
  ASSERT_TRUE(reopened) << reopened.status().message();
  EXPECT_EQ((*reopened)->wanted("api").value(), Wanted::kStop);
  EXPECT_EQ((*reopened)->wanted("worker").value(), Wanted::kStart);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(state) / "hale.db"));
}

TEST(StateStore, NamesAreDataNotSql) {
  TempDir dir;
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store);
  const std::string odd = "x'); DROP TABLE service_wanted; --";
  ASSERT_TRUE((*store)->set_wanted(odd, Wanted::kStop));
  EXPECT_EQ((*store)->wanted(odd).value(), Wanted::kStop);
  EXPECT_FALSE((*store)->wanted("x").value().has_value());
}

TEST(StateStore, CorruptFileIsAnErrorNamingThePath) {
  TempDir dir;
  std::ofstream(dir.path() / "hale.db") << std::string(4096, 'z');
  auto store = StateStore::open(dir.path().string());
  ASSERT_FALSE(store);
  EXPECT_NE(store.status().message().find("hale.db"), std::string::npos) << store.status().message();
}

TEST(StateStore, UncreatableDirectoryIsAnError) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto store = StateStore::open((dir.path() / "file" / "sub").string());
  ASSERT_FALSE(store);
  EXPECT_NE(store.status().message().find("state_dir"), std::string::npos);
}

}  // namespace
}  // namespace hale
