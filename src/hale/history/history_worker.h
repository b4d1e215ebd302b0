// HistoryWorker: the thread that owns history.db. The loop posts one write a second and the API
// posts its reads; a read of 10,000 subjects (the dashboard's overview) takes tens of
// milliseconds that the loop, which answers /readyz and runs the probes, must not wait for.
// Thread-safety: post(), call() and flush() from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "hale/history/history_db.h"

namespace hale::history {

class HistoryWorker {
 public:
  using Job = std::function<void(HistoryDb&)>;

  explicit HistoryWorker(std::unique_ptr<HistoryDb> db);
  // Runs every job already posted, then stops.
  ~HistoryWorker();
  HistoryWorker(const HistoryWorker&) = delete;
  HistoryWorker& operator=(const HistoryWorker&) = delete;

  void post(Job job);
  // Runs `f(db)` on the worker and waits for its result.
  template <class F>
  auto call(F f) -> decltype(f(std::declval<HistoryDb&>())) {
    using R = decltype(f(std::declval<HistoryDb&>()));
    auto task = std::make_shared<std::packaged_task<R(HistoryDb&)>>(std::move(f));
    std::future<R> result = task->get_future();
    post([task](HistoryDb& db) { (*task)(db); });
    return result.get();
  }
  void flush() {
    call([](HistoryDb&) { return 0; });
  }
  // Jobs waiting (a reader falling behind shows here).
  std::size_t backlog() const;

 private:
  void run();

  std::unique_ptr<HistoryDb> db_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything else exists
};

}  // namespace hale::history
