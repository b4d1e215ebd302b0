// ServiceView (hale/service_view.h): state and signal names, how a run ended, what each state
// means for /readyz and /health, the aggregation of finalize() and ServicesSnapshot::find.
#include "hale/service_view.h"

#include <algorithm>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hale {
namespace {

// Health compared as text, so a failure reads "fail" vs "ok" rather than 3 vs 1.
std::string h(Health x) { return std::string(to_string(x)); }

ServiceView in_state(ServiceState s, bool wanted = true) {
  ServiceView v;
  v.name = "api";
  v.state = s;
  v.wanted = wanted;
  return v;
}

ExitInfo exit_code(int code) {
  ExitInfo e;
  e.code = code;
  return e;
}

ExitInfo killed_by(int sig) {
  ExitInfo e;
  e.signal = sig;
  return e;
}

TEST(ServiceStateNames, EveryStateHasItsSpecName) {
  EXPECT_EQ(to_string(ServiceState::kStopped), "stopped");
  EXPECT_EQ(to_string(ServiceState::kStarting), "starting");
  EXPECT_EQ(to_string(ServiceState::kRunning), "running");
  EXPECT_EQ(to_string(ServiceState::kReady), "ready");
  EXPECT_EQ(to_string(ServiceState::kUnhealthy), "unhealthy");
  EXPECT_EQ(to_string(ServiceState::kBackoff), "backoff");
  EXPECT_EQ(to_string(ServiceState::kStopping), "stopping");
  EXPECT_EQ(to_string(ServiceState::kFailed), "failed");
  EXPECT_EQ(to_string(ServiceState::kExited), "exited");
}

TEST(ServiceStateNames, AllStatesListsNineDistinctStates) {
  ASSERT_EQ(std::size(kAllServiceStates), 9u);
  std::vector<std::string> names;
  for (ServiceState s : kAllServiceStates) names.emplace_back(to_string(s));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end()) << "a state is listed twice";
}

TEST(SignalName, NamedSignalsGetTheirSigName) {
  EXPECT_EQ(signal_name(15), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(SIGHUP), "SIGHUP");
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
}

TEST(SignalName, UnnamedNumbersAreSpelledOut) {
  EXPECT_EQ(signal_name(0), "signal 0");
  EXPECT_EQ(signal_name(200), "signal 200");
  EXPECT_EQ(signal_name(-1), "signal -1");
  // Real-time signals have no abbreviation.
  EXPECT_EQ(signal_name(SIGRTMAX), "signal " + std::to_string(SIGRTMAX));
}

TEST(ExitInfoDescribe, ExitCodeAndSignal) {
  EXPECT_EQ(exit_code(1).describe(), "exit code 1");
  EXPECT_EQ(exit_code(0).describe(), "exit code 0");
  EXPECT_EQ(exit_code(127).describe(), "exit code 127");
  EXPECT_EQ(killed_by(SIGKILL).describe(), "killed by SIGKILL");
  EXPECT_EQ(killed_by(15).describe(), "killed by SIGTERM");
  EXPECT_EQ(killed_by(200).describe(), "killed by signal 200");
}

TEST(ExitInfoDescribe, SignalWinsOverCodeAndNeitherIsUnknown) {
  ExitInfo both;
  both.code = 137;
  both.signal = SIGKILL;
  EXPECT_EQ(both.describe(), "killed by SIGKILL");
  EXPECT_EQ(ExitInfo{}.describe(), "unknown");
}

ServiceView with_readiness(ServiceState s, bool wanted = true) {
  ServiceView v = in_state(s, wanted);
  v.readiness = "api-ready";
  return v;
}

TEST(ServiceViewReadyHealth, OnlyReadyIsOkAndStartingIsUnknown) {
  for (ServiceState s : kAllServiceStates) {
    SCOPED_TRACE(std::string(to_string(s)));
    const Health want = s == ServiceState::kReady      ? Health::kOk
                        : s == ServiceState::kStarting ? Health::kUnknown
                                                       : Health::kFail;
    EXPECT_EQ(h(with_readiness(s).ready_health()), h(want));
    EXPECT_EQ(h(with_readiness(s, false).ready_health()), h(want)) << "wanted does not change readiness";
  }
}

