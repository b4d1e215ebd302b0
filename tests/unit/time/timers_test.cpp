// Timer: FakeTimers on simulated time, and the promise both implementations keep: a wait that
// was replaced or cancelled never fires.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "hale/time/fake_timers.h"
#include "hale/time/timer.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

TEST(FakeTimers, FireInOrderEachAtItsOwnDueTime) {
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  FakeTimers timers(clock);
  auto a = timers.make();
  auto b = timers.make();
  std::vector<std::pair<std::string, Duration>> fired;
  a->start(3s, [&] { fired.emplace_back("a", clock.now() - t0); });
  b->start(1s, [&] { fired.emplace_back("b", clock.now() - t0); });
  EXPECT_EQ(timers.next_due(), 1s);
  timers.advance(2s);
  EXPECT_EQ(fired, (std::vector<std::pair<std::string, Duration>>{{"b", 1s}}));
  EXPECT_EQ(clock.now() - t0, 2s);
  timers.advance(5s);
  EXPECT_EQ(fired, (std::vector<std::pair<std::string, Duration>>{{"b", 1s}, {"a", 3s}}));
  EXPECT_EQ(clock.now() - t0, 7s);
  EXPECT_EQ(timers.pending(), 0u);
  EXPECT_EQ(timers.next_due(), std::nullopt);
}

TEST(FakeTimers, AWaitStartedByACallbackFiresWithinTheSameAdvance) {
  FakeClock clock;
  const SteadyTime t0 = clock.now();
  FakeTimers timers(clock);
  auto tick = timers.make();
  std::vector<Duration> at;
  std::function<void()> again = [&] {
    at.push_back(clock.now() - t0);
    tick->start(1s, again);
  };
  tick->start(1s, again);
  timers.advance(3500ms);
  EXPECT_EQ(at, (std::vector<Duration>{1s, 2s, 3s}));
}

TEST(FakeTimers, ReplacedCancelledAndDestroyedWaitsNeverFire) {
  FakeClock clock;
  int settled = 0;
  FakeTimers timers(clock, [&] { ++settled; });
  std::vector<std::string> fired;
  auto replaced = timers.make();
  replaced->start(1s, [&] { fired.push_back("first"); });
  replaced->start(2s, [&] { fired.push_back("second"); });
  auto cancelled = timers.make();
  cancelled->start(1s, [&] { fired.push_back("cancelled"); });
  cancelled->cancel();
  auto destroyed = timers.make();
  destroyed->start(1s, [&] { fired.push_back("destroyed"); });
  destroyed.reset();
  timers.advance(5s);
  EXPECT_EQ(fired, std::vector<std::string>{"second"});
  EXPECT_EQ(settled, 1);  // `settle` ran after the one callback
}

TEST(AsioTimers, AReplacedOrCancelledWaitNeverFires) {
  boost::asio::io_context io;
  auto timers = asio_timers(io);
  std::vector<std::string> fired;
  auto replaced = timers->make();
  replaced->start(0ms, [&] { fired.push_back("first"); });
  replaced->start(0ms, [&] { fired.push_back("second"); });
  auto cancelled = timers->make();
  cancelled->start(0ms, [&] { fired.push_back("cancelled"); });
  cancelled->cancel();
  io.run();
  EXPECT_EQ(fired, std::vector<std::string>{"second"});
}

TEST(AsioTimers, AWaitAlreadyDueIsStillReplaced) {
  // Both waits are due when the loop first looks, so both completions are queued, `other`'s
  // first (it was started first): when it replaces `t`, t's completion is already on its way
  // and comes without an error. asio alone would run it; the timer must not.
  boost::asio::io_context io;
  auto timers = asio_timers(io);
  std::vector<std::string> fired;
  auto other = timers->make();
  auto t = timers->make();
  other->start(0ms, [&] { t->start(0ms, [&] { fired.push_back("fresh"); }); });
  t->start(0ms, [&] { fired.push_back("stale"); });
  io.run();
  EXPECT_EQ(fired, std::vector<std::string>{"fresh"});
}

}  // namespace
}  // namespace hale
