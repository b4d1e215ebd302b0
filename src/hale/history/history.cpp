// History: the Recorder's batches to the worker once a second (see history.h).
#include "hale/history/history.h"

#include <malloc.h>

#include <filesystem>

#include "hale/log/json_log.h"

namespace hale::history {

History::History(Timers& timers, const Clock& clock) : timer_(timers.make()), clock_(clock) {}

History::~History() { stop(); }

Status History::open(const std::string& state_dir, const HistoryConfig& config,
                     Recorder::MaintenanceCheck maintenance) {
  if (!config.enabled || worker_) return Status::ok();
  auto db = HistoryDb::open((std::filesystem::path(state_dir) / "history.db").string(), config);
  if (!db) return db.status();
  auto restored = (*db)->open_incidents();
  if (!restored) return restored.status();
  auto announcements = (*db)->announcements();
  if (!announcements) return announcements.status();
  restored_announcements_ = std::move(announcements).value();
  recorder_ = Recorder(std::move(maintenance));
  recorder_.restore(std::move(restored->first), restored->second);
  worker_ = std::make_unique<HistoryWorker>(std::move(db).value());
  last_hour_ = unix_seconds(clock_.wall_now()) / 3600;
  timer_->start(std::chrono::seconds(1), [this] { tick(); });
  return Status::ok();
}

void History::apply(const HistoryConfig& config) {
  if (!worker_) return;
  worker_->post([config](HistoryDb& db) { db.set_retention(config); });
}

void History::read(HistoryWorker::Job job) {
  if (worker_) worker_->post(std::move(job));
}

void History::tick() {
  const WallTime now = clock_.wall_now();
  Batch batch = recorder_.take(now);
  const std::int64_t hour = unix_seconds(now) / 3600;
  if (!batch.empty() || hour != last_hour_) write(std::move(batch), now);
  last_hour_ = hour;
  timer_->start(std::chrono::seconds(1), [this] { tick(); });
}

void History::write(Batch batch, WallTime now) {
  worker_->post([batch = std::move(batch), now, writes = writes_, errors = write_errors_](HistoryDb& db) mutable {
    Status s = db.write(batch, now);
    // A large batch (10,000 checks' first transitions at start, a minute's 10,000 points) is
    // megabytes freed in small pieces that glibc keeps in the heap: given back now, the RSS of
    // 10,000 checks stays under its bar (SPEC §8, docs/scale.md).
    const bool large = batch.events.size() + batch.minutes.size() > 2000;
    batch = {};
    if (large) malloc_trim(0);
    if (s) ++*writes;
    if (!s) {
      // Logged for the first few and then every 60th: a full disk must not fill the log too.
      const std::uint64_t n = ++*errors;
      if (n <= 3 || n % 60 == 0) {
        log_event(LogLevel::kError, "history_write_failed",
                  {{"message", s.message()}, {"failures", n},
                   {"consequence", "this second of history is lost; hale goes on"}});
      }
    }
  });
}

void History::stop() {
  if (stopped_ || !worker_) return;
  stopped_ = true;
  timer_->cancel();
  write(recorder_.drain(clock_.wall_now()), clock_.wall_now());
  worker_->flush();
}

}  // namespace hale::history
