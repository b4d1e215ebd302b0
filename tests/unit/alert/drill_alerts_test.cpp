// SPEC §7: a drill's alerts on a FakeClock: marked with the drill, delivered only to notifiers
// with drills = true (recorded for the others) unless the drill pages, resolved as the drill's,
// and a problem still there once the drill is over is a real incident of its own.
#include <gtest/gtest.h>

#include "hale/alert/alerter.h"
#include "hale/alert/render.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

class DrillAlertsTest : public ::testing::Test {
 protected:
  DrillAlertsTest() {
    CheckSpec guard;
    guard.name = "guard";
    config.checks.push_back(guard);
    for (const char* name : {"ops", "pager"}) {
      NotifierSpec n;
      n.name = name;
      n.drills = std::string(name) == "ops";
      config.notifiers.push_back(n);
    }
    AlertRuleSpec all;
    all.notify = {"ops", "pager"};
    config.alerts = {all};
    DrillSpec drill;
    drill.name = "guard-down";
    config.drills.push_back(drill);
  }

  Alerter& alerter() {
    if (!alerter_) {
      alerter_ = std::make_unique<Alerter>(clock, 7, [this](AlertBatch b) { batches.push_back(std::move(b)); });
      alerter_->apply(config);
    }
    return *alerter_;
  }

  SubjectStatus status(Health h, std::string drill) {
    SubjectStatus s;
    s.status = h;
    s.state = std::string(to_string(h));
    s.reason = h == Health::kOk ? "HTTP 200" : "drill guard-down: forced fail";
    s.since = clock.wall_now();
    s.drill = std::move(drill);
    return s;
  }

  // "notifier key[ resolved][ silenced][ drill=NAME]" for every delivery so far.
  std::vector<std::string> deliveries() const {
    std::vector<std::string> out;
    for (const AlertBatch& b : batches) {
      for (const Delivery& d : b.deliveries) {
        std::string s = d.notifier + " " + d.alert.key;
        if (d.alert.resolved) s += " resolved";
        if (d.state == DeliveryState::kSilenced) s += " silenced";
        if (!d.alert.drill.empty()) s += " drill=" + d.alert.drill;
        out.push_back(s);
      }
    }
    return out;
  }

  const Delivery& last_to(const std::string& notifier) const {
    const Delivery* found = nullptr;
    for (const AlertBatch& b : batches) {
      for (const Delivery& d : b.deliveries) {
        if (d.notifier == notifier) found = &d;
      }
    }
    return *found;
  }

  FakeClock clock;
  Config config;
  std::vector<AlertBatch> batches;
  std::unique_ptr<Alerter> alerter_;
};

TEST_F(DrillAlertsTest, OnlyNotifiersThatTakeDrillsGetThemTheOthersRecordThem) {
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, ""));
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, "guard-down"));
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/guard/fail drill=guard-down",
                                                    "pager check/guard/fail silenced drill=guard-down"}));
  EXPECT_EQ(last_to("pager").last_error, "drill guard-down: this notifier has drills = false");
  // Rendered as a drill: "[drill]" first, "drill" in the webhook payload.
  RenderContext ctx;
  EXPECT_EQ(alert_headline(last_to("ops").alert).rfind("[drill] [CRITICAL] check guard is fail", 0), 0u);
  EXPECT_NE(webhook_json(last_to("ops"), ctx).find(R"("drill":"guard-down")"), std::string::npos);

  batches.clear();
  clock.advance(3s);
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, "guard-down"));
  // The recovery is the drill's too; pager, which was never told, hears nothing.
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/guard/fail resolved drill=guard-down"}));
}

TEST_F(DrillAlertsTest, ADrillWithPageReachesEveryNotifier) {
  config.drills.front().page = true;
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, ""));
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, "guard-down"));
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/guard/fail drill=guard-down",
                                                    "pager check/guard/fail drill=guard-down"}));
}

