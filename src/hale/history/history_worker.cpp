// The history's worker thread (see history_worker.h).
#include "hale/history/history_worker.h"

#include "hale/log/json_log.h"

namespace hale::history {

HistoryWorker::HistoryWorker(std::unique_ptr<HistoryDb> db) : db_(std::move(db)), thread_([this] { run(); }) {}

HistoryWorker::~HistoryWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void HistoryWorker::post(Job job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

std::size_t HistoryWorker::backlog() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

void HistoryWorker::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job(*db_);
    } catch (const std::exception& e) {
      log_event(LogLevel::kError, "history_job_failed", {{"error", e.what()}});
    }
  }
}

}  // namespace hale::history
