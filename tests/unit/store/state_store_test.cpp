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

// Issue 17: a file that is not a database is never overwritten nor taken silently: it is kept
// aside, a new one started, and the store says so.
TEST(StateStore, AForeignFileIsKeptAsideAndSaidSo) {
  TempDir dir;
  const std::string junk(4096, 'z');
  std::ofstream(dir.path() / "hale.db") << junk;
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store) << store.status().message();
  EXPECT_EQ((*store)->condition(), StoreCondition::kRecreated);
  EXPECT_NE((*store)->condition_message().find("not a SQLite database"), std::string::npos) << (*store)->condition_message();
  std::string aside;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().filename().string().rfind("hale.db.corrupt-", 0) == 0) aside = e.path().string();
  }
  ASSERT_FALSE(aside.empty());
  std::ifstream in(aside);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), junk) << "the file kept aside was changed";
  EXPECT_TRUE((*store)->set_wanted("api", Wanted::kStop)) << "the new store is usable";
}

TEST(StateStore, AnEmptyFileIsKeptAsideAndSaidSo) {
  // Issue 17: a 0-byte hale.db was silently taken as a new database.
  TempDir dir;
  std::ofstream(dir.path() / "hale.db").flush();
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store) << store.status().message();
  EXPECT_EQ((*store)->condition(), StoreCondition::kRecreated);
  EXPECT_NE((*store)->condition_message().find("empty (0 bytes)"), std::string::npos) << (*store)->condition_message();
  EXPECT_NE((*store)->condition_message().find("operator stops"), std::string::npos);
}

TEST(StateStore, ADamagedDatabaseIsKeptAsideAndSaidSo) {
  TempDir dir;
  {
    auto store = StateStore::open(dir.path().string());
    ASSERT_TRUE(store);
    for (int i = 0; i < 200; ++i) ASSERT_TRUE((*store)->set_wanted("service-" + std::to_string(i), Wanted::kStop));
  }
  // Scribble over the pages after the header (the header still says SQLite).
  {
    std::fstream f(dir.path() / "hale.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    const std::string scribble(8192, '\x5a');
    f.write(scribble.data(), static_cast<std::streamsize>(scribble.size()));
  }
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store) << store.status().message();
  EXPECT_EQ((*store)->condition(), StoreCondition::kRecreated) << (*store)->condition_message();
  EXPECT_NE((*store)->condition_message().find("damaged"), std::string::npos) << (*store)->condition_message();
}

TEST(StateStore, AHealthyFileOpensAsOk) {
  TempDir dir;
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->condition(), StoreCondition::kOk);
  EXPECT_EQ((*store)->condition_message(), "");
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
