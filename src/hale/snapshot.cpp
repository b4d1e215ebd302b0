// Snapshot lookups and the latency histogram.
#include "hale/snapshot.h"

#include <algorithm>

namespace hale {

void LatencyHistogram::observe(Duration d) {
  const double s = std::chrono::duration<double>(d).count();
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (s <= kBounds[i]) ++buckets[i];
  }
  ++count;
  sum_seconds += s;
}

bool CheckView::in_group(std::string_view g) const {
  return std::find(groups.begin(), groups.end(), g) != groups.end();
}

const CheckView* Snapshot::find(std::string_view name) const {
  auto it = std::lower_bound(checks.begin(), checks.end(), name,
                             [](const auto& c, std::string_view n) { return c->name < n; });
  if (it == checks.end() || (*it)->name != name) return nullptr;
  return it->get();
}

}  // namespace hale
