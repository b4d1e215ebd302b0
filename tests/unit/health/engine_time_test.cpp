// The engine's decisions by time, on simulated time: FakeTimers on a FakeClock drive its
// schedule, deadlines and thresholds, and scripted probes answer, so nothing here sleeps and
// every instant is exact. (tests/integration/engine_test.cpp runs it on real sockets.)
#include "hale/health/engine.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <deque>
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

}  // namespace
}  // namespace hale