TEST(ServiceViewReadyHealth, RunningIsNotReadyWhileItsReadinessCheckHasNotSaidSo) {
  // "running": up, but nothing positively says it is ready.
  EXPECT_EQ(h(with_readiness(ServiceState::kRunning).ready_health()), "fail");
}

TEST(ServiceViewReadyHealth, UnreadyOnARequirementTakesPartInReadyzAndIsNotReadyWhileHeld) {
  ServiceView v = in_state(ServiceState::kRunning);
  EXPECT_FALSE(v.in_readyz());
  v.require = {"llama-guard"};
  v.on_require_fail = RequireFail::kStop;
  EXPECT_FALSE(v.in_readyz());  // stop: out of the way, not unready
  v.on_require_fail = RequireFail::kUnready;
  EXPECT_TRUE(v.in_readyz());
  EXPECT_EQ(h(v.ready_health()), "ok");  // running, no readiness check to wait for
  v.held = "held: llama-guard fail";
  EXPECT_EQ(h(v.ready_health()), "fail");
}

TEST(ServiceViewOverallHealth, UpOrStoppedIsOk) {
  EXPECT_EQ(h(in_state(ServiceState::kRunning).overall_health()), "ok");
  EXPECT_EQ(h(in_state(ServiceState::kReady).overall_health()), "ok");
  EXPECT_EQ(h(in_state(ServiceState::kStopped, false).overall_health()), "ok");  // operator stop
  EXPECT_EQ(h(in_state(ServiceState::kStopped, true).overall_health()), "ok");   // never started
}

TEST(ServiceViewOverallHealth, StartingIsUnknown) {
  EXPECT_EQ(h(in_state(ServiceState::kStarting).overall_health()), "unknown");
}

TEST(ServiceViewOverallHealth, BeingHealedIsDegraded) {
  EXPECT_EQ(h(in_state(ServiceState::kUnhealthy).overall_health()), "degraded");
  EXPECT_EQ(h(in_state(ServiceState::kBackoff).overall_health()), "degraded");
}

TEST(ServiceViewOverallHealth, StoppingDependsOnWanted) {
  // Stopping while wanted running: a restart in progress. Stopping because an operator asked: fine.
  EXPECT_EQ(h(in_state(ServiceState::kStopping, true).overall_health()), "degraded");
  EXPECT_EQ(h(in_state(ServiceState::kStopping, false).overall_health()), "ok");
}

TEST(ServiceViewOverallHealth, FailedIsFail) {
  EXPECT_EQ(h(in_state(ServiceState::kFailed).overall_health()), "fail");
  EXPECT_EQ(h(in_state(ServiceState::kFailed, false).overall_health()), "fail");
}

TEST(ServiceViewOverallHealth, ExitedIsOkOnlyAfterExitCodeZero) {
  ServiceView v = in_state(ServiceState::kExited);
  v.last_exit = exit_code(0);
  EXPECT_EQ(h(v.overall_health()), "ok");  // a completed one-shot job
  v.last_exit = exit_code(1);
  EXPECT_EQ(h(v.overall_health()), "fail");
  v.last_exit = exit_code(2);
  EXPECT_EQ(h(v.overall_health()), "fail");
  v.last_exit = killed_by(SIGKILL);
  EXPECT_EQ(h(v.overall_health()), "fail");
  v.last_exit = killed_by(SIGTERM);
  EXPECT_EQ(h(v.overall_health()), "fail");
  v.last_exit.reset();
  EXPECT_EQ(h(v.overall_health()), "fail") << "exited without a known exit is not a success";
}

TEST(ServiceViewOverallHealth, EveryStateHasADefinedAnswer) {
  for (ServiceState s : kAllServiceStates) {
    SCOPED_TRACE(std::string(to_string(s)));
    ServiceView v = in_state(s);
    v.last_exit = exit_code(0);
    const Health got = v.overall_health();
    const bool expected_unknown = s == ServiceState::kStarting;
    EXPECT_EQ(got == Health::kUnknown, expected_unknown);
  }
}

// --- finalize --------------------------------------------------------------------------------

std::shared_ptr<ServiceView> svc(std::string name, ServiceState s, std::string readiness = "",
                                 bool critical = false) {
  auto v = std::make_shared<ServiceView>();
  v->name = std::move(name);
  v->state = s;
  v->readiness = std::move(readiness);
  v->critical = critical;
  return v;
}

