// Snapshot: an immutable picture of every check, built by the engine after results arrive
// and swapped in whole. Endpoints only read snapshots: no probe ever runs inside a request.
// Thread-safety: a Snapshot is never modified after it is published, so any thread may read it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"

namespace hale {

// Latency histogram with fixed buckets (seconds), cumulative like Prometheus wants them.
struct LatencyHistogram {
  static constexpr std::array<double, 12> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
  std::array<std::uint64_t, kBounds.size()> buckets{};  // count of observations <= bound
  std::uint64_t count = 0;
  double sum_seconds = 0;
  void observe(Duration d);
};

// p50 and p95 of a check's latencies over its latency_budget's window (SPEC §7).
struct LatencyQuantiles {
  Duration p50{};
  Duration p95{};
  std::size_t results = 0;  // how many latencies they were taken over
};

// One check as the endpoints show it. Holds no secret: `target` is already redacted.
struct CheckView {
  std::string name;
  std::string type;
  std::string target;  // redacted: URL passwords replaced, no header values
  Health status = Health::kUnknown;
  bool critical = true;
  std::vector<std::string> groups;
  std::string guard_code;  // /guard/NAME's 503 code (SPEC §7)
  std::string error;       // reason of the last failure while not ok (empty when ok)
  ErrorKind error_kind = ErrorKind::kNone;  // why (error_kind.h); kNone when ok
  std::string message;     // reason of the last result, pass or fail ("200 OK", plugin line)
  std::optional<Duration> latency;  // of the last probe
  WallTime since{};                 // when the current status began
  int consecutive_failures = 0;
  std::optional<WallTime> last_success;
  std::optional<WallTime> last_failure;  // when the last probe that failed finished
  std::optional<WallTime> last_probe;
  std::optional<WallTime> next_check;  // unset while probing is stopped
  bool probing_stopped = false;        // backoff.max_retries exhausted
  bool in_start_period = false;
  // Added by a reload and no decisive result yet: listed as unknown, but left out of
  // aggregation (SPEC §2: a reload never flips an answer by itself). Never set at start-up,
  // where a critical unknown holds /readyz at 503.
  bool joining = false;
  // SPEC §7: the budget, and the quantiles over its window once it holds enough results.
  std::optional<LatencyBudget> latency_budget;
  std::optional<LatencyQuantiles> latency_quantiles;
  // SPEC §7 depends_on: its parents; the parent that blocks it (it fails while that parent is
  // fail: `error` is "blocked by PARENT", and it is not alerted on its own); the failing
  // children it blocks.
  std::vector<std::string> depends_on;
  std::string blocked_by;
  std::vector<std::string> blocking;
  // SPEC §7 drills: the drill forcing its results now (or whose end it has not recovered from
  // yet), "" otherwise.
  std::string drill;
  // The last results, oldest first (for /health/NAME), their reasons redacted; shared with the
  // check's state (never changed), so that 10,000 checks keep them once. May be null: none.
  std::shared_ptr<const std::vector<ProbeResult>> recent;
  std::vector<WallTime> recent_wall;   // calendar time of each entry of `recent`

  // Counters for /metrics, cumulative since the check was (re)loaded.
  std::uint64_t probes_total = 0;
  std::uint64_t transitions_total = 0;
  std::map<ErrorKind, std::uint64_t> errors_by_code;
  // Only with `[metrics] detail = "full"`, the one reader (null otherwise: 10,000 checks, 2 MB).
  std::shared_ptr<const LatencyHistogram> latency_histogram;

  bool in_group(std::string_view g) const;
};

// SPEC §8: how late probes start against when they were due (the timer's delay, and the wait
// for a free slot under server.max_concurrent_probes), over the engine's last kLatenessSamples
// probes; and how many probes run or wait now.
struct SchedulerLateness {
  static constexpr std::size_t kLatenessSamples = 16384;
  Duration p50{};
  Duration p99{};
  Duration max{};
  Duration sum{};          // of every probe since start
  std::uint64_t count = 0;  // probes started since start
  std::size_t in_flight = 0;
  std::size_t waiting = 0;
};

struct Snapshot {
  WallTime started_at{};   // when hale started (for uptime)
  std::vector<std::shared_ptr<const CheckView>> checks;  // sorted by name
  std::vector<std::string> custom_groups;                // declared [groups.NAME], sorted
  // Event loop lag as last measured (SPEC §3 /livez: the loop is responsive).
  Duration loop_lag{};
  SchedulerLateness lateness;
  std::uint64_t reloads_total = 0;
  std::uint64_t reload_failures_total = 0;
  // Precomputed answers for the hot endpoints (no ?exclude): see finalize() in aggregate.h.
  Health live = Health::kOk;
  Health ready = Health::kOk;
  Health overall = Health::kOk;

  const CheckView* find(std::string_view name) const;
};

}  // namespace hale
