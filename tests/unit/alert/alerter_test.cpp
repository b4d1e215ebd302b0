// The Alerter on a FakeClock: routing of subjects to notifiers, the batches it hands to the
// outbox, restore across a restart of hale, reloads, and silences (SPEC §6).
#include "hale/alert/alerter.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hale {
namespace {

using namespace std::chrono_literals;

class AlerterTest : public ::testing::Test {
 protected:
  AlerterTest() { config = base_config(); }

  static Config base_config() {
    Config c;
    for (const char* name : {"db", "web"}) {
      CheckSpec check;
      check.name = name;
      c.checks.push_back(check);
    }
    ServiceSpec api;
    api.name = "api";
    c.services.push_back(api);
    HeartbeatSpec backup;
    backup.name = "backup";
    c.heartbeats.push_back(backup);
    for (const char* name : {"ops", "pager"}) {
      NotifierSpec n;
      n.name = name;
      c.notifiers.push_back(n);
    }
    AlertRuleSpec db_to_pager;
    db_to_pager.match = {"db"};
    db_to_pager.notify = {"pager"};
    AlertRuleSpec all_to_ops;
    all_to_ops.notify = {"ops"};
    all_to_ops.after = 1min;
    c.alerts = {db_to_pager, all_to_ops};
    return c;
  }

  Alerter& alerter() {
    if (!alerter_) {
      alerter_ = std::make_unique<Alerter>(clock, 42, [this](AlertBatch b) { batches.push_back(std::move(b)); });
    }
    return *alerter_;
  }

  static SubjectStatus status(Health h, WallTime since, std::string reason = "connection refused") {
    SubjectStatus s;
    s.status = h;
    s.state = std::string(to_string(h));
    s.reason = std::move(reason);
    s.since = since;
    return s;
  }

  // Every delivery of every batch so far, as "notifier key[ resolved][ silenced]".
  std::vector<std::string> deliveries() const {
    std::vector<std::string> out;
    for (const AlertBatch& b : batches) {
      for (const Delivery& d : b.deliveries) {
        std::string s = d.notifier + " " + d.alert.key;
        if (d.alert.resolved) s += " resolved";
        if (d.state == DeliveryState::kSilenced) s += " silenced";
        out.push_back(s);
      }
    }
    return out;
  }

  FakeClock clock;
  Config config;
  std::vector<AlertBatch> batches;
  std::unique_ptr<Alerter> alerter_;
};

const SubjectId kDb{SubjectKind::kCheck, "db"};
const SubjectId kWeb{SubjectKind::kCheck, "web"};

TEST_F(AlerterTest, RoutesEverySubjectToTheNotifiersOfItsFirstRules) {
  alerter().apply(config);
  // db: pager (rule 1) and ops (rule 2); web, api, backup and hale's own state store: ops.
  EXPECT_EQ(alerter().routes().size(), 6u);
  EXPECT_TRUE(alerter().routes().contains({"hale/state_store", "ops"}));
  EXPECT_TRUE(alerter().routes().contains({"check/db", "pager"}));
  EXPECT_TRUE(alerter().routes().contains({"check/db", "ops"}));
  EXPECT_TRUE(alerter().routes().contains({"service/api", "ops"}));
  EXPECT_TRUE(alerter().routes().contains({"heartbeat/backup", "ops"}));
  EXPECT_FALSE(alerter().routes().contains({"check/web", "pager"}));
  EXPECT_TRUE(batches.empty()) << "nothing to say yet";
}

TEST_F(AlerterTest, AFailureGoesToEachNotifierUnderItsOwnRule) {
  alerter().apply(config);
  alerter().observe(kDb, status(Health::kFail, clock.wall_now()));
  EXPECT_EQ(deliveries(), std::vector<std::string>{"pager check/db/fail"});
  ASSERT_EQ(batches.size(), 1u);
  const AlertBatch& first = batches[0];
  ASSERT_EQ(first.routes.size(), 1u) << "the route is saved with its delivery, in one batch";
  EXPECT_EQ(first.routes[0].notifier, "pager");
  EXPECT_EQ(first.routes[0].open.count(Health::kFail), 1u);
  const Delivery& d = first.deliveries[0];
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.id.size(), 32u);
  EXPECT_TRUE(std::all_of(d.id.begin(), d.id.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); }));
  EXPECT_EQ(d.next_attempt_at, clock.wall_now());
  EXPECT_EQ(d.created_at, clock.wall_now());

  EXPECT_EQ(alerter().next_deadline(), clock.wall_now() + 1min) << "ops' rule waits a minute";
  clock.advance(1min);
  alerter().tick();
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"pager check/db/fail", "ops check/db/fail"}));
  EXPECT_NE(batches[0].deliveries[0].id, batches[1].deliveries[0].id) << "one idempotency key per delivery";
}

