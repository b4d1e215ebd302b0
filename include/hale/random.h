// Random: the one source of randomness of hale's schedules (a check's jitter and first-probe
// spread, the backoffs of checks, restarts and deliveries). Seeded from the OS in production and
// from a number in tests (a repeatable run); a test that must name an exact delay gives it the
// numbers itself (Random::from).
#pragma once

#include <cstdint>
#include <functional>
#include <random>

#include "hale/clock.h"

namespace hale {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  // A seed from std::random_device.
  static Random from_os();
  // Every unit() is what `unit_source` answers (clamped to [0, 1)); up_to() scales it.
  static Random from(std::function<double()> unit_source);

  // A number in [0, 1).
  double unit();
  // 64 random bits (a seed or an id); from the engine even when `from` gave the units.
  std::uint64_t next() { return engine_(); }
  // A duration in [0, spread] (zero for a spread of zero or less).
  Duration up_to(Duration spread);

 private:
  std::mt19937_64 engine_;
  std::function<double()> source_;
};

}  // namespace hale