TEST_F(DrillAlertsTest, AProblemStillThereWhenTheDrillIsOverIsARealIncident) {
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, ""));
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, "guard-down"));
  batches.clear();
  clock.advance(30s);
  // The drill ended and the check's first real result fails: the same status, unmarked.
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, ""));
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/guard/fail resolved drill=guard-down",
                                                    "ops check/guard/fail", "pager check/guard/fail"}));
}

TEST_F(DrillAlertsTest, ARealIncidentIsNeverTurnedIntoADrill) {
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, ""));
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, ""));
  batches.clear();
  clock.advance(10s);
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, "guard-down"));
  clock.advance(10s);
  // The engine marks the way back only when the drill made the check worse: this recovery is real.
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, ""));
  // Still the real incident: its resolution goes to both, unmarked.
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/guard/fail resolved", "pager check/guard/fail resolved"}));
}

TEST_F(DrillAlertsTest, ADrillEndingInAnUnknownStatusResolvesItsIncident) {
  // A heartbeat that never pinged ("new", unknown to alerting) forced down, then restored.
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, "guard-down"));
  batches.clear();
  clock.advance(2s);
  SubjectStatus back = status(Health::kUnknown, "guard-down");
  back.state = "new";
  alerter().observe({SubjectKind::kCheck, "guard"}, back);
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/guard/fail resolved drill=guard-down"}));
  batches.clear();
  clock.advance(1h);
  alerter().tick();
  EXPECT_TRUE(deliveries().empty()) << "nothing is re-announced: the drill's status is gone";
}

TEST_F(DrillAlertsTest, ForcingOkNeverResolvesARealIncident) {
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, ""));
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, ""));
  batches.clear();
  clock.advance(10s);
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kOk, "guard-up"));
  EXPECT_TRUE(deliveries().empty()) << "the dependency is still down underneath";
  clock.advance(10s);
  alerter().observe({SubjectKind::kCheck, "guard"}, status(Health::kFail, ""));
  clock.advance(1s);
  alerter().tick();
  EXPECT_TRUE(deliveries().empty()) << "the same incident goes on: no second announcement";
}

TEST(DrillTracker, ADrillsIncidentRestoredAfterARestartIsEndedByARealFailure) {
  // hale stopped mid-drill with the drill's key open; the next hale sees the check fail for real.
  AlertTracker t(SubjectId{SubjectKind::kCheck, "guard"}, "pager", AlertPolicy{});
  SavedRoute saved;
  saved.subject = "check/guard";
  saved.notifier = "pager";
  OpenKey k;
  k.previous = Health::kOk;
  k.state = "fail";
  k.drill = "guard-down";
  saved.open[Health::kFail] = k;
  t.restore(saved);
  SubjectStatus real;
  real.status = Health::kFail;
  real.state = "fail";
  real.reason = "connection refused";
  real.since = FakeClock().wall_now();
  std::vector<std::string> said;
  for (const Alert& a : t.observe(real, real.since, {})) {
    said.push_back(std::string(a.resolved ? "resolve" : "fire") + (a.drill.empty() ? "" : " drill=" + a.drill));
  }
  EXPECT_EQ(said, (std::vector<std::string>{"resolve drill=guard-down", "fire"}));
}

TEST_F(DrillAlertsTest, AScheduledDrillIsASubjectOfItsOwn) {
  config.drills.front().schedule = Calendar::parse("@weekly").value();
  SubjectStatus failed;
  failed.status = Health::kFail;
  failed.state = "failed";
  failed.reason = "readyz: wanted 503, seen 200";
  failed.since = clock.wall_now();
  alerter().observe({SubjectKind::kDrill, "guard-down"}, failed);
  // A real alert (the rehearsal found a gap), not a drill's: it reaches every notifier.
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops drill/guard-down/fail", "pager drill/guard-down/fail"}));
}

}  // namespace
}  // namespace hale