ServicesSnapshot snapshot_of(std::vector<std::shared_ptr<ServiceView>> views) {
  ServicesSnapshot snap;
  std::sort(views.begin(), views.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  snap.services.assign(views.begin(), views.end());
  finalize(snap);
  return snap;
}

TEST(FinalizeServices, EmptyIsOk) {
  ServicesSnapshot snap;
  snap.ready = Health::kFail;
  snap.overall = Health::kFail;
  finalize(snap);
  EXPECT_EQ(h(snap.ready), "ok");
  EXPECT_EQ(h(snap.overall), "ok");
}

TEST(FinalizeServices, AServiceAReloadAddedHoldsNothingUntilItHasAVerdict) {
  // SPEC §2 (issue 18): starting or running without a readiness verdict, a service a reload
  // added does not hold /readyz at 503; ready, or failed, it counts like any other.
  for (ServiceState s : {ServiceState::kStarting, ServiceState::kRunning}) {
    auto added = svc("new", s, "new-ready", true);
    added->joining = true;
    EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kReady, "api", true), added}).ready), "ok") << h(Health::kOk);
    added->joining = false;  // at start-up
    EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kReady, "api", true), added}).ready), "fail");
  }
  auto failed = svc("new", ServiceState::kFailed, "new-ready", true);
  failed->joining = true;  // (the runner clears it at a verdict; even when it has not yet, a failure counts)
  EXPECT_EQ(h(snapshot_of({failed}).ready), "fail");
}

TEST(FinalizeServices, RecomputesFromScratch) {
  ServicesSnapshot snap = snapshot_of({svc("api", ServiceState::kReady, "api", true)});
  snap.ready = Health::kFail;
  snap.overall = Health::kDegraded;
  finalize(snap);
  EXPECT_EQ(h(snap.ready), "ok");
  EXPECT_EQ(h(snap.overall), "ok");
}

TEST(FinalizeServices, ReadyIgnoresServicesWithoutReadiness) {
  // Even a critical-flagged service counts for /readyz only through a readiness check.
  auto snap = snapshot_of({svc("worker", ServiceState::kFailed, "", true),
                           svc("api", ServiceState::kReady, "api", true)});
  EXPECT_EQ(h(snap.ready), "ok");
  EXPECT_EQ(h(snap.overall), "fail") << "overall looks at every service";
}

TEST(FinalizeServices, ReadyCriticalUnknownOrFailIsFail) {
  EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kStarting, "api", true)}).ready), "fail");
  EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kBackoff, "api", true)}).ready), "fail");
  EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kRunning, "api", true)}).ready), "fail");
  EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kUnhealthy, "api", true)}).ready), "fail");
  EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kReady, "api", true)}).ready), "ok");
}

TEST(FinalizeServices, ReadyNonCriticalNotReadyOnlyDegrades) {
  EXPECT_EQ(h(snapshot_of({svc("cache", ServiceState::kBackoff, "cache", false)}).ready), "degraded");
  EXPECT_EQ(h(snapshot_of({svc("cache", ServiceState::kFailed, "cache", false)}).ready), "degraded");
  // Unknown (starting) counts as not ready, then as a non-critical failure: degraded.
  EXPECT_EQ(h(snapshot_of({svc("cache", ServiceState::kStarting, "cache", false)}).ready), "degraded");
}

TEST(FinalizeServices, ReadyTakesTheWorst) {
  auto snap = snapshot_of({svc("cache", ServiceState::kBackoff, "cache", false),
                           svc("api", ServiceState::kReady, "api", true),
                           svc("db", ServiceState::kStarting, "db", true)});
  EXPECT_EQ(h(snap.ready), "fail");
  // The order of the services does not matter: fail is not overwritten by a later degraded.
  snap = snapshot_of({svc("a", ServiceState::kStarting, "a", true),
                      svc("b", ServiceState::kBackoff, "b", false), svc("c", ServiceState::kReady, "c", true)});
  EXPECT_EQ(h(snap.ready), "fail");
  snap = snapshot_of({svc("a", ServiceState::kBackoff, "a", false), svc("b", ServiceState::kReady, "b", true)});
  EXPECT_EQ(h(snap.ready), "degraded");
}

