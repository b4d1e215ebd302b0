// The supervisor's state machine (SPEC §4) driven as scripts on simulated time: a fake runner
// carries out its actions (answers depends_on, "spawns" with made-up pids, keeps the restart
// timer's deadline), and each test plays what a service does. Every script ends with no illegal
// edge taken.
#include "hale/supervise/service_machine.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

namespace hale {
namespace {

using namespace std::chrono_literals;
using K = ServiceEvent::Kind;
using S = ServiceState;

ServiceMachineSpec spec(int budget_max = 3, Duration window = 10min, Duration stability = 60s) {
  ServiceMachineSpec s;
  s.policy.mode = RestartMode::kOnFailure;
  s.policy.backoff.base = 1s;
  s.policy.backoff.max = 30s;
  s.policy.backoff.multiplier = 2;
  s.policy.backoff.jitter.is_fraction = true;
  s.policy.backoff.jitter.fraction = 0;  // exact delays
  s.policy.budget = {budget_max, window};
  s.policy.stability_period = stability;
  s.liveness = "api-live";
  return s;
}

ExitInfo exit_code(int code) {
  ExitInfo e;
  e.code = code;
  return e;
}

ExitInfo killed(int sig) {
  ExitInfo e;
  e.signal = sig;
  return e;
}

// Plays the runner around a machine: carries out its actions at once, records what it did.
class Script : public ::testing::Test {
 protected:
  void make(ServiceMachineSpec s, bool wanted = true) { machine_.emplace("api", std::move(s), wanted, 1); }

  ServiceMachine& m() { return *machine_; }

  // Sends one event now and carries out what follows.
  void send(ServiceEvent e) {
    e.now = clock_.now();
    carry_out(machine_->handle(e));
  }
  void send(K kind, std::string detail = "") {
    ServiceEvent e{kind};
    e.detail = std::move(detail);
    send(std::move(e));
  }
  void exited(ExitInfo x) {
    ServiceEvent e{K::kExited};
    e.exit = x;
    send(std::move(e));
  }
  void liveness_fails() { send(K::kLivenessFailed, "api-live: HTTP 500"); }
  void liveness_passes() { send(K::kLivenessRecovered, "liveness check api-live recovered"); }
  // The process ends as a stop signal makes it.
  void exits_as_stopped() {
    ASSERT_TRUE(stop_signalled_) << "no stop signal was sent";
    stop_signalled_ = false;
    exited(killed(15));
  }
  // Moves the clock to the restart timer's deadline and fires it.
  void restart_timer_fires() {
    ASSERT_TRUE(timer_at_.has_value()) << "no restart timer armed";
    clock_.advance(*timer_at_ - clock_.now());
    timer_at_.reset();
    send(K::kRestartTimer);
  }
  void advance(Duration d) { clock_.advance(d); }

  void carry_out(const ServiceActions& a) {
    if (a.cancel_restart_timer) timer_at_.reset();
    if (a.send_stop_signal) stop_signalled_ = true;
    for (const ServiceTransition& t : a.transitions) edges_.emplace_back(t.from, t.to);
    if (a.arm_restart_timer) timer_at_ = clock_.now() + *a.arm_restart_timer;
    if (a.restart_checks) ++check_restarts_;
    if (a.retired) ++retired_;
    if (a.check_dependencies) {
      ++starts_;
      ServiceEvent answer{K::kDependencies};
      answer.met = dependencies_met_;
      answer.detail = "db (healthy)";
      send(std::move(answer));
      return;
    }
    if (a.spawn) {
      ++spawns_;
      if (spawn_fails_) {
        ServiceEvent f{K::kSpawnFailed};
        f.detail = "cannot run ./api: No such file or directory";
        send(std::move(f));
        return;
      }
      ServiceEvent s{K::kSpawned};
      s.pid = next_pid_++;
      send(std::move(s));
    }
  }

  void TearDown() override {
    if (machine_) {
      EXPECT_EQ(machine_->illegal_edges(), 0u) << "an edge the table does not list was taken";
    }
  }

