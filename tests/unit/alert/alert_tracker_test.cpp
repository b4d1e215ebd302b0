// The dedup / repeat / resolve / flap logic of one (subject, notifier) route (SPEC §6) as tables
// on simulated calendar time: each step feeds a status or lets time pass, and names exactly
// the alerts that must come out.
#include "hale/alert/alert_tracker.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace hale {
namespace {

using namespace std::chrono_literals;

const WallTime t0 = FakeClock().wall_now();
WallTime at(Duration d) { return t0 + std::chrono::duration_cast<WallTime::duration>(d); }

// "fire check/db/fail", "remind check/db/fail #1", "resolve check/db/fail -> ok",
// "flapping check/db/flapping", "stable check/db/flapping", each with " (silenced)" when muted.
std::string describe(const Alert& a) {
  std::string s;
  if (a.key.ends_with("/flapping")) {
    s = fmt::format("{} {}", a.resolved ? "stable" : "flapping", a.key);
  } else if (a.resolved) {
    s = fmt::format("resolve {} -> {}", a.key, to_string(a.status));
  } else if (a.sequence > 0) {
    s = fmt::format("remind {} #{}", a.key, a.sequence);
  } else {
    s = fmt::format("fire {}", a.key);
  }
  if (a.silenced) s += " (silenced)";
  return s;
}

struct Step {
  Duration when;
  std::optional<Health> status;  // unset: a tick
  std::vector<std::string> expect;
};

SubjectStatus status_of(Health h, WallTime since) {
  SubjectStatus s;
  s.status = h;
  s.state = std::string(to_string(h));
  s.reason = h == Health::kFail ? "connection refused" : "HTTP 200";
  s.critical = true;
  s.since = since;
  return s;
}

// Runs the steps; after each, also checks that nothing is due before the next step's time
// except what that step expects (a tick just before it says nothing).
void run(AlertTracker& t, const std::vector<Step>& steps, const SilenceCheck& silenced = {}) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& st = steps[i];
    std::vector<Alert> got = st.status ? t.observe(status_of(*st.status, at(st.when)), at(st.when), silenced)
                                       : t.tick(at(st.when), silenced);
    std::vector<std::string> names;
    for (const Alert& a : got) names.push_back(describe(a));
    EXPECT_EQ(names, st.expect) << "step " << i << " at " << format_duration(st.when);
  }
}

AlertPolicy policy(Duration after = 0s, Duration repeat = 1h, bool resolved = true) {
  AlertPolicy p;
  p.after = after;
  p.repeat = repeat;
  p.resolved = resolved;
  return p;
}

const SubjectId kDb{SubjectKind::kCheck, "db"};

TEST(AlertTracker, FailIsAnnouncedOnceRemindedEveryRepeatAndResolvedOnce) {
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  run(t, {
             {0s, Health::kOk, {}},
             {10s, Health::kFail, {"fire check/db/fail"}},
             {20s, Health::kFail, {}},  // the same status again: no news
             {59min, std::nullopt, {}},
             {60min + 10s, std::nullopt, {"remind check/db/fail #1"}},
             {61min, std::nullopt, {}},
             {120min + 10s, std::nullopt, {"remind check/db/fail #2"}},
             {121min, Health::kOk, {"resolve check/db/fail -> ok"}},
             {200min, std::nullopt, {}},
         });
  EXPECT_TRUE(t.open().empty());
}

TEST(AlertTracker, AfterKeepsABlipSilentAndAnnouncesASustainedFailure) {
  AlertTracker t(kDb, "ops", policy(2min));
  run(t, {
             {0s, Health::kOk, {}},
             {10s, Health::kFail, {}},
             {1min, Health::kOk, {}},  // a blip shorter than `after`: nothing, not even a resolution
             {5min, Health::kFail, {}},
             {6min, std::nullopt, {}},
             {7min, std::nullopt, {"fire check/db/fail"}},
             {8min, Health::kOk, {"resolve check/db/fail -> ok"}},
         });
}

TEST(AlertTracker, NextDeadlineIsWhenAfterRunsOutThenTheNextReminder) {
  AlertTracker t(kDb, "ops", policy(2min, 1h));
  EXPECT_FALSE(t.next_deadline());
  t.observe(status_of(Health::kFail, at(0s)), at(0s), {});
  EXPECT_EQ(t.next_deadline(), at(2min));
  ASSERT_EQ(t.tick(at(2min), {}).size(), 1u);
  EXPECT_EQ(t.next_deadline(), at(62min));
  t.observe(status_of(Health::kOk, at(3min)), at(3min), {});
  EXPECT_FALSE(t.next_deadline());
}

