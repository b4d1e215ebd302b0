// StoreWorker: one thread that owns its own StateStore connection and runs the jobs posted to it
// in order. Heartbeat pings and transitions are saved with synchronous=FULL, an fsync each:
// milliseconds the event loop must not wait for (a /readyz behind a ping would). The loop posts
// and moves on; start-up reads wait with call().
// Thread-safety: post(), call() and flush() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "hale/status.h"
#include "hale/store/state_store.h"

namespace hale {

class StoreWorker {
 public:
  using Job = std::function<void(StateStore&)>;

  // Opens `dir`/hale.db (see StateStore::open) and starts the thread.
  static StatusOr<std::unique_ptr<StoreWorker>> open(const std::string& dir);
  // Runs every job already posted, then stops: what hale saw before a clean stop is saved.
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Runs `job` on the worker thread, after every job posted before it.
  void post(Job job);
  // The same, for a job that supersedes older ones of its `key` not started yet: at most
  // `max_pending` of them wait, the oldest dropped first. A heartbeat's state save needs only
  // the latest (1); of its runs only the newest 20 are kept anyway (20). So a flood of pings
  // cannot grow the queue, nor the wait at shutdown, beyond that per heartbeat.
  void post(std::string key, std::size_t max_pending, Job job);
  // Runs `f(store)` on the worker thread and waits for its result.
  template <class F>
  auto call(F f) -> decltype(f(std::declval<StateStore&>())) {
    using R = decltype(f(std::declval<StateStore&>()));
    auto task = std::make_shared<std::packaged_task<R(StateStore&)>>(std::move(f));
    std::future<R> result = task->get_future();
    post([task](StateStore& s) { (*task)(s); });
    return result.get();
  }
  // Waits until every job posted so far has run.
  void flush();

  const std::string& path() const { return store_->path(); }
  // How its store was opened (read from the loop before the first job; fixed after open).
  StoreCondition condition() const { return store_->condition(); }
  const std::string& condition_message() const { return store_->condition_message(); }

 private:
  explicit StoreWorker(std::unique_ptr<StateStore> store);
  void run();

  std::unique_ptr<StateStore> store_;
  std::mutex mu_;
  std::condition_variable wake_;
  struct Pending {
    std::string key;  // empty: never superseded
    Job job;
  };
  std::deque<Pending> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything else exists
};

}  // namespace hale