  // The restart delays the script saw: time from each exit into backoff to its timer.
  std::optional<Duration> timer_in() const {
    if (!timer_at_) return std::nullopt;
    return *timer_at_ - clock_.now();
  }

  FakeClock clock_;
  std::optional<ServiceMachine> machine_;
  std::vector<std::pair<S, S>> edges_;
  std::optional<SteadyTime> timer_at_;
  bool stop_signalled_ = false;
  bool dependencies_met_ = true;
  bool spawn_fails_ = false;
  int next_pid_ = 100;
  int starts_ = 0;
  int spawns_ = 0;
  int check_restarts_ = 0;
  int retired_ = 0;
};

// ---- the edge table ----

TEST(ServiceEdges, EachPairOnceAndNoSelfEdge) {
  std::set<std::pair<S, S>> seen;
  for (const ServiceEdge& e : kServiceEdges) {
    EXPECT_NE(e.from, e.to) << to_string(e.from);
    EXPECT_TRUE(seen.emplace(e.from, e.to).second) << to_string(e.from) << " -> " << to_string(e.to) << " twice";
    EXPECT_NE(std::string(e.when), "");
  }
  EXPECT_TRUE(is_legal_edge(S::kBackoff, S::kStarting));
  EXPECT_FALSE(is_legal_edge(S::kStopped, S::kBackoff)) << "nothing restarts what is stopped";
  EXPECT_FALSE(is_legal_edge(S::kFailed, S::kBackoff)) << "a failed service is restarted by an operator only";
  EXPECT_FALSE(is_legal_edge(S::kStopped, S::kFailed));
}

// ---- scripts ----

TEST_F(Script, ASickServiceSpendsItsBudgetAndStaysFailed) {
  // Issue 12: a liveness check that fails for good, restart_budget {max 2, window 1m},
  // stability_period 2s. Before: restarted 4 times in 7 s and on forever. Now: twice, then failed.
  make(spec(2, 1min, 2s));
  send(K::kBegin);
  ASSERT_EQ(m().state(), S::kRunning);
  for (int run = 1; run <= 3; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    advance(300ms);
    liveness_fails();
    EXPECT_EQ(m().state(), S::kUnhealthy) << m().reason();
    EXPECT_EQ(timer_in(), 1700ms) << "no health restart inside the stability period";
    restart_timer_fires();  // the stability period is over, and the check still fails
    ASSERT_EQ(m().state(), S::kStopping) << m().reason();
    exits_as_stopped();
    if (run == 3) break;
    ASSERT_EQ(m().state(), S::kBackoff) << m().reason();
    // None of the runs was stable: the backoff grows (1 s, then 2 s).
    EXPECT_EQ(timer_in(), run == 1 ? 1s : 2s);
    restart_timer_fires();
    ASSERT_EQ(m().state(), S::kRunning);
  }
  EXPECT_EQ(m().state(), S::kFailed);
  EXPECT_NE(m().reason().find("restart budget exhausted (2 restarts in 1m)"), std::string::npos) << m().reason();
  EXPECT_EQ(m().restarts(), 2u);
  EXPECT_EQ(m().restarts_by_reason().at("liveness"), 2u);
  EXPECT_EQ(m().budget_left(clock_.now()), 0);
  EXPECT_FALSE(timer_in().has_value());
  // And it stays failed: nothing automatic starts it again, whatever the check says, for hours.
  const int spawns = spawns_;
  for (int i = 0; i < 10; ++i) {
    advance(1h);
    liveness_passes();
    liveness_fails();
    send(K::kDependenciesChanged);
  }
  EXPECT_EQ(m().state(), S::kFailed);
  EXPECT_EQ(spawns_, spawns);
  std::vector<std::pair<S, S>> expected{{S::kStopped, S::kStarting}, {S::kStarting, S::kRunning}};
  for (int run = 1; run <= 2; ++run) {
    expected.insert(expected.end(), {{S::kRunning, S::kUnhealthy}, {S::kUnhealthy, S::kStopping},
                                     {S::kStopping, S::kBackoff}, {S::kBackoff, S::kStarting},
                                     {S::kStarting, S::kRunning}});
  }
  expected.insert(expected.end(),
                  {{S::kRunning, S::kUnhealthy}, {S::kUnhealthy, S::kStopping}, {S::kStopping, S::kFailed}});
  EXPECT_EQ(edges_, expected);
}

TEST_F(Script, ACrashLoopBacksOffThenFails) {
  make(spec(3, 10min, 60s));
  send(K::kBegin);
  std::vector<Duration> delays;
  while (m().state() != S::kFailed) {
    ASSERT_EQ(m().state(), S::kRunning);
    advance(2s);
    exited(exit_code(1));
    if (m().state() == S::kFailed) break;
    ASSERT_EQ(m().state(), S::kBackoff) << m().reason();
    ASSERT_TRUE(m().next_restart_at().has_value());
    delays.push_back(*timer_in());
    restart_timer_fires();
    ASSERT_LT(delays.size(), 10u);
  }
  EXPECT_EQ(delays, (std::vector<Duration>{1s, 2s, 4s}));
  EXPECT_EQ(m().restarts_by_reason().at("crash"), 3u);
  EXPECT_EQ(m().last_exit()->code, 1);
  EXPECT_NE(m().reason().find("restart budget exhausted (3 restarts in 10m)"), std::string::npos) << m().reason();
}

TEST_F(Script, AStableHealthyRunResetsTheBackoffButNotTheBudgetWindow) {
  make(spec(3, 10min, 60s));
  send(K::kBegin);
  for (Duration expected : {1s, 2s}) {  // two quick crashes
    advance(5s);
    exited(exit_code(1));
    EXPECT_EQ(timer_in(), expected);
    restart_timer_fires();
  }
  // Run 3 stays up and healthy past the stability period, then crashes: the backoff starts over
  // (1 s, not 4 s), but the two restarts before still count: one restart is left, then none.
  advance(61s);
  exited(exit_code(1));
  EXPECT_EQ(m().state(), S::kBackoff);
  EXPECT_EQ(timer_in(), 1s);
  EXPECT_EQ(m().budget_left(clock_.now()), 0);
  restart_timer_fires();
  advance(5s);
  exited(exit_code(1));
  EXPECT_EQ(m().state(), S::kFailed) << "a stable run gave budget back: " << m().reason();
}

TEST_F(Script, TheBudgetComesBackWithTimeOnly) {
  make(spec(2, 1min, 10min));
  send(K::kBegin);
  advance(5s);
  exited(exit_code(1));
  restart_timer_fires();  // restart 1 decided at 5 s, started at 6 s
  advance(5s);
  exited(exit_code(1));
  restart_timer_fires();  // restart 2 decided at 11 s, started at 13 s
  EXPECT_EQ(m().budget_left(clock_.now()), 0);
  advance(51s);  // 64 s: restart 1 is 59 s old, still inside the window
  EXPECT_EQ(m().budget_left(clock_.now()), 0);
  advance(1s);  // 65 s: it has left the window
  EXPECT_EQ(m().budget_left(clock_.now()), 1);
  exited(exit_code(1));
  EXPECT_EQ(m().state(), S::kBackoff) << m().reason();
}

TEST_F(Script, HealthyForExactlyTheStabilityPeriodIsStableAndANanosecondLessIsNot) {
  const std::vector<std::pair<Duration, Duration>> cases{{60s - 1ns, 4s}, {60s, 1s}};
  for (const auto& [healthy, expected_delay] : cases) {
    SCOPED_TRACE(healthy.count());
    make(spec(10, 10min, 60s));
    send(K::kBegin);
    for (int i = 0; i < 2; ++i) {  // two quick crashes: the next delay would be 4 s
      advance(1s);
      exited(exit_code(1));
      restart_timer_fires();
    }
    advance(healthy);
    exited(exit_code(1));
    EXPECT_EQ(timer_in(), expected_delay);
    TearDown();
  }
}

TEST_F(Script, UpLongWithAFailingLivenessCheckIsNotStable) {
  // Up 5 minutes, but its liveness check failed at 30 s and again 20 s after it recovered: no
  // stretch of 60 s healthy, so its health restart keeps the backoff of the runs before.
  make(spec(10, 10min, 60s));
  send(K::kBegin);
  advance(1s);
  exited(exit_code(1));  // restart 1 (attempts 1)
  restart_timer_fires();
  advance(30s);
  liveness_fails();
  EXPECT_EQ(m().state(), S::kUnhealthy);
  advance(10s);
  liveness_passes();
  EXPECT_EQ(m().state(), S::kRunning) << "healthy again: the stability-period wait is called off";
  EXPECT_FALSE(timer_in().has_value());
  advance(20s);
  liveness_fails();  // 60 s after the start: past the stability period, restarted now
  ASSERT_EQ(m().state(), S::kStopping) << m().reason();
  exits_as_stopped();
  EXPECT_EQ(m().state(), S::kBackoff);
  EXPECT_EQ(timer_in(), 2s) << "the sick run counted as stable";
}

TEST_F(Script, ALivenessFailureThatRecoversInsideTheStabilityPeriodRestartsNothing) {
  make(spec());
  send(K::kBegin);
  advance(10s);
  liveness_fails();
  EXPECT_EQ(m().state(), S::kUnhealthy);
  EXPECT_TRUE(m().next_restart_at().has_value());
  advance(5s);
  liveness_passes();
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_FALSE(m().next_restart_at().has_value());
  EXPECT_EQ(m().restarts(), 0u);
}

TEST_F(Script, AnOperatorStopSurvivesARestartOfHaleAndWinsOverEveryAutomaticAction) {
  make(spec(), /*wanted=*/false);  // as read back from the state store
  send(K::kBegin);
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_NE(m().reason().find("kept across restarts of hale"), std::string::npos);
  for (K k : {K::kDependenciesChanged, K::kRestartTimer, K::kLivenessRecovered, K::kLivenessFailed,
              K::kNotifyReady, K::kWatchdogPing, K::kSpecChanged, K::kAddedBack}) {
    send(k);
  }
  ServiceEvent ready{K::kReadiness};
  ready.health = Health::kOk;
  send(ready);
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_EQ(starts_, 0);
  EXPECT_EQ(spawns_, 0);
  // The operator's start is the only way back.
  send(K::kOperatorStart);
  EXPECT_EQ(m().state(), S::kRunning);
}

TEST_F(Script, AnOperatorStopDuringAHealthRestartOrABackoffIsFinal) {
  make(spec(3, 10min, 1s));
  send(K::kBegin);
  advance(2s);
  liveness_fails();  // past the stability period: a health restart begins
  ASSERT_EQ(m().state(), S::kStopping);
  send(K::kOperatorStop);
  exits_as_stopped();
  EXPECT_EQ(m().state(), S::kStopped) << "the health restart won over the operator";
  EXPECT_FALSE(timer_in().has_value());
  // A crash in backoff, then a stop: the backoff timer does not start it.
  send(K::kOperatorStart);
  advance(2s);
  exited(exit_code(3));
  ASSERT_EQ(m().state(), S::kBackoff);
  send(K::kOperatorStop);
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_FALSE(timer_in().has_value());
  const int spawns = spawns_;
  send(K::kRestartTimer);  // a firing that was already on its way
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_EQ(spawns_, spawns);
}

TEST_F(Script, AnOperatorStartGivesAFailedServiceAFreshBudget) {
  make(spec(1, 10min, 60s));
  send(K::kBegin);
  advance(1s);
  exited(exit_code(1));
  restart_timer_fires();
  advance(1s);
  exited(exit_code(1));
  ASSERT_EQ(m().state(), S::kFailed);
  send(K::kOperatorStart);
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().budget_left(clock_.now()), 1);
}

TEST_F(Script, AnOperatorRestartStopsThenStartsAtOnce) {
  make(spec());
  send(K::kBegin);
  send(K::kOperatorRestart);
  EXPECT_EQ(m().state(), S::kStopping);
  exits_as_stopped();
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().restarts_by_reason().at("operator"), 1u);
  EXPECT_EQ(check_restarts_, 2) << "every start judges the service afresh";
}

