// The backoff of deliveries (see retry_delay.h).
#include "hale/alert/retry_delay.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hale {

Duration retry_delay(const RetryPolicy& p, int failures_in_a_row, double u01) {
  if (failures_in_a_row <= 0 || p.base <= Duration::zero()) return Duration::zero();
  const Duration cap = std::max(p.max, Duration::zero());
  // Doubling stops at the cap, so neither the count of failures nor a large base can overflow.
  Duration d = std::min(p.base, cap);
  for (int i = 1; i < failures_in_a_row && d < cap; ++i) {
    d = d > cap / 2 ? cap : d * 2;
  }
  d = std::min(d, cap);

  const double share = std::clamp(std::isnan(u01) ? 0.0 : u01, 0.0, 1.0) *
                       std::clamp(std::isnan(p.jitter) ? 0.0 : p.jitter, 0.0, 1.0);
  const double extra = std::round(static_cast<double>(d.count()) * share);
  const double room = static_cast<double>(Duration::max().count() - d.count());
  if (extra >= room) return Duration::max();
  return d + Duration(static_cast<Duration::rep>(extra));
}

}  // namespace hale
