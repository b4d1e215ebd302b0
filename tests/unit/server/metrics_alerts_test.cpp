// /metrics, alerting part (SPEC §6): the hale_alert* families of render_metrics() from a
// hand-built AlertsView, /metrics through route() with and without alerting, and (when promtool
// is installed) `promtool check metrics` on the whole page.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "hale/aggregate.h"
#include "hale/server/metrics.h"
#include "hale/server/router.h"
#include "support/metrics_page.h"
#include "support/promtool.h"
#include "support/router_fixture.h"
#include "support/temp_file.h"

namespace hale {
namespace {

using hale::testing::at;
using hale::testing::count_prefix;
using hale::testing::promtool_accepts;
using hale::testing::promtool_check;
using hale::testing::samples;

using namespace std::chrono_literals;

constexpr const char* kWeirdName = "we\"ird\\name\nx";        // never valid in a config, but escaped
constexpr const char* kWeirdLabel = "we\\\"ird\\\\name\\nx";  // as exposed

// The families in the order they are written, with their types.
const std::vector<std::pair<std::string, std::string>> kFamilies = {
    {"hale_alerts_sent_total", "counter"},
    {"hale_alerts_failed_total", "counter"},
    {"hale_alert_retries_total", "counter"},
    {"hale_alerts_silenced_total", "counter"},
    {"hale_alerts_pending", "gauge"},
    {"hale_alert_oldest_pending_age_seconds", "gauge"},
    {"hale_alert_notifier_consecutive_failures", "gauge"},
    {"hale_alert_silences_active", "gauge"},
};

std::string series(const std::string& family, const std::string& notifier) {
  return family + "{notifier=\"" + notifier + "\"}";
}

class MetricsAlertsTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    auto c = std::make_shared<CheckView>();
    c->name = "db";
    c->type = "tcp";
    c->status = Health::kOk;
    c->groups = {"ready"};
    snap_.checks.push_back(c);
    finalize(snap_);

    const WallTime now = clock_.wall_now();
    view_.now = now;

    // ops: failing, backing off, its oldest pending delivery 90.5 s old.
    NotifierStats ops;
    ops.sent = 12;
    ops.failed = 2;
    ops.retries = 7;
    ops.silenced = 3;
    ops.pending = 4;
    ops.in_flight = 1;
    ops.oldest_pending = now - 90500ms;
    ops.consecutive_failures = 5;
    ops.retry_at = now + 8s;
    // hook: accepts everything, nothing pending.
    NotifierStats hook;
    hook.sent = 40;
    // An awkward name.
    NotifierStats weird;
    weird.pending = 1;
    weird.oldest_pending = now - 2s;
    view_.notifiers = {{"ops", ops}, {"hook", hook}, {kWeirdName, weird}};
    view_.notifier_types = {{"ops", "slack"}, {"hook", "webhook"}, {kWeirdName, "exec"}};

    view_.silences = {
        silence("active", now - 1h, now + 1h),
        silence("starts-now", now, now + 1h),  // starts_at is inclusive
        silence("pending", now + 1h, now + 2h),
        silence("expired", now - 2h, now - 1h),
        silence("ends-now", now - 1h, now),  // ends_at is exclusive
    };
    SilenceSet::ActiveWindow w;
    w.spec.schedule = Calendar::parse("0 23 * * *").value();
    w.spec.duration = 2h;
    w.starts_at = now - 1h;
    w.ends_at = now + 1h;
    view_.windows = {w, w};
    view_.windows[1].index = 1;
  }

  static Silence silence(std::string id, WallTime starts, WallTime ends) {
    Silence s;
    s.id = std::move(id);
    s.matchers = {{"subject", "db"}};
    s.starts_at = starts;
    s.ends_at = ends;
    s.comment = "maintenance";
    return s;
  }

  std::string render(const AlertsView* alerts) {
    return render_metrics(snap_, std::nullopt, "v", nullptr, nullptr, alerts);
  }

  // GET /metrics through the router: alert_metrics_ as the daemon sets it (some notifier
  // configured), and view_ when with_view_, counting the views built.
  void add_to_context(RouterContext& ctx) override {
    ctx.alert_metrics = alert_metrics_;
    if (!with_view_) return;
    ctx.alerts = [this](bool deliveries) {
      ++views_built_;
      asked_for_deliveries_ = deliveries;
      return view_;
    };
  }

  AlertsView view_;
  bool alert_metrics_ = false;
  bool with_view_ = false;
  int views_built_ = 0;
  bool asked_for_deliveries_ = true;
};

