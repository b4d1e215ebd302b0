// Clock: the one source of time for everything in hale that decides by time.
// State machines, schedulers and backoff take a Clock& so tests drive them with FakeClock
// on simulated time; only SystemClock reads std::chrono's clocks.
// Thread-safety: SystemClock is safe from any thread; FakeClock is for single-threaded tests.
#pragma once

#include <chrono>
#include <string>

namespace hale {

using Duration = std::chrono::steady_clock::duration;
using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time: every interval, timeout and threshold is measured on it.
  virtual SteadyTime now() const = 0;
  // Calendar time: only for what people read (timestamps in JSON and logs).
  virtual WallTime wall_now() const = 0;
  // The calendar time that corresponds to a steady time point (for `next_check` and the like).
  WallTime to_wall(SteadyTime t) const {
    return wall_now() + std::chrono::duration_cast<WallTime::duration>(t - now());
  }
};

class SystemClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

// The process-wide production clock.
Clock& system_clock();

// Simulated time for tests: starts at a fixed instant and moves only when told.
class FakeClock final : public Clock {
 public:
  FakeClock();
  SteadyTime now() const override { return steady_; }
  WallTime wall_now() const override { return wall_; }
  void advance(Duration d) {
    steady_ += d;
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  }

 private:
  SteadyTime steady_;
  WallTime wall_;
};

// ISO 8601 UTC with second precision, e.g. "2026-04-18T17:59:30Z".
std::string format_iso8601(WallTime t);
// ISO 8601 UTC with millisecond precision, e.g. "2026-04-18T17:59:30.123Z" (log lines).
std::string format_iso8601_ms(WallTime t);

}  // namespace hale
