// History: SPEC §10 on the loop. It owns the Recorder (fed by the daemon with every result,
// status change and event) and the HistoryWorker (history.db), and once a second hands the
// Recorder's finished batch to the worker: one write transaction a second at most, whatever
// the number of checks. At a clean stop the current minutes are written too; a kill -9 loses
// what was not written yet: the current minute of each subject and the last second's events.
// Thread-safety: one thread (the loop), but read()'s job runs on the worker.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/history/history_worker.h"
#include "hale/history/recorder.h"
#include "hale/status.h"
#include "hale/time/timer.h"

namespace hale::history {

class History {
 public:
  History(Timers& timers, const Clock& clock);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Opens state_dir/history.db and restores the incidents left open; starts the once-a-second
  // write. Does nothing when `config.enabled` is false. An error leaves history off (the rest of
  // hale runs); the caller logs it.
  Status open(const std::string& state_dir, const HistoryConfig& config, Recorder::MaintenanceCheck maintenance);
  // A reloaded [history]: the retention applies from the next write. (Turning history on or off
  // takes effect at the next start.)
  void apply(const HistoryConfig& config);
  bool enabled() const { return worker_ != nullptr; }

  Recorder& recorder() { return recorder_; }
  const Recorder& recorder() const { return recorder_; }
  // Runs `job` on the worker thread, after the writes posted before it (a read of the API, or
  // a write of its own, such as an announcement).
  void read(HistoryWorker::Job job);
  void write_job(HistoryWorker::Job job) { read(std::move(job)); }

  // The announcements the API made (SPEC §10), as history.db had them at open().
  std::vector<Announcement> take_restored_announcements() { return std::move(restored_announcements_); }

  // Writes what is left (the current minutes too) and waits for it.
  void stop();

  // Write transactions committed so far, and those that failed (each loses one second of
  // history; logged). For /metrics.
  std::uint64_t writes() const { return writes_->load(); }
  std::uint64_t write_errors() const { return write_errors_->load(); }

 private:
  void tick();
  void write(Batch batch, WallTime now);

  std::unique_ptr<Timer> timer_;
  const Clock& clock_;
  Recorder recorder_;
  std::unique_ptr<HistoryWorker> worker_;
  std::int64_t last_hour_ = 0;  // the hour of the last write: a new one rolls up even with nothing new
  // Counted on the worker, read on the loop.
  std::shared_ptr<std::atomic<std::uint64_t>> writes_ = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::shared_ptr<std::atomic<std::uint64_t>> write_errors_ = std::make_shared<std::atomic<std::uint64_t>>(0);
  bool stopped_ = false;
  std::vector<Announcement> restored_announcements_;
};

}  // namespace hale::history