TEST_F(Script, PreStartRunsFirstAndItsFailureIsAFailedStart) {
  ServiceMachineSpec s = spec();
  s.has_pre_start = true;
  make(s);
  send(K::kBegin);
  EXPECT_EQ(m().state(), S::kStarting);
  EXPECT_EQ(m().phase(), RunPhase::kPreStart);
  exited(exit_code(0));
  EXPECT_EQ(m().phase(), RunPhase::kMain);
  EXPECT_EQ(m().state(), S::kRunning);
  advance(1s);
  exited(exit_code(1));  // the command crashes; the next pre_start fails
  restart_timer_fires();
  exited(exit_code(4));
  EXPECT_EQ(m().state(), S::kBackoff);
  EXPECT_NE(m().reason().find("failed to start (pre_start exit code 4)"), std::string::npos) << m().reason();
  EXPECT_EQ(m().restarts_by_reason().at("start_failed"), 1u);
}

TEST_F(Script, ACommandThatCannotStartSpendsTheBudgetAndFails) {
  make(spec(2, 10min, 60s));
  spawn_fails_ = true;
  send(K::kBegin);
  while (m().state() == S::kBackoff) restart_timer_fires();
  EXPECT_EQ(m().state(), S::kFailed);
  EXPECT_EQ(spawns_, 3);
  EXPECT_NE(m().reason().find("No such file or directory"), std::string::npos) << m().reason();
}