TEST_F(AlerterTest, RecoveryWhileHaleWasDownIsResolvedWhenItIsBack) {
  alerter().apply(config);
  alerter().observe(kDb, status(Health::kFail, clock.wall_now()));
  const SavedRoute saved = batches.at(0).routes.at(0);

  // A new hale: the route comes back from the store, the check starts unknown, then passes.
  Alerter restarted(clock, 7, [this](AlertBatch b) { batches.push_back(std::move(b)); });
  batches.clear();
  restarted.restore({saved}, {});
  restarted.apply(config);
  EXPECT_TRUE(deliveries().empty());
  restarted.observe(kDb, status(Health::kOk, clock.wall_now(), "HTTP 200"));
  EXPECT_EQ(deliveries(), std::vector<std::string>{"pager check/db/fail resolved"});
}

TEST_F(AlerterTest, ASubjectRemovedByAReloadIsResolvedAndForgotten) {
  alerter().apply(config);
  alerter().observe(kDb, status(Health::kFail, clock.wall_now()));
  batches.clear();
  Config without_db = config;
  without_db.checks.erase(without_db.checks.begin());
  alerter().apply(without_db);
  EXPECT_EQ(deliveries(), std::vector<std::string>{"pager check/db/fail resolved"});
  ASSERT_EQ(batches.size(), 1u);
  const auto& forget = batches[0].forget;
  EXPECT_NE(std::find(forget.begin(), forget.end(), std::make_pair(std::string("check/db"), std::string("pager"))),
            forget.end());
  EXPECT_FALSE(alerter().routes().contains({"check/db", "pager"}));
}

TEST_F(AlerterTest, AReloadKeepsOpenKeysUnderTheNewRule) {
  alerter().apply(config);
  alerter().observe(kDb, status(Health::kFail, clock.wall_now()));
  batches.clear();
  Config changed = config;
  changed.alerts[0].repeat = 10min;
  alerter().apply(changed);
  EXPECT_TRUE(deliveries().empty()) << "still the same incident: not announced again";
  clock.advance(10min);
  alerter().tick();
  // ops' rule fires for the first time (its `after` ran out); pager's is a reminder.
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/db/fail", "pager check/db/fail"}));
  EXPECT_EQ(batches.back().deliveries[0].alert.sequence, 0);
  EXPECT_EQ(batches.back().deliveries[1].alert.sequence, 1) << "a reminder under the new repeat";
}

TEST_F(AlerterTest, SavedRouteOfASubjectGoneWhileHaleWasDownIsResolved) {
  SavedRoute gone;
  gone.subject = "check/old";
  gone.notifier = "ops";
  gone.open[Health::kFail] = OpenKey{Health::kOk, clock.wall_now() - 1h, clock.wall_now() - 1h, clock.wall_now() - 1h};
  SavedRoute unknown_notifier = gone;
  unknown_notifier.notifier = "gone";
  alerter().restore({gone, unknown_notifier}, {});
  alerter().apply(config);
  EXPECT_EQ(deliveries(), std::vector<std::string>{"ops check/old/fail resolved"});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].forget.size(), 2u) << "both saved routes are forgotten";
}