SubjectStatus blocked_fail(WallTime since) {
  SubjectStatus s = status_of(Health::kFail, since);
  s.reason = "blocked by network";
  s.blocked_by = "network";
  return s;
}

TEST(AlertTracker, ABlockedChildIsNotAnnouncedOnItsOwnUntilItsParentIsBack) {
  // SPEC §7: the child fails (after = 2m pending), its parent fails 5 s later and blocks it.
  AlertTracker t(kDb, "ops", policy(2min));
  EXPECT_TRUE(t.observe(status_of(Health::kFail, at(0s)), at(0s), {}).empty());
  EXPECT_TRUE(t.observe(blocked_fail(at(0s)), at(5s), {}).empty());
  EXPECT_FALSE(t.next_deadline()) << "nothing is due while blocked";
  EXPECT_TRUE(t.tick(at(30min), {}).empty());
  // The parent is back and the child still fails: announced then, as failing since 0 s.
  std::vector<Alert> got = t.observe(status_of(Health::kFail, at(0s)), at(31min), {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(describe(got[0]), "fire check/db/fail");
  EXPECT_EQ(got[0].since, at(0s));
}

TEST(AlertTracker, ABlockedChildThatRecoversWithItsParentWasNeverNews) {
  AlertTracker t(kDb, "ops", policy(0s));
  EXPECT_TRUE(t.observe(status_of(Health::kOk, at(0s)), at(0s), {}).empty());
  EXPECT_TRUE(t.observe(blocked_fail(at(10s)), at(10s), {}).empty());
  EXPECT_TRUE(t.observe(status_of(Health::kOk, at(5min)), at(5min), {}).empty());
}

TEST(AlertTracker, AnAnnouncedChildBlockedLaterIsStillResolved) {
  AlertTracker t(kDb, "ops", policy(0s));
  t.observe(status_of(Health::kOk, at(0s)), at(0s), {});
  ASSERT_EQ(t.observe(status_of(Health::kFail, at(10s)), at(10s), {}).size(), 1u);
  EXPECT_TRUE(t.observe(blocked_fail(at(10s)), at(20s), {}).empty());
  std::vector<Alert> got = t.observe(status_of(Health::kOk, at(1min)), at(1min), {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(describe(got[0]), "resolve check/db/fail -> ok");
}

TEST(AlertTracker, RepeatZeroMeansNoReminders) {
  AlertTracker t(kDb, "ops", policy(0s, 0s));
  run(t, {
             {0s, Health::kFail, {"fire check/db/fail"}},
             {100h, std::nullopt, {}},
         });
  EXPECT_FALSE(t.next_deadline());
}

TEST(AlertTracker, ResolvedFalseSendsNoResolution) {
  AlertTracker t(kDb, "ops", policy(0s, 1h, /*resolved=*/false));
  run(t, {
             {0s, Health::kFail, {"fire check/db/fail"}},
             {1min, Health::kOk, {}},
             {2min, Health::kFail, {"fire check/db/fail"}},  // a new incident
         });
}

TEST(AlertTracker, EscalationAnnouncesFailAndKeepsDegradedOpenUntilBetter) {
  AlertTracker t(kDb, "ops", policy());
  run(t, {
             {0s, Health::kOk, {}},
             {1min, Health::kDegraded, {"fire check/db/degraded"}},
             {2min, Health::kFail, {"fire check/db/fail"}},  // worse: degraded is not "resolved"
             {3min, Health::kDegraded, {"resolve check/db/fail -> degraded"}},  // degraded already said
             {4min, Health::kOk, {"resolve check/db/degraded -> ok"}},
         });
}

TEST(AlertTracker, FailStraightToOkResolvesBothOpenKeys) {
  AlertTracker t(kDb, "ops", policy());
  run(t, {
             {0s, Health::kDegraded, {"fire check/db/degraded"}},
             {1min, Health::kFail, {"fire check/db/fail"}},
             {2min, Health::kOk, {"resolve check/db/degraded -> ok", "resolve check/db/fail -> ok"}},
         });
}

TEST(AlertTracker, UnknownNeitherResolvesNorAnnounces) {
  // A check restarted with its service goes back to unknown: no news either way.
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  run(t, {
             {0s, Health::kFail, {"fire check/db/fail"}},
             {1min, Health::kUnknown, {}},
             {2min, Health::kFail, {}},  // the same key, still open: not announced again
             {3min, Health::kUnknown, {}},
             {4min, Health::kOk, {"resolve check/db/fail -> ok"}},
         });
}

TEST(AlertTracker, OnlyTheStatusesOfOnAlert) {
  AlertPolicy p = policy();
  p.on = {Health::kFail};
  AlertTracker t(kDb, "ops", p);
  run(t, {
             {0s, Health::kDegraded, {}},
             {1min, Health::kFail, {"fire check/db/fail"}},
             {2min, Health::kDegraded, {"resolve check/db/fail -> degraded"}},
             {3min, Health::kOk, {}},
         });
}

TEST(AlertTracker, FlappingIsReportedOnceThenStableAgainOnce) {
  AlertPolicy p = policy();
  p.flapping = FlapPolicy{3, 10min};  // more than 3 changes within 10 minutes
  AlertTracker t(kDb, "ops", p);
  run(t, {
             {0s, Health::kOk, {}},
             {1min, Health::kFail, {"fire check/db/fail"}},
             {2min, Health::kOk, {"resolve check/db/fail -> ok"}},
             {3min, Health::kFail, {"fire check/db/fail"}},
             {4min, Health::kOk, {"flapping check/db/flapping"}},  // the 4th change
             {5min, Health::kFail, {}},                            // muted while flapping
             {6min, Health::kOk, {}},
             {7min, Health::kFail, {}},
             {16min, std::nullopt, {}},  // 9 minutes since the last change
             // A whole window without a change: stable again; it is failing, which was open.
             {17min, std::nullopt, {"stable check/db/flapping"}},
             {18min, Health::kOk, {"resolve check/db/fail -> ok"}},
         });
}

TEST(AlertTracker, StableAgainWhileFailingAnnouncesTheFailure) {
  AlertPolicy p = policy();
  p.flapping = FlapPolicy{2, 10min};
  AlertTracker t(kDb, "ops", p);
  run(t, {
             {0s, Health::kOk, {}},
             {1min, Health::kDegraded, {"fire check/db/degraded"}},
             {2min, Health::kOk, {"resolve check/db/degraded -> ok"}},
             {3min, Health::kFail, {"flapping check/db/flapping"}},
             {13min, std::nullopt, {"stable check/db/flapping", "fire check/db/fail"}},
         });
}

TEST(AlertTracker, FlapDetectionOffWithMaxChangesZero) {
  AlertPolicy p = policy(0s, 0s);
  p.flapping = FlapPolicy{0, 10min};
  AlertTracker t(kDb, "ops", p);
  std::vector<Step> steps;
  for (int i = 0; i < 20; ++i) {
    const bool fail = i % 2 == 0;
    steps.push_back({std::chrono::minutes(i), fail ? Health::kFail : Health::kOk,
                     {fail ? "fire check/db/fail" : "resolve check/db/fail -> ok"}});
  }
  run(t, steps);
}

TEST(AlertTracker, WaveringOutsideOnIsNotFlapping) {
  AlertPolicy p = policy();
  p.on = {Health::kFail};
  p.flapping = FlapPolicy{2, 10min};
  AlertTracker t(kDb, "ops", p);
  run(t, {
             {0s, Health::kOk, {}},
             {1min, Health::kDegraded, {}},
             {2min, Health::kOk, {}},
             {3min, Health::kDegraded, {}},
             {4min, Health::kOk, {}},
             {5min, Health::kFail, {"fire check/db/fail"}},
         });
  EXPECT_FALSE(t.flapping());
}

TEST(AlertTracker, SilencedAnnouncementIsRecordedOnceAndGoesOutIfTheProblemOutlivesTheSilence) {
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  bool silence = true;
  SilenceCheck silenced = [&](const Alert&) { return silence; };
  run(t,
      {
          {0s, Health::kFail, {"fire check/db/fail (silenced)"}},
          {10min, std::nullopt, {}},  // still muted: not recorded again
      },
      silenced);
  EXPECT_FALSE(t.next_deadline()) << "a muted alert waits for the silence, not a timer";
  silence = false;
  run(t, {{30min, std::nullopt, {"fire check/db/fail"}}}, silenced);
  EXPECT_EQ(t.next_deadline(), at(90min)) << "reminders count from the real announcement";
}

TEST(AlertTracker, ProblemOverDuringTheSilenceIsNeverSent) {
  AlertTracker t(kDb, "ops", policy());
  bool silence = true;
  SilenceCheck silenced = [&](const Alert&) { return silence; };
  run(t,
      {
          {0s, Health::kFail, {"fire check/db/fail (silenced)"}},
          {5min, Health::kOk, {}},  // never announced: no resolution either
      },
      silenced);
  silence = false;
  run(t, {{10min, std::nullopt, {}}}, silenced);
}

TEST(AlertTracker, MutedReminderIsSkippedAndSentWhenTheSilenceEnds) {
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  bool silence = false;
  SilenceCheck silenced = [&](const Alert&) { return silence; };
  run(t, {{0s, Health::kFail, {"fire check/db/fail"}}}, silenced);
  silence = true;
  run(t, {{60min, std::nullopt, {}}}, silenced);
  EXPECT_FALSE(t.next_deadline());
  silence = false;
  run(t, {{70min, std::nullopt, {"remind check/db/fail #1"}}}, silenced);
}

TEST(AlertTracker, ReminderWaitsForTheUndeliveredAnnouncementThenCountsFromItsAcceptance) {
  // SPEC §6: at most once per repeat. The webhook is down from 0 to 2h30m: the reminders due at
  // 1h and 2h are held (a reminder queued behind the announcement would arrive with it); the
  // receiver gets the announcement at 2h30m and its first reminder an hour after that.
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  bool down = true;
  std::vector<std::string> asked;
  UndeliveredCheck undelivered = [&](const std::string& key) {
    asked.push_back(key);
    return down;
  };
  const std::vector<Alert> fired = t.observe(status_of(Health::kFail, at(0s)), at(0s), {}, undelivered);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(t.next_deadline(), at(1h));
  EXPECT_TRUE(t.tick(at(1h), {}, undelivered).empty());
  EXPECT_EQ(asked, std::vector<std::string>{"check/db/fail"});
  EXPECT_FALSE(t.next_deadline()) << "held: waits for delivered(), no timer";
  EXPECT_TRUE(t.tick(at(2h), {}, undelivered).empty());
  down = false;
  t.delivered(fired[0], /*accepted=*/true, at(150min));
  EXPECT_EQ(t.next_deadline(), at(210min));
  EXPECT_TRUE(t.tick(at(200min), {}, undelivered).empty());
  const std::vector<Alert> reminded = t.tick(at(210min), {}, undelivered);
  ASSERT_EQ(reminded.size(), 1u);
  EXPECT_EQ(describe(reminded[0]), "remind check/db/fail #1");
}

TEST(AlertTracker, AReminderHeldForADeliveryThatFailedForGoodIsMadeAtOnce) {
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  bool pending = true;
  UndeliveredCheck undelivered = [&](const std::string&) { return pending; };
  const std::vector<Alert> fired = t.observe(status_of(Health::kFail, at(0s)), at(0s), {}, undelivered);
  EXPECT_TRUE(t.tick(at(1h), {}, undelivered).empty());
  pending = false;
  t.delivered(fired[0], /*accepted=*/false, at(90min));  // refused (a 4xx) or given up
  EXPECT_EQ(t.next_deadline(), at(1h));
  run(t, {{90min, std::nullopt, {"remind check/db/fail #1"}}});
}

TEST(AlertTracker, AResolutionIsNeverHeld) {
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  UndeliveredCheck undelivered = [](const std::string&) { return true; };
  t.observe(status_of(Health::kFail, at(0s)), at(0s), {}, undelivered);
  EXPECT_TRUE(t.tick(at(1h), {}, undelivered).empty());
  const std::vector<Alert> got = t.observe(status_of(Health::kOk, at(61min)), at(61min), {}, undelivered);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(describe(got[0]), "resolve check/db/fail -> ok");
  EXPECT_FALSE(t.next_deadline());
}

TEST(AlertTracker, ResolutionDuringASilenceIsRecordedAndSentWhenItEnds) {
  // A receiver must not keep showing as firing what is over: the resolution waits for the end
  // of the silence instead of being dropped.
  AlertTracker t(kDb, "ops", policy());
  bool silence = false;
  SilenceCheck silenced = [&](const Alert&) { return silence; };
  run(t, {{0s, Health::kFail, {"fire check/db/fail"}}}, silenced);
  silence = true;
  run(t,
      {
          {5min, Health::kOk, {"resolve check/db/fail -> ok (silenced)"}},
          {10min, std::nullopt, {}},  // recorded once
      },
      silenced);
  EXPECT_EQ(t.open().count(Health::kFail), 1u) << "still open for the receiver";
  EXPECT_FALSE(t.next_deadline()) << "it waits for the silence, not a timer";
  silence = false;
  run(t, {{30min, std::nullopt, {"resolve check/db/fail -> ok"}}}, silenced);
  EXPECT_TRUE(t.open().empty());
}

TEST(AlertTracker, ProblemBackBeforeTheSilenceEndsContinuesTheIncident) {
  AlertTracker t(kDb, "ops", policy(0s, 1h));
  bool silence = false;
  SilenceCheck silenced = [&](const Alert&) { return silence; };
  run(t, {{0s, Health::kFail, {"fire check/db/fail"}}}, silenced);
  silence = true;
  run(t,
      {
          {5min, Health::kOk, {"resolve check/db/fail -> ok (silenced)"}},
          {10min, Health::kFail, {}},  // the receiver never heard it was over: nothing new to say
      },
      silenced);
  silence = false;
  run(t,
      {
          {20min, std::nullopt, {}},
          {60min, std::nullopt, {"remind check/db/fail #1"}},
      },
      silenced);
}

TEST(AlertTracker, FlappingThatBeganInASilenceIsReportedWhenTheSilenceEnds) {
  AlertPolicy p = policy();
  p.flapping = FlapPolicy{2, 10min};
  AlertTracker t(kDb, "ops", p);
  bool silence = true;
  SilenceCheck silenced = [&](const Alert&) { return silence; };
  run(t,
      {
          {0s, Health::kOk, {}},
          {1min, Health::kFail, {"fire check/db/fail (silenced)"}},
          {2min, Health::kOk, {}},
          {3min, Health::kFail, {"flapping check/db/flapping (silenced)"}},
          {4min, Health::kOk, {}},  // recorded once
      },
      silenced);
  silence = false;
  run(t,
      {
          {5min, Health::kFail, {"flapping check/db/flapping"}},  // still flapping: said now
          {6min, Health::kOk, {}},
          {16min, std::nullopt, {"stable check/db/flapping"}},
      },
      silenced);
}

TEST(AlertTracker, UnknownDoesNotRestartTheAfterClock) {
  // A nightly job that fails every run: down, running (its retry), down again. `after` counts
  // from the first failure, or a subject failing nearly all the time would never be announced.
  AlertTracker t(kDb, "ops", policy(1h));
  run(t, {
             {0s, Health::kFail, {}},
             {30min, Health::kUnknown, {}},
             {31min, Health::kFail, {}},
             {59min, std::nullopt, {}},
             {60min, std::nullopt, {"fire check/db/fail"}},
         });
}

TEST(AlertTracker, RemovedSubjectEndsItsFlapping) {
  AlertPolicy p = policy();
  p.flapping = FlapPolicy{1, 10min};
  AlertTracker t(kDb, "ops", p);
  run(t, {
             {0s, Health::kOk, {}},
             {1min, Health::kFail, {"fire check/db/fail"}},
             {2min, Health::kOk, {"flapping check/db/flapping"}},
         });
  std::vector<std::string> gone;
  for (const Alert& a : t.remove(at(3min), {})) gone.push_back(describe(a));
  EXPECT_EQ(gone, (std::vector<std::string>{"stable check/db/flapping", "resolve check/db/fail -> unknown"}));
}

TEST(AlertTracker, RecoveryWhileHaleWasDownIsResolvedAfterRestore) {
  // SPEC §6: a problem announced and recovered while hale was down gets its resolution.
  AlertTracker before(kDb, "ops", policy());
  before.observe(status_of(Health::kFail, at(0s)), at(0s), {});
  const SavedRoute saved = before.saved();
  ASSERT_EQ(saved.open.count(Health::kFail), 1u);

  AlertTracker after(kDb, "ops", policy());
  after.restore(saved);
  run(after, {
                 {10min, Health::kUnknown, {}},  // a check starts unknown after a restart
                 {11min, Health::kOk, {"resolve check/db/fail -> ok"}},
             });
}

TEST(AlertTracker, StillFailingAfterRestoreIsNotAnnouncedAgain) {
  AlertTracker before(kDb, "ops", policy(0s, 1h));
  before.observe(status_of(Health::kFail, at(0s)), at(0s), {});
  AlertTracker after(kDb, "ops", policy(0s, 1h));
  after.restore(before.saved());
  run(after, {
                 {10min, Health::kFail, {}},
                 {61min, std::nullopt, {"remind check/db/fail #1"}},  // repeat counts from the saved send
             });
}

TEST(AlertTracker, FlappingSurvivesARestoreAndEndsAsStable) {
  AlertPolicy p = policy();
  p.flapping = FlapPolicy{1, 10min};
  AlertTracker before(kDb, "ops", p);
  before.observe(status_of(Health::kOk, at(0s)), at(0s), {});
  before.observe(status_of(Health::kFail, at(1min)), at(1min), {});
  auto flap = before.observe(status_of(Health::kOk, at(2min)), at(2min), {});
  ASSERT_EQ(flap.size(), 1u);
  EXPECT_TRUE(flap[0].flapping);
  ASSERT_TRUE(before.saved().flapping);

  AlertTracker after(kDb, "ops", p);
  after.restore(before.saved());
  run(after, {
                 {5min, Health::kOk, {}},
                 {12min, std::nullopt, {"stable check/db/flapping", "resolve check/db/fail -> ok"}},
             });
}

TEST(AlertTracker, RemovedSubjectResolvesWhatIsOpen) {
  AlertTracker t(kDb, "ops", policy());
  t.observe(status_of(Health::kFail, at(0s)), at(0s), {});
  auto gone = t.remove(at(1min), {});
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(describe(gone[0]), "resolve check/db/fail -> unknown");
  EXPECT_EQ(gone[0].message, "no longer in the configuration");
  EXPECT_TRUE(t.open().empty());
}

TEST(AlertTracker, AlertsCarryTheSubjectAndTheProblemsTimes) {
  AlertTracker t(kDb, "ops", policy(2min, 1h));
  t.observe(status_of(Health::kOk, at(0s)), at(0s), {});
  t.observe(status_of(Health::kFail, at(1min)), at(1min), {});
  auto fired = t.tick(at(3min), {});
  ASSERT_EQ(fired.size(), 1u);
  const Alert& a = fired[0];
  EXPECT_EQ(a.key, "check/db/fail");
  EXPECT_EQ(a.kind, SubjectKind::kCheck);
  EXPECT_EQ(a.subject, "db");
  EXPECT_EQ(a.status, Health::kFail);
  EXPECT_EQ(a.previous, Health::kOk);
  EXPECT_EQ(a.since, at(1min)) << "since: when the problem began, not when it was announced";
  EXPECT_EQ(a.at, at(3min));
  EXPECT_EQ(a.message, "connection refused");
  EXPECT_EQ(a.repeat, 1h);
  EXPECT_EQ(a.severity(), "critical");
  auto resolved = t.observe(status_of(Health::kOk, at(10min)), at(10min), {});
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].status, Health::kOk);
  EXPECT_EQ(resolved[0].previous, Health::kFail);
  EXPECT_EQ(resolved[0].since, at(1min));
  EXPECT_EQ(resolved[0].severity(), "critical") << "a resolution keeps the severity of what it resolves";
}

TEST(AlertTracker, NonCriticalFailAndDegradedAreWarnings) {
  AlertTracker t(kDb, "ops", policy());
  SubjectStatus s = status_of(Health::kFail, at(0s));
  s.critical = false;
  auto fired = t.observe(s, at(0s), {});
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].severity(), "warning");
  AlertTracker d(kDb, "ops", policy());
  auto degraded = d.observe(status_of(Health::kDegraded, at(0s)), at(0s), {});
  ASSERT_EQ(degraded.size(), 1u);
  EXPECT_EQ(degraded[0].severity(), "warning");
}

}  // namespace
}  // namespace hale