TEST_F(MetricsAlertsTest, EveryFamilyHasAValuePerNotifier) {
  const auto s = samples(render(&view_));
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> expected = {
      // family, ops, hook, weird
      {"hale_alerts_sent_total", "12", "40", "0"},
      {"hale_alerts_failed_total", "2", "0", "0"},
      {"hale_alert_retries_total", "7", "0", "0"},
      {"hale_alerts_silenced_total", "3", "0", "0"},
      {"hale_alerts_pending", "4", "0", "1"},
      {"hale_alert_oldest_pending_age_seconds", "90.5", "0", "2"},
      {"hale_alert_notifier_consecutive_failures", "5", "0", "0"},
  };
  for (const auto& [family, ops, hook, weird] : expected) {
    EXPECT_EQ(at(s, series(family, "ops")), ops) << family;
    EXPECT_EQ(at(s, series(family, "hook")), hook) << family;
    EXPECT_EQ(at(s, series(family, kWeirdLabel)), weird) << family;
    EXPECT_EQ(count_prefix(s, family + "{"), 3u) << family;
  }
  EXPECT_EQ(at(s, "hale_alert_silences_active"), "4") << "active and starts-now, and the two windows";
  EXPECT_EQ(at(s, "hale_alert_outbox_durable"), "1");
  EXPECT_EQ(count_prefix(s, "hale_alert"), 7u * 3u + 1u + 3u);  // + the outbox's three
}

TEST_F(MetricsAlertsTest, TheOutboxSaysWhenItIsNotDurable) {
  // Issue 17: a full disk left deliveries in memory only while everything said durable.
  view_.durable = false;
  view_.outbox_error = "database or disk is full";
  view_.memory_only = 10;
  view_.outbox_write_failures = 11;
  const auto s = samples(render(&view_));
  EXPECT_EQ(at(s, "hale_alert_outbox_durable"), "0");
  EXPECT_EQ(at(s, "hale_alert_outbox_memory_only"), "10");
  EXPECT_EQ(at(s, "hale_alert_outbox_write_failures_total"), "11");
}

TEST_F(MetricsAlertsTest, ExactLinesOnThePage) {
  const std::string page = render(&view_);
  for (const char* line : {
           "hale_alerts_sent_total{notifier=\"hook\"} 40\n",
           "hale_alerts_failed_total{notifier=\"ops\"} 2\n",
           "hale_alert_retries_total{notifier=\"ops\"} 7\n",
           "hale_alerts_silenced_total{notifier=\"ops\"} 3\n",
           "hale_alerts_pending{notifier=\"ops\"} 4\n",
           "hale_alert_oldest_pending_age_seconds{notifier=\"ops\"} 90.5\n",
           "hale_alert_oldest_pending_age_seconds{notifier=\"hook\"} 0\n",
           "hale_alert_notifier_consecutive_failures{notifier=\"ops\"} 5\n",
           "hale_alert_silences_active 4\n",
       }) {
    EXPECT_NE(page.find(line), std::string::npos) << line << "--- page ---\n" << page;
  }
  EXPECT_EQ(page.find(kWeirdName), std::string::npos) << "the raw name never reaches the page";
  // Nothing about a notifier but its name: no type, URL or token label.
  EXPECT_EQ(page.find("slack"), std::string::npos);
  EXPECT_EQ(page.find("webhook"), std::string::npos);
}

TEST_F(MetricsAlertsTest, OldestPendingAgeIsMeasuredFromTheViewsNow) {
  view_.notifiers.erase(kWeirdName);
  view_.notifiers.erase("hook");
  const WallTime made = *view_.notifiers["ops"].oldest_pending;
  for (const auto& [now, age] : std::vector<std::pair<WallTime, std::string>>{
           {made, "0"}, {made + 250ms, "0.25"}, {made + 1h, "3600"}, {made - 5s, "0"}}) {
    view_.now = now;
    EXPECT_EQ(at(samples(render(&view_)), series("hale_alert_oldest_pending_age_seconds", "ops")), age)
        << "a clock that stepped back gives 0, never a negative age";
  }
}

TEST_F(MetricsAlertsTest, NothingPendingIsZero) {
  for (auto& [name, s] : view_.notifiers) {
    s.pending = 0;
    s.in_flight = 0;
    s.oldest_pending.reset();
  }
  const auto s = samples(render(&view_));
  for (const std::string n : {"ops", "hook", kWeirdLabel}) {
    EXPECT_EQ(at(s, series("hale_alerts_pending", n)), "0") << n;
    EXPECT_EQ(at(s, series("hale_alert_oldest_pending_age_seconds", n)), "0") << n;
  }
}

TEST_F(MetricsAlertsTest, SilencesActiveCountsActiveApiSilencesAndWindows) {
  struct Case {
    std::vector<Silence> silences;
    std::size_t windows;
    std::string active;
  };
  const WallTime now = clock_.wall_now();
  const std::vector<Case> cases = {
      {{}, 0, "0"},
      {{silence("a", now - 1s, now + 1s)}, 0, "1"},
      {{silence("a", now + 1s, now + 2s)}, 0, "0"},
      {{silence("a", now - 2s, now - 1s)}, 0, "0"},
      {{}, 1, "1"},
      {{silence("a", now - 1s, now + 1s), silence("b", now - 1s, now + 1h), silence("c", now + 1s, now + 1h)}, 2,
       "4"},
  };
  for (const Case& c : cases) {
    view_.silences = c.silences;
    view_.windows.resize(c.windows);
    EXPECT_EQ(at(samples(render(&view_)), "hale_alert_silences_active"), c.active)
        << c.silences.size() << " silences, " << c.windows << " windows";
  }
}