TEST_F(AlerterTest, ASilencedFailureIsRecordedThenSentWhenTheSilenceIsDeleted) {
  alerter().apply(config);
  Silence s;
  s.matchers = {{"subject", "db"}};
  s.starts_at = clock.wall_now();
  s.ends_at = clock.wall_now() + 1h;
  s.comment = "deploying";
  s.author = "alice";
  const Silence added = alerter().add_silence(s);
  EXPECT_EQ(added.id.size(), 32u);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].silences.size(), 1u) << "the silence is saved";
  batches.clear();

  alerter().observe(kDb, status(Health::kFail, clock.wall_now()));
  clock.advance(1min);
  alerter().tick();
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"pager check/db/fail silenced", "ops check/db/fail silenced"}));
  EXPECT_EQ(alerter().next_deadline(), clock.wall_now() + 59min) << "looked at again when the silence ends";

  batches.clear();
  clock.advance(5min);
  ASSERT_TRUE(alerter().expire_silence(added.id));
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/db/fail", "pager check/db/fail"}))
      << "the problem outlived the silence";
  EXPECT_FALSE(alerter().expire_silence(added.id));
  EXPECT_FALSE(alerter().expire_silence("nope"));
}

TEST_F(AlerterTest, ASilenceRunningOutLetsTheProblemOut) {
  alerter().apply(config);
  Silence s;
  s.matchers = {{"kind", "check"}};
  s.starts_at = clock.wall_now();
  s.ends_at = clock.wall_now() + 30min;
  alerter().add_silence(s);
  batches.clear();
  alerter().observe(kWeb, status(Health::kFail, clock.wall_now()));
  clock.advance(1min);
  alerter().tick();
  EXPECT_EQ(deliveries(), std::vector<std::string>{"ops check/web/fail silenced"});
  ASSERT_EQ(alerter().next_deadline(), clock.wall_now() + 29min);
  clock.advance(29min);
  alerter().tick();
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/web/fail silenced", "ops check/web/fail"}));
}

TEST_F(AlerterTest, AMaintenanceWindowMutesItsSubjectsOnly) {
  SilenceSpec window;
  window.match = {"web"};
  window.schedule = Calendar::parse("* * * * *").value();  // every minute, for 2 minutes: always on
  window.duration = 2min;
  config.silences = {window};
  alerter().apply(config);
  alerter().observe(kWeb, status(Health::kFail, clock.wall_now()));
  alerter().observe(kDb, status(Health::kFail, clock.wall_now()));
  clock.advance(1min);
  alerter().tick();
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"pager check/db/fail", "ops check/db/fail",
                                                    "ops check/web/fail silenced"}));
}

TEST_F(AlerterTest, ServicesAndHeartbeatsAlertLikeChecks) {
  alerter().apply(config);
  SubjectStatus failed = status(Health::kFail, clock.wall_now(), "restart budget exhausted");
  failed.state = "failed";
  alerter().observe({SubjectKind::kService, "api"}, failed);
  SubjectStatus down = status(Health::kFail, clock.wall_now(), "no ping since 03:00");
  down.state = "down";
  alerter().observe({SubjectKind::kHeartbeat, "backup"}, down);
  clock.advance(1min);
  alerter().tick();
  // One tick, routes in (subject, notifier) order.
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops heartbeat/backup/fail", "ops service/api/fail"}));
  EXPECT_EQ(batches.back().deliveries[0].alert.state, "down");
  EXPECT_EQ(batches.back().deliveries[1].alert.state, "failed");
  alerter().observe({SubjectKind::kService, "nope"}, failed);  // not configured: ignored
  EXPECT_EQ(deliveries().size(), 2u);
}

// ---- digests (SPEC §7 group_wait) ----

class DigestTest : public AlerterTest {
 protected:
  // 40 checks behind one network, every one alerting `ops` with a 30 s group_wait.
  DigestTest() {
    config = Config{};
    for (int i = 0; i < 40; ++i) {
      CheckSpec c;
      c.name = "svc-" + std::to_string(i);
      config.checks.push_back(c);
    }
    NotifierSpec ops;
    ops.name = "ops";
    config.notifiers.push_back(ops);
    AlertRuleSpec rule;
    rule.notify = {"ops"};
    rule.group_wait = 30s;
    config.alerts = {rule};
  }
  void all(Health h, Duration spread) {
    for (int i = 0; i < 40; ++i) {
      alerter().observe({SubjectKind::kCheck, "svc-" + std::to_string(i)}, status(h, clock.wall_now()));
      clock.advance(spread);
    }
  }
  std::size_t saved_routes() const {
    std::size_t n = 0;
    for (const AlertBatch& b : batches) n += b.routes.size();
    return n;
  }
};

