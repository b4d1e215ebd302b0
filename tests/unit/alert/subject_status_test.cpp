// What checks, services and heartbeats mean for alerting (SPEC §6): their Health, their own word
// for it, and when a heartbeat's run is news.
#include "hale/alert/subject_status.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(SubjectStatus, HeartbeatStatesAsAlertingSeesThem) {
  const WallTime at = FakeClock().wall_now();
  struct Case {
    HeartbeatStatus state;
    Health expected;
  } cases[] = {
      {HeartbeatStatus::kNew, Health::kUnknown},
      {HeartbeatStatus::kUp, Health::kOk},
      // A run that merely started resolves nothing: its success will.
      {HeartbeatStatus::kRunning, Health::kUnknown},
      {HeartbeatStatus::kLate, Health::kDegraded},
      {HeartbeatStatus::kDown, Health::kFail},
      // An operator's pause ends what was announced.
      {HeartbeatStatus::kPaused, Health::kOk},
  };
  for (const Case& c : cases) {
    const SubjectStatus s = heartbeat_subject_status(c.state, "why", false, at);
    EXPECT_EQ(s.status, c.expected) << to_string(c.state);
    EXPECT_EQ(s.state, to_string(c.state));
    EXPECT_FALSE(s.critical);
    EXPECT_EQ(s.since, at);
  }
}

TEST(SubjectStatus, ServiceFollowsItsOverallHealth) {
  ServiceView v;
  v.name = "api";
  v.critical = true;
  v.reason = "restart budget exhausted";
  v.state = ServiceState::kFailed;
  EXPECT_EQ(service_subject_status(v).status, Health::kFail);
  EXPECT_EQ(service_subject_status(v).state, "failed");
  EXPECT_EQ(service_subject_status(v).reason, "restart budget exhausted");
  v.state = ServiceState::kBackoff;
  EXPECT_EQ(service_subject_status(v).status, Health::kDegraded);
  v.state = ServiceState::kStarting;
  EXPECT_EQ(service_subject_status(v).status, Health::kUnknown);
  v.state = ServiceState::kReady;
  EXPECT_EQ(service_subject_status(v).status, Health::kOk);
  v.state = ServiceState::kStopping;  // an operator's restart, a reload, hale stopping: no news
  v.wanted = true;
  EXPECT_EQ(service_subject_status(v).status, Health::kUnknown);
  EXPECT_EQ(service_subject_status(v).state, "stopping");
  v.state = ServiceState::kStopped;  // an operator's stop is not a problem
  EXPECT_EQ(service_subject_status(v).status, Health::kOk);
}

TEST(SubjectStatus, CheckTakesItsTransition) {
  Transition t;
  t.check = "db";
  t.from = Health::kOk;
  t.to = Health::kFail;
  t.reason = "connection refused";
  t.wall_at = FakeClock().wall_now();
  const SubjectStatus s = check_subject_status(t, true);
  EXPECT_EQ(s.status, Health::kFail);
  EXPECT_EQ(s.state, "fail");
  EXPECT_EQ(s.reason, "connection refused");
  EXPECT_TRUE(s.critical);
  EXPECT_EQ(s.since, t.wall_at);
}

}  // namespace
}  // namespace hale