TEST_F(Script, DependsOnHoldsTheStartUntilItIsMet) {
  make(spec());
  dependencies_met_ = false;
  send(K::kBegin);
  EXPECT_EQ(m().state(), S::kStarting);
  EXPECT_TRUE(m().waiting_for_dependencies());
  EXPECT_EQ(m().reason(), "waiting for db (healthy)");
  EXPECT_EQ(spawns_, 0);
  dependencies_met_ = true;
  send(K::kDependenciesChanged);
  EXPECT_EQ(m().state(), S::kRunning);
}

TEST_F(Script, NotifyReadinessAndTheWatchdog) {
  ServiceMachineSpec s = spec(3, 10min, 1s);
  s.ready = ReadyMode::kNotify;
  make(s);
  send(K::kBegin);
  EXPECT_EQ(m().state(), S::kStarting);
  EXPECT_EQ(m().reason(), "waiting for READY=1");
  send(K::kNotifyReady);
  EXPECT_EQ(m().state(), S::kReady);
  advance(2s);
  send(K::kWatchdogMissed, "no WATCHDOG=1 for 1s");
  ASSERT_EQ(m().state(), S::kStopping);
  exits_as_stopped();
  EXPECT_EQ(m().restarts_by_reason().at("watchdog"), 1u);
}

