// HeartbeatView: one scheduled job's dead-man's switch as the endpoints, the API and the
// metrics show it (SPEC §5), built by the HeartbeatMonitor on the loop and published whole, like
// a check's CheckView. Thread-safety: never modified after it is published.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/health.h"

namespace hale {

// new (no ping yet), up (last run succeeded), running (/start without an end yet), late (past
// its expected time, within grace), down (past grace, or the last run failed), paused.
enum class HeartbeatStatus { kNew, kUp, kRunning, kLate, kDown, kPaused };

inline constexpr std::array<HeartbeatStatus, 6> kAllHeartbeatStatuses = {
    HeartbeatStatus::kNew,  HeartbeatStatus::kUp,   HeartbeatStatus::kRunning,
    HeartbeatStatus::kLate, HeartbeatStatus::kDown, HeartbeatStatus::kPaused};

std::string_view to_string(HeartbeatStatus s);
std::optional<HeartbeatStatus> parse_heartbeat_status(std::string_view s);
// new -> unknown, up/running -> ok, late -> degraded, down -> fail; paused is left out of
// aggregation (unknown here; callers skip it).
Health to_health(HeartbeatStatus s);

// One finished run of a heartbeat's job, as /health shows the last one and the API the last 20.
struct HeartbeatRun {
  std::optional<WallTime> started;  // its /start, when there was one
  WallTime ended{};
  std::optional<int> exit_code;     // /ping/NAME/<code>; none for /ping/NAME and /fail
  std::string verdict;              // "success" or the failure's reason
  std::string output_excerpt;       // the end of the output (kOutputExcerptBytes), secrets redacted
  bool success() const { return verdict == "success"; }
  bool operator==(const HeartbeatRun&) const = default;
};

// How much of a run's output is kept and shown: its last bytes, where a job says how it ended.
inline constexpr std::size_t kOutputExcerptBytes = 2048;
// How many finished runs are kept per heartbeat (SPEC §5), in SQLite and in memory.
inline constexpr std::size_t kKeptRuns = 20;

struct HeartbeatView {
  std::string name;
  HeartbeatStatus state = HeartbeatStatus::kNew;
  std::string reason;  // why it is in this state ("no ping since the run expected at ...")
  bool critical = true;
  std::vector<std::string> groups;
  std::string guard_code;  // /guard/NAME's 503 code (SPEC §7)
  std::string drill;       // SPEC §7: the drill forcing its state now, "" otherwise
  std::string schedule;  // "0 3 * * * (UTC)" or "every 1h"
  Duration grace{};
  WallTime since{};                       // when the current state began
  std::optional<WallTime> last_ping;
  std::optional<WallTime> next_expected;  // the next run is due then
  std::optional<WallTime> running_since;  // a /start without an end yet
  std::optional<WallTime> last_success;   // end of the last successful run
  int consecutive_failures = 0;           // failed runs in a row
  std::vector<HeartbeatRun> runs;         // the last kKeptRuns, newest first

  // Counters for /metrics, since hale started.
  std::map<std::string, std::uint64_t> pings_by_kind;  // success, start, fail, log, exit_code
  std::uint64_t runs_succeeded = 0;
  std::uint64_t runs_failed = 0;
  std::uint64_t transitions_total = 0;

  Health health() const { return to_health(state); }
  const HeartbeatRun* last_run() const { return runs.empty() ? nullptr : &runs.front(); }
  bool in_group(std::string_view g) const;
};

struct HeartbeatsSnapshot {
  std::vector<std::shared_ptr<const HeartbeatView>> heartbeats;  // sorted by name
  // Precomputed answers for the hot endpoints (no ?exclude): see finalize().
  Health overall = Health::kOk;  // every heartbeat (/health)
  Health ready = Health::kOk;    // those in group "ready"
  Health live = Health::kOk;     // those in group "live"
  const HeartbeatView* find(std::string_view name) const;
};

// The heartbeats' part of an answer (SPEC §3 rules, as for checks): fail if a critical one is
// down; else degraded if one is late or a non-critical one is down; else ok. `new` (not pinged
// yet) and `paused` ones count as ok: a new one turns late by itself when its run is missed.
// `group` empty: every heartbeat (for /health); `excluded` holds "heartbeats/NAME" entries.
Health heartbeats_health(const HeartbeatsSnapshot& snap, std::string_view group,
                         const std::vector<std::string>& excluded = {});
// Fills overall, ready and live of a snapshot that is about to be published.
void finalize(HeartbeatsSnapshot& snap);

}  // namespace hale
