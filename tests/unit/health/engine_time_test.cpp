// The engine's decisions by time, on simulated time: FakeTimers on a FakeClock drive its
// schedule, deadlines and thresholds, and scripted probes answer, so nothing here sleeps and
// every instant is exact. (tests/integration/engine_test.cpp runs it on real sockets.)
#include "hale/health/engine.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "hale/probe/probe.h"
#include "support/simulated_loop.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

// What a scripted probe does at one attempt: answer pass or fail (from the loop, as every probe
// does), or never answer.
enum class Step { kPass, kFail, kHang };

// The probes' side of the script: one list of steps per check, and what the engine did to them.
struct Script {
  std::deque<Step> steps;
  std::vector<SteadyTime> started;  // when each attempt started
  int cancels = 0;
};

class ScriptedProbe final : public Probe {
 public:
  ScriptedProbe(boost::asio::io_context& io, const Clock& clock, Script& script)
      : io_(io), clock_(clock), script_(script) {}

  void start(Duration, Done done) override {
    script_.started.push_back(clock_.now());
    const Step step = script_.steps.empty() ? Step::kPass : script_.steps.front();
    if (!script_.steps.empty()) script_.steps.pop_front();
    if (step == Step::kHang) return;
    auto token = std::make_shared<bool>(true);
    token_ = token;
    boost::asio::post(io_, [token, step, done = std::move(done)] {
      if (!*token) return;
      ProbeResult r;
      r.verdict = step == Step::kPass ? Verdict::kPass : Verdict::kFail;
      r.reason = step == Step::kPass ? "ok" : "connection refused";
      if (step == Step::kFail) r.error = ErrorKind::kConnect;
      done(std::move(r));
    });
  }

  void cancel() override {
    ++script_.cancels;
    if (auto token = token_.lock()) *token = false;
  }

 private:
  boost::asio::io_context& io_;
  const Clock& clock_;
  Script& script_;
  std::weak_ptr<bool> token_;
};

class EngineOnSimulatedTime : public ::testing::Test {
 protected:
  EngineOnSimulatedTime() {
    loop_.probes.factory = [this](const CheckSpec& spec) -> std::unique_ptr<Probe> {
      return std::make_unique<ScriptedProbe>(loop_.io, loop_.clock, scripts_[spec.name]);
    };
    engine_.subscribe([this](const Transition& t) { transitions_.push_back(t); });
  }
  ~EngineOnSimulatedTime() override { engine_.stop(); }

  // A tcp check with an exact interval (no jitter), so that every instant is known.
  static CheckSpec check(const std::string& name) {
    CheckSpec s;
    s.name = name;
    s.kind = TcpCheck{"127.0.0.1:1"};
    s.jitter = Jitter::fixed(Duration::zero());
    return s;
  }

  void apply(std::vector<CheckSpec> checks) {
    Config config;
    config.checks = std::move(checks);
    engine_.apply(config);
  }

  // Runs the loop until the first probe of `name` has started (within the first second).
  SteadyTime first_probe(const std::string& name) {
    loop_.advance(1s);
    const auto& started = scripts_[name].started;
    EXPECT_FALSE(started.empty()) << name << " was not probed within 1 s";
    return started.empty() ? SteadyTime{} : started.front();
  }

  testing::SimulatedLoop loop_;
  std::map<std::string, Script> scripts_;
  std::vector<Transition> transitions_;
  Engine engine_{loop_.io, loop_.clock, loop_.probes, /*seed=*/7, &loop_.timers};
};

TEST_F(EngineOnSimulatedTime, ProbesAtItsIntervalAndFailsAtTheThirdFailure) {
  CheckSpec db = check("db");
  db.interval = 10s;
  db.failure_threshold = 3;
  scripts_["db"].steps = {Step::kPass, Step::kFail, Step::kFail, Step::kFail};
  apply({db});

  const SteadyTime t0 = first_probe("db");
  ASSERT_EQ(transitions_.size(), 1u);
  EXPECT_EQ(transitions_[0].to, Health::kOk);
  EXPECT_EQ(transitions_[0].at, t0);

  loop_.advance(20s);  // the failures at t0+10s and t0+20s: two of three
  EXPECT_EQ(transitions_.size(), 1u);
  loop_.advance(10s);
  ASSERT_EQ(transitions_.size(), 2u);
  EXPECT_EQ(transitions_[1].to, Health::kFail);
  EXPECT_EQ(transitions_[1].at, t0 + 30s);
  EXPECT_EQ(transitions_[1].reason, "connection refused");
  EXPECT_EQ(scripts_["db"].started, (std::vector<SteadyTime>{t0, t0 + 10s, t0 + 20s, t0 + 30s}));
}

TEST_F(EngineOnSimulatedTime, AProbeThatNeverAnswersFailsAtItsTimeoutAndIsCancelled) {
  CheckSpec db = check("db");
  db.interval = 10s;
  db.timeout = 2s;
  db.failure_threshold = 1;
  scripts_["db"].steps = {Step::kHang};
  apply({db});

  const SteadyTime t0 = first_probe("db");
  EXPECT_TRUE(transitions_.empty());
  loop_.advance(2s);
  ASSERT_EQ(transitions_.size(), 1u);
  EXPECT_EQ(transitions_[0].to, Health::kFail);
  EXPECT_EQ(transitions_[0].at, t0 + 2s);
  EXPECT_EQ(transitions_[0].reason, "timeout after 2s");
  EXPECT_EQ(scripts_["db"].cancels, 1);
  // The next probe comes an interval after the attempt's end, not its start: probes never overlap.
  loop_.advance(10s);
  ASSERT_EQ(scripts_["db"].started.size(), 2u);
  EXPECT_EQ(scripts_["db"].started[1], t0 + 12s);
}