TEST_F(DigestTest, FortyProblemsWithinTheWindowAreOneMessageAndTheirEndOneMore) {
  alerter().apply(config);
  all(Health::kOk, 0s);
  batches.clear();
  const WallTime first = clock.wall_now();
  all(Health::kFail, 200ms);  // 40 failures over 8 s
  EXPECT_TRUE(deliveries().empty()) << "nothing before the window is over";
  EXPECT_EQ(saved_routes(), 0u) << "no route is saved as announced before its digest";
  EXPECT_EQ(alerter().next_deadline(), first + 30s);
  clock.advance(first + 30s - clock.wall_now());
  alerter().tick();
  ASSERT_EQ(deliveries(), (std::vector<std::string>{"ops digest"}));
  const Delivery& d = batches.back().deliveries.front();
  ASSERT_EQ(d.alert.members.size(), 40u);
  EXPECT_EQ(d.alert.members.front().key, "check/svc-0/fail");
  EXPECT_EQ(d.alert.status, Health::kFail);
  EXPECT_FALSE(d.alert.resolved);
  EXPECT_EQ(batches.back().routes.size(), 40u) << "saved with the digest, in the same batch";
  EXPECT_EQ(d.alert.message.substr(0, d.alert.message.find('\n')), "[CRITICAL] check svc-0 is fail: connection refused");

  batches.clear();
  clock.advance(10min);
  all(Health::kOk, 100ms);
  clock.advance(30s);
  alerter().tick();
  ASSERT_EQ(deliveries(), (std::vector<std::string>{"ops digest resolved"}));
  EXPECT_EQ(batches.back().deliveries.front().alert.members.size(), 40u);
}

TEST_F(DigestTest, ALoneProblemWaitsAtMostGroupWaitAndGoesOutAsItself) {
  alerter().apply(config);
  all(Health::kOk, 0s);
  batches.clear();
  alerter().observe({SubjectKind::kCheck, "svc-7"}, status(Health::kFail, clock.wall_now()));
  clock.advance(29s);
  alerter().tick();
  EXPECT_TRUE(deliveries().empty());
  clock.advance(1s);
  alerter().tick();
  EXPECT_EQ(deliveries(), (std::vector<std::string>{"ops check/svc-7/fail"}));
}

TEST_F(DigestTest, AProblemAfterTheWindowStartsTheNextDigest) {
  alerter().apply(config);
  all(Health::kOk, 0s);
  batches.clear();
  for (int i : {1, 2}) alerter().observe({SubjectKind::kCheck, "svc-" + std::to_string(i)}, status(Health::kFail, clock.wall_now()));
  clock.advance(30s);
  alerter().tick();
  for (int i : {3, 4, 5}) alerter().observe({SubjectKind::kCheck, "svc-" + std::to_string(i)}, status(Health::kFail, clock.wall_now()));
  clock.advance(30s);
  alerter().tick();
  ASSERT_EQ(deliveries(), (std::vector<std::string>{"ops digest", "ops digest"}));
  EXPECT_EQ(batches[0].deliveries[0].alert.members.size(), 2u);
  EXPECT_EQ(batches[1].deliveries[0].alert.members.size(), 3u);
}

TEST_F(DigestTest, DeliveringADigestCountsForEveryMember) {
  alerter().apply(config);
  all(Health::kOk, 0s);
  all(Health::kFail, 0s);
  clock.advance(30s);
  alerter().tick();
  Delivery d = batches.back().deliveries.front();
  d.state = DeliveryState::kSent;
  d.done_at = clock.wall_now();
  alerter().delivered(d);
  // Each member's route now counts its repeat (4h by default) from this acceptance.
  for (const auto& [key, t] : alerter().routes()) {
    if (key.first == "hale/state_store") continue;  // hale's own subject was never failing
    ASSERT_EQ(t.open().count(Health::kFail), 1u) << key.first;
    EXPECT_EQ(t.open().at(Health::kFail).last_sent, clock.wall_now()) << key.first;
  }
}

}  // namespace
}  // namespace hale
