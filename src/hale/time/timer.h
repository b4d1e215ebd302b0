// Timer: a one-shot wait on the loop, behind an interface, so that what the engine, the
// supervisor and the alerter decide by time runs on a FakeClock in unit tests (FakeTimers)
// exactly as it runs on hale's event loop (asio_timers()).
//
// Both keep one promise that asio::steady_timer alone does not: once start() replaced a wait or
// cancel() ended it, its callback never runs, even when its completion was already queued.
#pragma once

#include <functional>
#include <memory>

#include "hale/clock.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class Timer {
 public:
  virtual ~Timer() = default;  // a pending callback never runs after
  // Calls `fire` on the loop once `after` has passed; replaces a wait in progress.
  virtual void start(Duration after, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
};

class Timers {
 public:
  virtual ~Timers() = default;
  virtual std::unique_ptr<Timer> make() = 0;
};

// Real timers: asio::steady_timer on `io` (the steady clock, as SystemClock).
std::unique_ptr<Timers> asio_timers(boost::asio::io_context& io);

}  // namespace hale
