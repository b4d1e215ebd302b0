// EasyHandlePool keeps as many idle curl handles as are in use (at least kKeep), so that many
// probes at once reuse their handles, and gives the surplus back once fewer run.
#include "hale/net/easy_handle_pool.h"

#include <gtest/gtest.h>

#include <vector>

namespace hale {
namespace {

TEST(EasyHandlePool, AHandleGivenBackIsTheNextOneTaken) {
  EasyHandlePool pool;
  CURL* first = pool.take();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(pool.in_use(), 1u);
  pool.give_back(first);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.idle(), 1u);
  EXPECT_EQ(pool.take(), first);  // reused, not a new one
  pool.give_back(first);
}

TEST(EasyHandlePool, ABurstKeepsAsManyIdleAsStillRunThenShrinksToItsFloor) {
  EasyHandlePool pool;
  std::vector<CURL*> burst;
  for (int i = 0; i < 100; ++i) burst.push_back(pool.take());
  EXPECT_EQ(pool.in_use(), 100u);
  EXPECT_EQ(pool.idle(), 0u);
  // While they end, a handle is kept as long as fewer are idle than still run: half of them.
  for (CURL* e : burst) pool.give_back(e);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.idle(), 50u);
  // One probe at a time from then on: each one gives a surplus handle back, down to kKeep.
  for (int i = 0; i < 100; ++i) pool.give_back(pool.take());
  EXPECT_EQ(pool.idle(), EasyHandlePool::kKeep);
}

TEST(EasyHandlePool, ManyRunningAtOnceReuseTheirHandles) {
  EasyHandlePool pool;
  std::vector<CURL*> running;
  for (int i = 0; i < 300; ++i) running.push_back(pool.take());
  // 300 in flight; ones that end make room for the next ones, which get their handles.
  for (int round = 0; round < 5; ++round) {
    std::vector<CURL*> ended(running.end() - 100, running.end());
    running.resize(running.size() - 100);
    for (CURL* e : ended) pool.give_back(e);
    EXPECT_EQ(pool.idle(), 100u) << "a handle was freed while 200 others ran";
    for (int i = 0; i < 100; ++i) running.push_back(pool.take());
    EXPECT_EQ(pool.idle(), 0u);
  }
  for (CURL* e : running) pool.give_back(e);
}

TEST(EasyHandlePool, NullIsIgnored) {
  EasyHandlePool pool;
  pool.give_back(nullptr);
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace hale
