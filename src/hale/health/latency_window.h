// LatencyWindow: the latencies of one check's answered probes over its latency_budget's window,
// their p50 and p95, and the verdict against the budget (SPEC §7). Pure: time is passed in.
// Not thread-safe: one window belongs to one check runner.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/snapshot.h"

namespace hale {

class LatencyWindow {
 public:
  // Below this many results in the window, nothing is judged: two slow probes after a quiet
  // night are not a p95.
  static constexpr std::size_t kMinResults = 20;
  // A bound on memory whatever the window and interval: the newest are kept.
  static constexpr std::size_t kMaxResults = 10'000;

  explicit LatencyWindow(Duration window) : window_(window) {}

  void set_window(Duration window) { window_ = window; }
  // One answered probe's latency, at `at` (steady time, not earlier than the last one).
  void observe(SteadyTime at, Duration latency);
  // p50 and p95 (nearest rank) of the latencies within the window that ends at `now`; nullopt
  // while fewer than kMinResults are in it.
  std::optional<LatencyQuantiles> quantiles(SteadyTime now);

 private:
  void drop_older_than(SteadyTime now);

  struct Sample {
    SteadyTime at;
    Duration latency;
  };
  Duration window_;
  std::deque<Sample> samples_;
};

// "p95 512ms over budget 400ms" (and the p50 likewise, p50 first, joined by "; "), or nullopt
// when the quantiles are within the budget.
std::optional<std::string> over_budget(const LatencyBudget& budget, const LatencyQuantiles& q);

}  // namespace hale