TEST_F(Script, ReadinessDecidesReadyAndUnhealthy) {
  ServiceMachineSpec s = spec();
  s.readiness = "api";
  s.ready = ReadyMode::kCheck;
  make(s);
  send(K::kBegin);
  EXPECT_EQ(m().state(), S::kStarting);
  ServiceEvent r{K::kReadiness};
  r.health = Health::kOk;
  send(r);
  EXPECT_EQ(m().state(), S::kReady);
  r.health = Health::kFail;
  send(r);
  EXPECT_EQ(m().state(), S::kUnhealthy);
  EXPECT_EQ(m().restarts(), 0u) << "readiness never restarts";
}

TEST_F(Script, RetireStopsAndReportsDoneOnceNothingRuns) {
  make(spec());
  send(K::kBegin);
  ServiceEvent retire{K::kRetire};
  retire.shutting_down = true;
  send(retire);
  EXPECT_EQ(m().state(), S::kStopping);
  EXPECT_EQ(retired_, 0);
  exits_as_stopped();
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_EQ(retired_, 1);
  EXPECT_TRUE(m().wanted()) << "hale stopping is not an operator's stop";
}

TEST_F(Script, HaleStoppingWinsOverAnOperatorsStopOrRestartMeanwhile) {
  make(spec());
  send(K::kBegin);
  ServiceEvent retire{K::kRetire};
  retire.shutting_down = true;
  send(retire);
  send(K::kOperatorRestart);
  send(K::kOperatorStop);
  exits_as_stopped();
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_EQ(retired_, 1) << "the retire's `done` never came: hale's stop would hang";
  EXPECT_EQ(spawns_, 1) << "restarted while hale stops";
}

