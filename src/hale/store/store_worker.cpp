// The StateStore's worker thread (see store_worker.h).
#include "hale/store/store_worker.h"

#include "hale/log/json_log.h"

namespace hale {

StatusOr<std::unique_ptr<StoreWorker>> StoreWorker::open(const std::string& dir) {
  auto store = StateStore::open(dir);
  if (!store) return store.status();
  return std::unique_ptr<StoreWorker>(new StoreWorker(std::move(store).value()));
}

StoreWorker::StoreWorker(std::unique_ptr<StateStore> store)
    : store_(std::move(store)), thread_([this] { run(); }) {}

StoreWorker::~StoreWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StoreWorker::post(Job job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Pending{{}, std::move(job)});
  }
  wake_.notify_one();
}

void StoreWorker::post(std::string key, std::size_t max_pending, Job job) {
  {
    std::lock_guard lock(mu_);
    std::size_t pending = 0;
    for (const Pending& p : jobs_) pending += p.key == key ? 1 : 0;
    for (auto it = jobs_.begin(); pending >= max_pending && it != jobs_.end();) {
      if (it->key == key) {
        it = jobs_.erase(it);
        --pending;
      } else {
        ++it;
      }
    }
    jobs_.push_back(Pending{std::move(key), std::move(job)});
  }
  wake_.notify_one();
}

void StoreWorker::flush() {
  call([](StateStore&) { return 0; });
}

void StoreWorker::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing is left to save
      job = std::move(jobs_.front().job);
      jobs_.pop_front();
    }
    try {
      job(*store_);
    } catch (const std::exception& e) {
      // A job reports its own SQLite errors; this is for anything else, which must not end
      // the thread and with it every later save.
      log_event(LogLevel::kError, "state_store_job_failed", {{"error", e.what()}});
    }
  }
}

}  // namespace hale
