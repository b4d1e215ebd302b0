// Heartbeat state and runs in the SQLite state store: they survive a reopen (a restart of
// hale), only the newest runs are kept, and binary output comes back byte for byte.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "hale/store/state_store.h"
#include "support/temp_dir.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::TempDir;

WallTime at_ms(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

TEST(HeartbeatRecords, StateSurvivesReopenWithMillisecondTimes) {
  TempDir dir;
  const std::string state = dir.path().string();
  SavedHeartbeat down{"down", "no ping since the run expected at 2026-11-23T03:00:00Z (grace 30m)",
                      at_ms(1'795'000'000'123), at_ms(1'795'003'600'000), std::nullopt};
  {
    auto store = StateStore::open(state);
    ASSERT_TRUE(store) << store.status().message();
    auto none = (*store)->heartbeat("backup");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none.value().has_value());
    ASSERT_TRUE((*store)->save_heartbeat("backup", SavedHeartbeat{"up", "success", at_ms(1), at_ms(2), at_ms(3)}));
    ASSERT_TRUE((*store)->save_heartbeat("backup", down));  // replaces
  }
  auto store = StateStore::open(state);
  ASSERT_TRUE(store);
  auto back = (*store)->heartbeat("backup");
  ASSERT_TRUE(back);
  ASSERT_TRUE(back.value().has_value());
  EXPECT_EQ(*back.value(), down);
}

TEST(HeartbeatRecords, SinceAndScheduleRoundTripAndAnOlderFileGainsTheirColumns) {
  TempDir dir;
  {
    // The heartbeat_state table as the first version of the file had it.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "hale.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE heartbeat_state (name TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL,"
                           " last_ping INTEGER, next_expected INTEGER, running_since INTEGER);"
                           "INSERT INTO heartbeat_state VALUES ('old', 'down', 'exit code 1', 5, 6, NULL);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store) << store.status().message();
  auto old = (*store)->heartbeat("old");
  ASSERT_TRUE(old);
  ASSERT_TRUE(old.value().has_value());
  EXPECT_EQ(old.value()->status, "down");
  EXPECT_FALSE(old.value()->since.has_value());
  EXPECT_EQ(old.value()->schedule, "");
  SavedHeartbeat h{"late", "late: expected at x", at_ms(1), at_ms(2), std::nullopt, at_ms(3), "0 3 * * * (UTC)"};
  ASSERT_TRUE((*store)->save_heartbeat("new", h));
  store = StateStore::open(dir.path().string());  // and a second open of the upgraded file works
  ASSERT_TRUE(store) << store.status().message();
  auto back = (*store)->heartbeat("new");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back.value(), h);
}

TEST(HeartbeatRecords, KeepsTheNewestRunsNewestFirst) {
  TempDir dir;
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store);
  for (int i = 0; i < 25; ++i) {
    HeartbeatRun run{at_ms(i * 1000), at_ms(i * 1000 + 500), i % 3, i % 3 == 0 ? "success" : "exit code " + std::to_string(i % 3),
                     "run " + std::to_string(i)};
    ASSERT_TRUE((*store)->add_run("backup", run, 20));
  }
  ASSERT_TRUE((*store)->add_run("other", HeartbeatRun{std::nullopt, at_ms(7), std::nullopt, "success", ""}, 20));
  auto runs = (*store)->runs("backup");
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs.value().size(), 20u);
  EXPECT_EQ(runs.value().front().output_excerpt, "run 24");
  EXPECT_EQ(runs.value().back().output_excerpt, "run 5");
  EXPECT_EQ(runs.value().front().exit_code, 0);
  EXPECT_EQ(runs.value().front().started, at_ms(24'000));
  EXPECT_EQ(runs.value().front().ended, at_ms(24'500));
  // Another heartbeat's runs are its own, and unset fields stay unset.
  auto other = (*store)->runs("other");
  ASSERT_TRUE(other);
  ASSERT_EQ(other.value().size(), 1u);
  EXPECT_FALSE(other.value()[0].started.has_value());
  EXPECT_FALSE(other.value()[0].exit_code.has_value());
}

TEST(HeartbeatRecords, BinaryOutputComesBackByteForByte) {
  TempDir dir;
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store);
  const std::string output("a\0b\xff\xfe\n", 6);
  ASSERT_TRUE((*store)->add_run("job", HeartbeatRun{std::nullopt, at_ms(1), 1, "exit code 1", output}));
  auto runs = (*store)->runs("job");
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs.value().size(), 1u);
  EXPECT_EQ(runs.value()[0].output_excerpt, output);
}

}  // namespace
}  // namespace hale