TEST_F(EngineOnSimulatedTime, AFailureShorterThanFailureDurationNeverFlipsTheCheck) {
  CheckSpec db = check("db");
  db.interval = 5s;
  db.failure_threshold = 1;
  db.failure_duration = 15s;
  // Failing from t0+5s: 10 s of failures, a pass, then failures that last.
  scripts_["db"].steps = {Step::kPass, Step::kFail, Step::kFail, Step::kFail, Step::kPass,
                          Step::kFail, Step::kFail, Step::kFail, Step::kFail, Step::kFail};
  apply({db});

  const SteadyTime t0 = first_probe("db");
  loop_.advance(20s);  // t0+5s .. t0+15s fail (10 s), t0+20s passes
  ASSERT_EQ(transitions_.size(), 1u) << "a 10 s failure flipped a check with failure_duration 15s";
  loop_.advance(25s);  // failing again from t0+25s
  ASSERT_EQ(transitions_.size(), 2u);
  EXPECT_EQ(transitions_[1].to, Health::kFail);
  EXPECT_EQ(transitions_[1].at, t0 + 40s);  // the first failing result 15 s after t0+25s
}

TEST_F(EngineOnSimulatedTime, BackoffRetriesAFailingCheckSoonerThanItsInterval) {
  CheckSpec db = check("db");
  db.interval = 30s;
  db.failure_threshold = 3;
  db.backoff = BackoffPolicy(1s, 8s, Duration::zero(), 0);
  scripts_["db"].steps = {Step::kFail, Step::kFail, Step::kFail, Step::kFail, Step::kFail};
  apply({db});

  const SteadyTime t0 = first_probe("db");
  loop_.advance(20s);
  // 1 s, 2 s, 4 s, 8 s after each failure: base doubling to the cap.
  EXPECT_EQ(scripts_["db"].started,
            (std::vector<SteadyTime>{t0, t0 + 1s, t0 + 3s, t0 + 7s, t0 + 15s}));
  ASSERT_EQ(transitions_.size(), 1u);
  EXPECT_EQ(transitions_[0].at, t0 + 3s);  // the third failure
}

// SPEC §8: checks sharing an interval spread over it from their second probe on, instead of
// probing together forever (10,000 checks would make a burst of 10,000 every 10 s).
TEST_F(EngineOnSimulatedTime, ChecksSharingAnIntervalTakeEvenlySpacedSlots) {
  std::vector<CheckSpec> checks;
  for (const char* name : {"a", "b", "c", "d"}) {
    CheckSpec c = check(name);
    c.interval = 10s;
    checks.push_back(c);
  }
  apply(checks);
  loop_.advance(1s);  // every first probe (spread over the first second)
  loop_.advance(30s);
  const std::map<std::string, Duration> phase{{"a", 0s}, {"b", 2500ms}, {"c", 5s}, {"d", 7500ms}};
  for (const auto& [name, shift] : phase) {
    const auto& started = scripts_[name].started;
    ASSERT_GE(started.size(), 3u) << name;
    // Scripted probes answer at the instant they start: the wait runs from the first start.
    EXPECT_EQ(started[1] - started[0], 10s - shift) << name;
    EXPECT_EQ(started[2] - started[1], 10s) << name << ": then its interval";
  }
}

// SPEC §8: server.max_concurrent_probes bounds the probes in flight; a due probe waits for a
// slot, and the wait is scheduler lateness.
TEST_F(EngineOnSimulatedTime, AProbeWaitsForAFreeSlotAndItsWaitIsLateness) {
  CheckSpec a = check("a");
  CheckSpec b = check("b");
  for (CheckSpec* c : {&a, &b}) {
    c->interval = 60s;
    c->timeout = 2s;
  }
  scripts_["a"].steps = {Step::kHang};
  scripts_["b"].steps = {Step::kHang};
  Config config;
  config.server.max_concurrent_probes = 1;
  config.checks = {a, b};
  engine_.apply(config);

  loop_.advance(1s);  // both fell due within the first second; one runs, one waits
  std::size_t started = scripts_["a"].started.size() + scripts_["b"].started.size();
  ASSERT_EQ(started, 1u);
  const bool a_first = !scripts_["a"].started.empty();
  const SteadyTime first = a_first ? scripts_["a"].started[0] : scripts_["b"].started[0];
  loop_.advance(200ms);  // a publish
  EXPECT_EQ(engine_.snapshot()->lateness.in_flight, 1u);
  EXPECT_EQ(engine_.snapshot()->lateness.waiting, 1u);

  loop_.advance(2s);  // the first one times out: the other starts at that instant
  const Script& second = scripts_[a_first ? "b" : "a"];
  ASSERT_EQ(second.started.size(), 1u);
  EXPECT_EQ(second.started[0], first + 2s);

  loop_.advance(2s);  // a lateness summary (every second) and a publish
  const SchedulerLateness l = engine_.snapshot()->lateness;
  EXPECT_EQ(l.count, 2u);
  EXPECT_GT(l.max, 1s) << "the second waited out most of the first's 2 s timeout";
  EXPECT_LE(l.max, 2s);
  EXPECT_EQ(l.in_flight, 0u);
  EXPECT_EQ(l.waiting, 0u);
}

TEST_F(EngineOnSimulatedTime, ProbesOnTimeHaveNoLateness) {
  CheckSpec db = check("db");
  db.interval = 1s;
  apply({db});
  loop_.advance(10s);
  const SchedulerLateness l = engine_.snapshot()->lateness;
  EXPECT_GE(l.count, 9u);
  EXPECT_EQ(l.max, Duration::zero());  // simulated timers fire at their instant
  EXPECT_EQ(l.p99, Duration::zero());
}

}  // namespace
}  // namespace hale
