// HeartbeatMonitor: every [heartbeats.NAME] of the config on the event loop (SPEC §5). It feeds
// pings to each HeartbeatState, arms one timer for the earliest deadline (late, down, stuck),
// saves state and finished runs through the StoreWorker (off the loop), restores them when hale
// starts, and publishes a HeartbeatsSnapshot for the endpoints.
//
// Scenario: `backup` (schedule "0 3 * * *", grace 30m) pinged /start at 03:00 and hale was
// restarted at 03:10. The restarted monitor restores `running` from SQLite; if no end comes, it
// is down after max_duration. Had hale been away from 02:00 to 04:00 with no ping, the first
// tick after the restore finds the 03:00 run missed and its grace over: down at once.
//
// Thread-safety: everything but snapshot() runs on the loop; snapshot() may be called anywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/heartbeat/heartbeat_api.h"
#include "hale/heartbeat/heartbeat_state.h"
#include "hale/heartbeat_view.h"

namespace hale {

class StoreWorker;
}  // namespace hale
namespace boost::asio {
class io_context;
}
namespace hale {

class HeartbeatMonitor {
 public:
  // A heartbeat's state changed: its transition and whether it is critical.
  using TransitionListener = std::function<void(const HeartbeatTransition&, bool critical)>;

  HeartbeatMonitor(boost::asio::io_context& io, const Clock& clock);
  ~HeartbeatMonitor();
  HeartbeatMonitor(const HeartbeatMonitor&) = delete;
  HeartbeatMonitor& operator=(const HeartbeatMonitor&) = delete;

  // Where state and runs are kept; null: in memory only. Set it before the first apply(), which
  // restores what a previous hale saved.
  void set_store(StoreWorker* store) { store_ = store; }

  // The heartbeats of a (re)loaded config: new ones start (restored from the store when it has
  // them), changed ones keep what they have seen under their new rules, removed ones go.
  void apply(const std::vector<HeartbeatSpec>& specs);

  // /ping/NAME[...]: 200, 404 for an unknown name, 401 for a missing or wrong token.
  PingAnswer ping(const PingCall& call);
  // "pause" or "resume"; 404 for an unknown name.
  HeartbeatActionResult act(std::string_view name, std::string_view action);

  // Every state change of every heartbeat, on the loop thread, right after it happens (alerts
  // subscribe). A restored state is not a change: read it from snapshot() after apply().
  void subscribe(TransitionListener listener) { listeners_.push_back(std::move(listener)); }
  // Every finished run, judged (SPEC §10: a heartbeat's history is its runs).
  using RunListener = std::function<void(const std::string& name, const HeartbeatRun& run)>;
  void on_run(RunListener listener) { run_listeners_.push_back(std::move(listener)); }

  // SPEC §7 drills: heartbeat `name` shows `result` (fail: down, ok: up) to everyone (views,
  // listeners, /readyz, guards) until unforce(); pings still count underneath, and unforce()
  // shows the real state again (a transition marked with the drill, or unmarked when the real
  // state is the forced one: then it really is down, which is news of its own). Kept by name
  // across apply(). An unknown name is ignored.
  void force(const std::string& name, Health result, const std::string& drill);
  void unforce(const std::string& name);

  // Judges the time that has passed (the timer calls it; tests on a FakeClock call it directly).
  void tick();
  // Cancels the timer (hale is stopping).
  void stop();

  std::shared_ptr<const HeartbeatsSnapshot> snapshot() const;
  bool empty() const { return entries_.empty(); }

  // The timer's longest sleep: wall-clock deadlines are re-read at least this often, so a
  // clock step (NTP, a suspended VM) is noticed within it.
  static constexpr Duration kMaxSleep = std::chrono::seconds(30);

 private:
  struct Entry;
  struct Timer;  // an asio::steady_timer, kept out of this header (Asio headers are slow to build)

  Entry* find(std::string_view name);
  // The state everyone sees: the drill's while one forces it, else the real one.
  HeartbeatStatus shown(const Entry& e) const;
  void tell(const Entry& e, const HeartbeatTransition& t);
  void restore(Entry& e);
  void on_transition(Entry& e, const HeartbeatTransition& t);
  // `dropped`: bytes of the output left out before end.output (see ping_output()).
  void record_run(Entry& e, std::optional<WallTime> started, const Ping& end, std::uint64_t dropped);
  void save(const Entry& e);
  void refresh_view(Entry& e);
  void publish();
  void arm_timer();

  const Clock& clock_;
  StoreWorker* store_ = nullptr;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
  std::unique_ptr<Timer> timer_;
  std::vector<TransitionListener> listeners_;
  std::vector<RunListener> run_listeners_;
  bool stopped_ = false;
  struct Forced {
    HeartbeatStatus status = HeartbeatStatus::kDown;
    std::string drill;
    HeartbeatStatus real_before = HeartbeatStatus::kNew;  // the real state when the drill began
  };
  std::map<std::string, Forced, std::less<>> forced_;  // SPEC §7 drills, by name

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const HeartbeatsSnapshot> snapshot_;
};

}  // namespace hale
