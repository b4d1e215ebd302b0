// FakeTimers: Timers on a FakeClock, for unit tests of what is decided by time (the engine's
// schedule and deadlines, ...). Nothing waits: advance() moves the clock and fires what falls
// due on the way, in order, each at its own due time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "hale/time/timer.h"

namespace hale {

class FakeTimers final : public Timers {
 public:
  // `settle` runs after every callback (e.g. io.poll(), for work the callback posted).
  explicit FakeTimers(FakeClock& clock, std::function<void()> settle = {});

  std::unique_ptr<Timer> make() override;

  // Moves the clock forward by `d`, firing every timer due by then (also those the callbacks
  // start on the way), the earliest first; the clock reads each one's due time while it fires.
  void advance(Duration d);
  // How long until the earliest pending timer; nullopt when none is pending.
  std::optional<Duration> next_due() const;
  std::size_t pending() const { return queue_->size(); }

 private:
  // Pending waits by (due time, order of start); a Timer finds its own by key.
  using Key = std::pair<SteadyTime, std::uint64_t>;
  using Queue = std::map<Key, std::function<void()>>;
  class FakeTimer;

  FakeClock& clock_;
  std::function<void()> settle_;
  std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
  std::uint64_t started_ = 0;
};

}  // namespace hale
