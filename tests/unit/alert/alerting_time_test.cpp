// Alerting's decisions by time, on simulated time: FakeTimers on a FakeClock drive its group
// waits and retries, and a drill-forced notifier refuses every attempt without a network, so
// nothing here sleeps and every instant is exact. (tests/integration/alerts_*_test.cpp deliver
// to real receivers.)
#include "hale/alert/alerting.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

#include "hale/alert/alerts_view.h"
#include "hale/config.h"
#include "support/simulated_loop.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

Config config_of(const std::string& toml) {
  LoadResult r = load_config_string(toml, "hale.toml");
  if (!r.config) {
    std::string errors;
    for (const ConfigError& e : r.errors) errors += e.to_string() + "\n";
    ADD_FAILURE() << errors;
    return Config{};
  }
  return *r.config;
}

const std::string kChecks =
    "[checks.db]\ntype = \"tcp\"\ntarget = \"127.0.0.1:9\"\n"
    "[checks.cache]\ntype = \"tcp\"\ntarget = \"127.0.0.1:9\"\n"
    "[notifiers.hook]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\n"
    "retry = { base = \"2s\", max = \"8s\", jitter = \"0%\" }\n";

class AlertingOnSimulatedTime : public ::testing::Test {
 protected:
  AlertingOnSimulatedTime() {
    alerting_.on_delivery([this](const Delivery& d) {
      if (d.state == DeliveryState::kPending && d.attempts == 0) made_.push_back({d, loop_.clock.now()});
    });
  }
  ~AlertingOnSimulatedTime() override { alerting_.stop(); }

  void fail(const std::string& check) {
    SubjectStatus s;
    s.status = Health::kFail;
    s.state = "fail";
    s.reason = "connection refused";
    s.since = loop_.clock.wall_now();
    alerting_.observe(SubjectId{SubjectKind::kCheck, check}, s);
    loop_.poll();
  }
  // The one pending delivery (a failure when there is not exactly one).
  Delivery pending() {
    const AlertsView v = alerting_.view();
    EXPECT_EQ(v.pending.size(), 1u);
    return v.pending.empty() ? Delivery{} : v.pending.front();
  }

  struct Made {
    Delivery delivery;
    SteadyTime at;
  };

  testing::SimulatedLoop loop_;
  const SteadyTime t0_ = loop_.clock.now();
  Alerting alerting_{loop_.io, loop_.clock, loop_.curl, /*seed=*/3, &loop_.timers};
  std::vector<Made> made_;
};

TEST_F(AlertingOnSimulatedTime, ARefusedDeliveryIsRetriedAtItsBackoffExactly) {
  alerting_.apply(config_of(kChecks + "[[alerts]]\nmatch = \"db\"\nnotify = [\"hook\"]\n"));
  alerting_.force_notifier("hook", "rehearsal");  // every attempt refused, as a receiver that is down
  fail("db");
  ASSERT_EQ(made_.size(), 1u);
  EXPECT_EQ(made_[0].at, t0_);
  EXPECT_EQ(pending().attempts, 1);

  // 2 s, then 4 s, then 8 s (the cap), then 8 s: base doubling, no jitter.
  const std::vector<Duration> waits{2s, 4s, 8s, 8s};
  int attempts = 1;
  for (Duration wait : waits) {
    loop_.advance(wait - 1ms);
    EXPECT_EQ(pending().attempts, attempts) << "retried before its backoff of " << wait.count();
    loop_.advance(1ms);
    EXPECT_EQ(pending().attempts, ++attempts) << "not retried at its backoff";
  }
  EXPECT_EQ(made_.size(), 1u);  // retries of one delivery, never a second one
}

TEST_F(AlertingOnSimulatedTime, GroupWaitHoldsAlertsAndSendsOneDigestWhenItEnds) {
  alerting_.apply(
      config_of(kChecks + "[[alerts]]\nmatch = \"*\"\nnotify = [\"hook\"]\ngroup_wait = \"30s\"\n"));
  alerting_.force_notifier("hook", "rehearsal");
  fail("db");
  loop_.advance(10s);
  fail("cache");
  loop_.advance(20s - 1ms);
  EXPECT_TRUE(made_.empty()) << "a digest went out before group_wait ended";
  loop_.advance(1ms);
  ASSERT_EQ(made_.size(), 1u);
  EXPECT_EQ(made_[0].at, t0_ + 30s);  // group_wait after the first alert of the group
  EXPECT_EQ(made_[0].delivery.alert.members.size(), 2u);
}

}  // namespace
}  // namespace hale