TEST(FinalizeServices, OverallUnknownCountsAsOk) {
  auto snap = snapshot_of({svc("api", ServiceState::kStarting, "api", true),
                           svc("worker", ServiceState::kStarting)});
  EXPECT_EQ(h(snap.overall), "ok");
  EXPECT_EQ(h(snap.ready), "fail") << "but a critical starting service is not ready";
}

TEST(FinalizeServices, OverallDegradedWhileHealing) {
  EXPECT_EQ(h(snapshot_of({svc("w", ServiceState::kBackoff)}).overall), "degraded");
  EXPECT_EQ(h(snapshot_of({svc("w", ServiceState::kUnhealthy)}).overall), "degraded");
  auto stopping = svc("w", ServiceState::kStopping);
  stopping->wanted = true;
  EXPECT_EQ(h(snapshot_of({stopping}).overall), "degraded");
  auto stopped_by_operator = svc("w", ServiceState::kStopping);
  stopped_by_operator->wanted = false;
  EXPECT_EQ(h(snapshot_of({stopped_by_operator}).overall), "ok");
}

TEST(FinalizeServices, OverallFailFollowsCritical) {
  // SPEC §3's aggregation with the service's `critical` (from its readiness check): a critical
  // failure fails /health, a non-critical one degrades it.
  EXPECT_EQ(h(snapshot_of({svc("api", ServiceState::kFailed, "api", true)}).overall), "fail");
  EXPECT_EQ(h(snapshot_of({svc("worker", ServiceState::kFailed, "", false)}).overall), "degraded");
  auto job = svc("job", ServiceState::kExited, "", true);
  job->last_exit = exit_code(1);
  EXPECT_EQ(h(snapshot_of({job}).overall), "fail");
  auto done = svc("job", ServiceState::kExited, "", true);
  done->last_exit = exit_code(0);
  EXPECT_EQ(h(snapshot_of({done}).overall), "ok");
}

TEST(FinalizeServices, OverallTakesTheWorst) {
  auto snap = snapshot_of({svc("a", ServiceState::kFailed, "a", true), svc("b", ServiceState::kBackoff),
                           svc("c", ServiceState::kReady, "c", true)});
  EXPECT_EQ(h(snap.overall), "fail");
  snap = snapshot_of({svc("a", ServiceState::kReady, "a", true), svc("b", ServiceState::kBackoff),
                      svc("c", ServiceState::kRunning)});
  EXPECT_EQ(h(snap.overall), "degraded");
}

TEST(FinalizeServices, NeverUnknown) {
  for (ServiceState s : kAllServiceStates) {
    SCOPED_TRACE(std::string(to_string(s)));
    auto snap = snapshot_of({svc("x", s, "x", true)});
    EXPECT_NE(h(snap.ready), "unknown");
    EXPECT_NE(h(snap.overall), "unknown");
  }
}

// --- find ------------------------------------------------------------------------------------

TEST(ServicesSnapshotFind, FindsByExactName) {
  auto snap = snapshot_of({svc("worker", ServiceState::kRunning), svc("api", ServiceState::kReady),
                           svc("api-v2", ServiceState::kStopped), svc("job", ServiceState::kExited)});
  ASSERT_EQ(snap.services.size(), 4u);
  for (const auto& s : snap.services) EXPECT_EQ(snap.find(s->name), s.get()) << s->name;
  EXPECT_EQ(snap.find("api")->state, ServiceState::kReady);
  EXPECT_EQ(snap.find("api-v2")->state, ServiceState::kStopped);
}

TEST(ServicesSnapshotFind, MissingNamesAreNull) {
  auto snap = snapshot_of({svc("api", ServiceState::kReady), svc("job", ServiceState::kExited),
                           svc("worker", ServiceState::kRunning)});
  EXPECT_EQ(snap.find(""), nullptr);
  EXPECT_EQ(snap.find("a"), nullptr);        // before the first, a prefix
  EXPECT_EQ(snap.find("apiX"), nullptr);     // between two
  EXPECT_EQ(snap.find("jo"), nullptr);       // a prefix of a middle one
  EXPECT_EQ(snap.find("zzz"), nullptr);      // past the end
  EXPECT_EQ(snap.find("API"), nullptr);      // case-sensitive
  EXPECT_EQ(ServicesSnapshot{}.find("api"), nullptr);
}

}  // namespace
}  // namespace hale
