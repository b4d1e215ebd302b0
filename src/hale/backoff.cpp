// Backoff and Jitter (see backoff.h), and Random (random.h).
#include "hale/backoff.h"

#include <algorithm>
#include <cmath>

#include "hale/random.h"

namespace hale {

namespace {

double unit_clamped(double u) { return std::isnan(u) ? 0.0 : std::clamp(u, 0.0, 1.0); }

}  // namespace

Duration Jitter::resolve(Duration interval) const {
  if (interval <= Duration::zero()) return Duration::zero();
  Duration spread = is_fraction ? std::chrono::duration_cast<Duration>(interval * std::clamp(fraction, 0.0, 1.0))
                                : absolute;
  // A spread wider than the interval would let one probe start after the next was due.
  return std::clamp(spread, Duration::zero(), interval);
}

Duration Backoff::delay(int failures_in_a_row, double u01) const {
  if (failures_in_a_row <= 0 || base <= Duration::zero()) return Duration::zero();
  const Duration cap = std::max(max, Duration::zero());
  // In doubles: base × m^(n-1) may be far past what a Duration holds (pow gives inf); the cap
  // is applied before converting back, so nothing overflows.
  const double m = std::isnan(multiplier) ? 1.0 : std::max(1.0, multiplier);
  const double grown = static_cast<double>(std::min(base, cap).count()) * std::pow(m, failures_in_a_row - 1);
  const Duration d = grown >= static_cast<double>(cap.count()) ? cap : Duration(static_cast<Duration::rep>(grown));

  const double spread = jitter.is_fraction ? unit_clamped(jitter.fraction) * static_cast<double>(d.count())
                                           : static_cast<double>(std::max(jitter.absolute, Duration::zero()).count());
  const double extra = std::round(unit_clamped(u01) * spread);
  const double room = static_cast<double>(Duration::max().count() - d.count());
  if (extra >= room) return Duration::max();
  return d + Duration(static_cast<Duration::rep>(extra));
}

Random Random::from_os() { return Random(std::random_device{}()); }

Random Random::from(std::function<double()> unit_source) {
  Random r(0);
  r.source_ = std::move(unit_source);
  return r;
}

double Random::unit() {
  if (source_) return std::min(unit_clamped(source_()), std::nextafter(1.0, 0.0));
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

Duration Random::up_to(Duration spread) {
  if (spread <= Duration::zero()) return Duration::zero();
  if (source_) return Duration(static_cast<Duration::rep>(std::round(unit_clamped(source_()) * static_cast<double>(spread.count()))));
  return Duration(std::uniform_int_distribution<Duration::rep>(0, spread.count())(engine_));
}

}  // namespace hale
