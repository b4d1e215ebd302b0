// The supervisor's decisions by time on simulated time, with real processes: FakeTimers on a
// FakeClock hold its restart backoff, restart budget and stop timeout, while the processes
// themselves start, crash and die for real. Every instant is exact and nothing sleeps for a
// backoff; the loop runs only until a real process has done what it does.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "hale/config.h"
#include "hale/health/engine.h"
#include "hale/service_view.h"
#include "hale/store/state_store.h"
#include "hale/supervise/supervisor.h"
#include "support/simulated_loop.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

class SupervisorOnSimulatedTime : public ::testing::Test {
 protected:
  ~SupervisorOnSimulatedTime() override {
    bool done = false;
    supervisor_.shutdown([&] { done = true; });
    // A service still running after a failed test is stopped like any other: its stop_timeout
    // runs on the simulated clock, so time is moved on while the loop waits for it.
    run_until([&] {
      loop_.advance(1s);
      return done;
    });
    engine_.stop();
  }

  void apply(const std::string& toml) {
    LoadResult r = load_config_string(toml, (logs_.path() / "hale.toml").string());
    ASSERT_TRUE(r.config) << (r.errors.empty() ? std::string() : r.errors.front().to_string());
    engine_.apply(*r.config);
    supervisor_.apply(*r.config);
  }

  // Runs the loop (real time, bounded) until `done`: a real process's start, exit or death.
  bool run_until(const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      loop_.io.restart();
      loop_.io.run_for(5ms);
    }
    return true;
  }

  ServiceView service(const std::string& name) const {
    for (const auto& v : supervisor_.snapshot()->services) {
      if (v->name == name) return *v;
    }
    ADD_FAILURE() << "no service " << name;
    return ServiceView{};
  }
  bool in_state(const std::string& name, ServiceState s) const { return service(name).state == s; }

  TempDir logs_;
  // A real store: operator calls are refused without one (their intent could not be kept).
  std::unique_ptr<StateStore> store_ = StateStore::open(logs_.path().string()).value();
  SimulatedLoop loop_;
  Engine engine_{loop_.io, loop_.clock, loop_.probes, /*seed=*/1, &loop_.timers};
  Supervisor supervisor_{loop_.io, loop_.clock, engine_, store_.get(), logs_.path().string(), /*seed=*/1,
                         &loop_.timers};
};

TEST_F(SupervisorOnSimulatedTime, ACrashIsRestartedAtItsBackoffUntilABudgetOfTwoIsSpent) {
  // Each run lives 0.1 s (real time), so that a restarted run is seen before it crashes again.
  apply(R"([services.crasher]
command = ["/bin/sh", "-c", "sleep 0.1; exit 3"]
backoff = { base = "5s", max = "5s", jitter = "0ms" }
restart_budget = { max = 2, window = "1m" }
)");
  for (std::uint64_t crash = 1; crash <= 2; ++crash) {
    ASSERT_TRUE(run_until([&] { return in_state("crasher", ServiceState::kBackoff); })) << "crash " << crash;
    EXPECT_EQ(service("crasher").restarts, crash);  // counted when the restart is decided
    EXPECT_EQ(service("crasher").next_restart_at, loop_.clock.wall_now() + 5s);
    loop_.advance(5s - 1ms);
    EXPECT_TRUE(in_state("crasher", ServiceState::kBackoff)) << "restarted before its 5s backoff";
    loop_.advance(1ms);
    EXPECT_FALSE(in_state("crasher", ServiceState::kBackoff)) << "not restarted at 5s";
  }
  // The third crash within the minute finds the budget spent: failed, and no restart ever comes.
  ASSERT_TRUE(run_until([&] { return in_state("crasher", ServiceState::kFailed); }));
  loop_.advance(10min);
  EXPECT_TRUE(in_state("crasher", ServiceState::kFailed));
  EXPECT_EQ(service("crasher").restarts, 2u);
}

TEST_F(SupervisorOnSimulatedTime, AStopThatIsIgnoredIsEndedBySigkillAtStopTimeout) {
  apply(R"([services.stubborn]
command = ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"]
stop_timeout = "20s"
)");
  ASSERT_TRUE(run_until([&] { return in_state("stubborn", ServiceState::kRunning); }));
  ASSERT_EQ(supervisor_.act("stubborn", "stop").http_status, 200);
  ASSERT_TRUE(in_state("stubborn", ServiceState::kStopping));
  // It ignores SIGTERM: still stopping just before the timeout, after the loop has had time to
  // see an exit (a false pass at worst if the machine is slow, never a false failure).
  loop_.advance(20s - 1ms);
  loop_.io.restart();
  loop_.io.run_for(200ms);
  EXPECT_TRUE(in_state("stubborn", ServiceState::kStopping)) << "stopped before stop_timeout";
  loop_.advance(1ms);  // SIGKILL to its group
  ASSERT_TRUE(run_until([&] { return in_state("stubborn", ServiceState::kStopped); }));
}

}  // namespace
}  // namespace hale::testing