TEST_F(MetricsAlertsTest, FamiliesHaveHelpAndTypeOnceInOrder) {
  const std::string page = render(&view_);
  std::size_t last = 0;
  for (const auto& [name, type] : kFamilies) {
    const std::string type_line = "# TYPE " + name + " " + type + "\n";
    const auto pos = page.find(type_line);
    ASSERT_NE(pos, std::string::npos) << name;
    EXPECT_EQ(pos, page.rfind(type_line)) << name;
    EXPECT_NE(page.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_GT(pos, last) << name;
    last = pos;
  }
}

TEST_F(MetricsAlertsTest, NoAlertFamiliesWithoutAView) {
  const std::string page = render(nullptr);
  EXPECT_EQ(page.find("hale_alert"), std::string::npos);
  EXPECT_NE(page.find("hale_check_status{check=\"db\",status=\"ok\"} 1\n"), std::string::npos);
  // The default argument is "no alerting" too.
  EXPECT_EQ(render_metrics(snap_, std::nullopt, "v"), page);
}

TEST_F(MetricsAlertsTest, NoNotifiersHasFamiliesAndOnlyTheSilenceCount) {
  AlertsView empty;
  empty.now = clock_.wall_now();
  const std::string page = render(&empty);
  EXPECT_NE(page.find("# TYPE hale_alerts_sent_total counter\n"), std::string::npos);
  const auto s = samples(page);
  EXPECT_EQ(count_prefix(s, "hale_alert"), 4u);  // the silence count and the outbox's three
  EXPECT_EQ(at(s, "hale_alert_silences_active"), "0");
  EXPECT_EQ(at(s, "hale_alert_outbox_durable"), "1");
}

TEST_F(MetricsAlertsTest, AlertFamiliesComeAfterHeartbeatsAndBeforeProcess) {
  auto svc = std::make_shared<ServiceView>();
  svc->name = "api";
  ServicesSnapshot services;
  services.services = {svc};
  finalize(services);
  auto hb = std::make_shared<HeartbeatView>();
  hb->name = "backup";
  HeartbeatsSnapshot heartbeats;
  heartbeats.heartbeats = {hb};
  finalize(heartbeats);
  ProcessStats proc{};
  const std::string page = render_metrics(snap_, proc, "v", &services, &heartbeats, &view_);
  const auto heartbeats_at = page.find("# HELP hale_heartbeat_state ");
  const auto alerts_at = page.find("# HELP hale_alerts_sent_total ");
  const auto process_at = page.find("# HELP process_cpu_seconds_total ");
  ASSERT_NE(heartbeats_at, std::string::npos);
  ASSERT_NE(alerts_at, std::string::npos);
  ASSERT_NE(process_at, std::string::npos);
  EXPECT_LT(heartbeats_at, alerts_at);
  EXPECT_LT(alerts_at, process_at);
}

// GET /metrics through the router: the families only with ctx.alert_metrics (some notifier
// configured) and a view to read.
TEST_F(MetricsAlertsTest, MetricsRouteShowsAlertFamiliesOnlyWhenAlertingHasNotifiers) {
  auto page = [&](bool alert_metrics, bool with_view) {
    alert_metrics_ = alert_metrics;
    with_view_ = with_view;
    HttpResponse r = get("/metrics");
    EXPECT_EQ(r.status, 200);
    return r.body;
  };
  EXPECT_NE(page(true, true).find("hale_alerts_sent_total{notifier=\"ops\"} 12\n"), std::string::npos);
  EXPECT_EQ(views_built_, 1);
  EXPECT_FALSE(asked_for_deliveries_) << "/metrics needs the counters, not every pending delivery";
  EXPECT_EQ(page(false, true).find("hale_alert"), std::string::npos);
  EXPECT_EQ(views_built_, 1) << "no view is built when it is not shown";
  EXPECT_EQ(page(true, false).find("hale_alert"), std::string::npos);
}

TEST_F(MetricsAlertsTest, PromtoolAcceptsThePage) {
  if (!hale::testing::have_promtool()) GTEST_SKIP() << "promtool not installed";
  // Sanity: promtool does report what it dislikes, so a pass means something.
  const auto bad = promtool_check("# HELP foo A counter.\n# TYPE foo counter\nfoo 1\n");
  ASSERT_NE(bad.first, 0) << "promtool did not flag a lint problem: " << bad.second;

  const std::string page = render(&view_);
  EXPECT_TRUE(promtool_accepts(page));

  // With services, heartbeats and process metrics around them.
  auto svc = std::make_shared<ServiceView>();
  svc->name = "api";
  ServicesSnapshot services;
  services.services = {svc};
  finalize(services);
  auto hb = std::make_shared<HeartbeatView>();
  hb->name = "backup";
  HeartbeatsSnapshot heartbeats;
  heartbeats.heartbeats = {hb};
  finalize(heartbeats);
  ProcessStats proc{};
  proc.cpu_seconds = 1.5;
  EXPECT_TRUE(promtool_accepts(render_metrics(snap_, proc, "v", &services, &heartbeats, &view_)));

  AlertsView empty;
  EXPECT_TRUE(promtool_accepts(render(&empty)));
}

}  // namespace
}  // namespace hale