TEST_F(Script, WhatTheReadinessCheckSaidDuringPreStartIsAboutTheRunBefore) {
  ServiceMachineSpec s = spec();
  s.readiness = "api";
  s.ready = ReadyMode::kCheck;
  s.has_pre_start = true;
  make(s);
  send(K::kBegin);
  exited(exit_code(0));  // pre_start done
  ServiceEvent r{K::kReadiness};
  r.health = Health::kOk;
  send(r);
  ASSERT_EQ(m().state(), S::kReady);
  send(K::kOperatorRestart);
  exits_as_stopped();
  ASSERT_EQ(m().phase(), RunPhase::kPreStart);
  send(r);  // the old run's check, still ok while pre_start runs
  exited(exit_code(0));
  EXPECT_EQ(m().state(), S::kStarting) << "ready before its readiness check said so: " << m().reason();
  EXPECT_EQ(m().reason(), "waiting for readiness check api");
}

TEST_F(Script, AChangedSpecRestartsARunningServiceOnce) {
  make(spec());
  send(K::kBegin);
  send(K::kSpecChanged);
  EXPECT_EQ(m().state(), S::kStopping);
  EXPECT_EQ(m().reason(), "configuration changed");
  exits_as_stopped();
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().restarts(), 0u);
}

// ---- require (SPEC §7) ----

ServiceMachineSpec requiring(RequireFail mode) {
  ServiceMachineSpec s = spec(3, 10min, 60s);
  s.has_requirements = true;
  s.on_require_fail = mode;
  return s;
}

class RequireScript : public Script {
 protected:
  // The requirement's status as the supervisor reports it: kRequirements (a fail holds the
  // service), then the wake-up of starts waiting on depends_on, where a start waits until every
  // requirement is usable (the fake runner's depends_on answer stands for that).
  void requirement(Health h) {
    dependencies_met_ = h == Health::kOk || h == Health::kDegraded;
    ServiceEvent e{K::kRequirements};
    e.health = h;
    if (h == Health::kFail) e.detail = "llama-guard fail";
    send(std::move(e));
    send(K::kDependenciesChanged);
  }
};

TEST_F(RequireScript, StopHoldsTheServiceWithoutSpendingBudgetAndStartsItAgainByItself) {
  make(requiring(RequireFail::kStop));
  dependencies_met_ = false;  // the guard has no result yet: a fail-closed service waits
  send(K::kBegin);
  EXPECT_EQ(m().state(), S::kStarting);
  EXPECT_EQ(spawns_, 0);
  requirement(Health::kFail);  // down at start-up
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_EQ(m().reason(), "held: llama-guard fail");
  EXPECT_EQ(m().held(), "held: llama-guard fail");
  EXPECT_TRUE(m().wanted()) << "held is not an operator's stop";
  requirement(Health::kOk);
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().held(), "");

  // The guard goes down while the service runs: stopped, then back once it is usable.
  for (int outage = 1; outage <= 5; ++outage) {
    SCOPED_TRACE("outage " + std::to_string(outage));
    advance(10s);
    requirement(Health::kFail);
    ASSERT_EQ(m().state(), S::kStopping);
    EXPECT_EQ(m().reason(), "held: llama-guard fail");
    exits_as_stopped();
    ASSERT_EQ(m().state(), S::kStopped);
    EXPECT_EQ(m().reason(), "held: llama-guard fail");
    requirement(Health::kUnknown);  // not failing any more, but not usable yet: still held
    EXPECT_EQ(m().state(), S::kStarting) << m().reason();
    EXPECT_EQ(spawns_, outage);
    requirement(Health::kDegraded);  // usable
    ASSERT_EQ(m().state(), S::kRunning);
  }
  // Five outages, five stops and starts: none was a restart, no budget was spent.
  EXPECT_EQ(m().restarts(), 0u);
  EXPECT_EQ(m().budget_left(clock_.now()), 3);
  EXPECT_EQ(spawns_, 6);
}

