// LatencyWindow (see latency_window.h).
#include "hale/health/latency_window.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace hale {

namespace {

// Nearest rank: the smallest latency with at least q of the results at or below it.
Duration nearest_rank(std::vector<Duration>& sorted_in_place, double q) {
  const std::size_t n = sorted_in_place.size();
  const std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  const std::size_t index = std::clamp<std::size_t>(rank, 1, n) - 1;
  std::nth_element(sorted_in_place.begin(), sorted_in_place.begin() + static_cast<std::ptrdiff_t>(index),
                   sorted_in_place.end());
  return sorted_in_place[index];
}

// Whole milliseconds, as people read latencies: "512ms", "1s200ms".
std::string shown(Duration d) { return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d)); }

}  // namespace

void LatencyWindow::observe(SteadyTime at, Duration latency) {
  samples_.push_back({at, latency});
  if (samples_.size() > kMaxResults) samples_.pop_front();
  drop_older_than(at);
}

void LatencyWindow::drop_older_than(SteadyTime now) {
  while (!samples_.empty() && now - samples_.front().at > window_) samples_.pop_front();
}

std::optional<LatencyQuantiles> LatencyWindow::quantiles(SteadyTime now) {
  drop_older_than(now);
  if (samples_.size() < kMinResults) return std::nullopt;
  std::vector<Duration> latencies;
  latencies.reserve(samples_.size());
  for (const Sample& s : samples_) latencies.push_back(s.latency);
  LatencyQuantiles q;
  q.results = latencies.size();
  q.p50 = nearest_rank(latencies, 0.50);
  q.p95 = nearest_rank(latencies, 0.95);
  return q;
}

std::optional<std::string> over_budget(const LatencyBudget& budget, const LatencyQuantiles& q) {
  std::string reason;
  auto judge = [&](std::string_view name, Duration seen, const std::optional<Duration>& limit) {
    if (!limit || seen <= *limit) return;
    if (!reason.empty()) reason += "; ";
    reason += fmt::format("{} {} over budget {}", name, shown(seen), shown(*limit));
  };
  judge("p50", q.p50, budget.p50);
  judge("p95", q.p95, budget.p95);
  if (reason.empty()) return std::nullopt;
  return reason;
}

}  // namespace hale
