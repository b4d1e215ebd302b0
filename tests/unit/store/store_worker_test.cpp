// StoreWorker: jobs run in order on their own thread, call() waits for a result, and keyed jobs
// supersede older pending ones of their key, so that a flood of pings cannot grow the queue.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "hale/store/store_worker.h"
#include "support/temp_dir.h"

namespace hale {
namespace {

using hale::testing::TempDir;

TEST(StoreWorker, RunsJobsInOrderOffTheCallingThreadAndCallReturnsTheResult) {
  TempDir dir;
  auto worker = StoreWorker::open(dir.path().string());
  ASSERT_TRUE(worker) << worker.status().message();
  std::vector<int> order;  // touched only on the worker thread until flush() returns
  std::thread::id ran_on;
  for (int i = 0; i < 5; ++i) {
    (*worker)->post([&order, &ran_on, i](StateStore&) {
      order.push_back(i);
      ran_on = std::this_thread::get_id();
    });
  }
  (*worker)->flush();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_NE(ran_on, std::this_thread::get_id());
  // call() sees what earlier jobs wrote.
  (*worker)->post([](StateStore& s) { ASSERT_TRUE(s.set_wanted("api", Wanted::kStop)); });
  auto wanted = (*worker)->call([](StateStore& s) { return s.wanted("api"); });
  ASSERT_TRUE(wanted);
  EXPECT_EQ(wanted.value(), Wanted::kStop);
}

TEST(StoreWorker, KeyedJobsKeepOnlyTheNewestPendingOnes) {
  TempDir dir;
  auto opened = StoreWorker::open(dir.path().string());
  ASSERT_TRUE(opened);
  std::unique_ptr<StoreWorker> worker = std::move(opened).value();
  // Hold the worker busy so that everything below is pending at once.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  worker->post([released](StateStore&) { released.wait(); });
  std::vector<std::string> ran;
  for (int i = 0; i < 50; ++i) {
    worker->post("state:a", 1, [&ran, i](StateStore&) { ran.push_back("state " + std::to_string(i)); });
    worker->post("runs:a", 3, [&ran, i](StateStore&) { ran.push_back("run " + std::to_string(i)); });
  }
  worker->post([&ran](StateStore&) { ran.push_back("plain"); });
  release.set_value();
  worker->flush();
  EXPECT_EQ(ran, (std::vector<std::string>{"run 47", "run 48", "state 49", "run 49", "plain"}));
}

TEST(StoreWorker, DestructionRunsWhatIsPending) {
  TempDir dir;
  {
    auto worker = StoreWorker::open(dir.path().string());
    ASSERT_TRUE(worker);
    for (int i = 0; i < 10; ++i) {
      (*worker)->post([i](StateStore& s) { ASSERT_TRUE(s.set_wanted("svc" + std::to_string(i), Wanted::kStop)); });
    }
  }  // drained here
  auto store = StateStore::open(dir.path().string());
  ASSERT_TRUE(store);
  auto last = (*store)->wanted("svc9");
  ASSERT_TRUE(last);
  EXPECT_EQ(last.value(), Wanted::kStop);
}

}  // namespace
}  // namespace hale