TEST_F(RequireScript, AnOperatorsStopStandsAndAnOperatorsStartWhileHeldStaysHeld) {
  make(requiring(RequireFail::kStop));
  requirement(Health::kOk);
  send(K::kBegin);
  ASSERT_EQ(m().state(), S::kRunning);
  send(K::kOperatorStop);
  exits_as_stopped();
  ASSERT_EQ(m().state(), S::kStopped);
  requirement(Health::kFail);
  requirement(Health::kOk);
  EXPECT_EQ(m().state(), S::kStopped) << "a requirement coming back never starts what an operator stopped";
  EXPECT_EQ(m().reason(), "stopped by an operator (killed by SIGTERM)");
  requirement(Health::kFail);
  send(K::kOperatorStart);
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_EQ(m().reason(), "held: llama-guard fail");
  EXPECT_TRUE(m().wanted());
  requirement(Health::kOk);
  EXPECT_EQ(m().state(), S::kRunning);
}

TEST_F(RequireScript, AHoldDuringBackoffCancelsTheRestartAndItsRelease) {
  make(requiring(RequireFail::kStop));
  requirement(Health::kOk);
  send(K::kBegin);
  exited(exit_code(1));
  ASSERT_EQ(m().state(), S::kBackoff);
  requirement(Health::kFail);
  EXPECT_EQ(m().state(), S::kStopped);
  EXPECT_FALSE(timer_in().has_value()) << "no restart while held";
  requirement(Health::kOk);
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().restarts(), 1u) << "the crash counted; the hold did not";
}

TEST_F(RequireScript, AFailedServiceStaysFailedWhateverItsRequirementsDo) {
  ServiceMachineSpec s = requiring(RequireFail::kStop);
  s.policy.budget = {0, 10min};
  make(s);
  requirement(Health::kOk);
  send(K::kBegin);
  exited(exit_code(1));
  ASSERT_EQ(m().state(), S::kFailed);
  requirement(Health::kFail);
  requirement(Health::kOk);
  EXPECT_EQ(m().state(), S::kFailed);
}

TEST_F(RequireScript, UnreadyKeepsItRunningButNotReadyWhileHeld) {
  ServiceMachineSpec s = requiring(RequireFail::kUnready);
  s.readiness = "api";
  make(s);
  send(K::kBegin);
  ServiceEvent ready{K::kReadiness};
  ready.health = Health::kOk;
  send(ready);
  ASSERT_EQ(m().state(), S::kReady);
  requirement(Health::kFail);
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().reason(), "held: llama-guard fail");
  EXPECT_FALSE(stop_signalled_);
  send(ready);  // its own readiness check passing does not make it ready while held
  EXPECT_EQ(m().state(), S::kRunning);
  requirement(Health::kOk);
  EXPECT_EQ(m().state(), S::kReady);
  EXPECT_EQ(spawns_, 1);
}

TEST_F(RequireScript, IgnoreIsFailOpen) {
  make(requiring(RequireFail::kIgnore));
  send(K::kBegin);
  requirement(Health::kFail);
  EXPECT_EQ(m().state(), S::kRunning);
  EXPECT_EQ(m().held(), "");
  EXPECT_FALSE(stop_signalled_);
}

}  // namespace
}  // namespace hale
