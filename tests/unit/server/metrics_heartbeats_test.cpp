// /metrics, heartbeats part: the hale_heartbeat_* families of render_metrics() from a
// hand-built HeartbeatsSnapshot, and (when promtool is installed) `promtool check metrics` on
// the whole page.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "hale/aggregate.h"
#include "hale/server/metrics.h"
#include "support/metrics_page.h"
#include "support/promtool.h"
#include "support/temp_file.h"

namespace hale {
namespace {

using hale::testing::at;
using hale::testing::count_prefix;
using hale::testing::promtool_accepts;
using hale::testing::promtool_check;
using hale::testing::samples;

using namespace std::chrono_literals;

constexpr const char* kWeirdName = "we\"ird\\name\nx";        // as configured (never valid, but escaped)
constexpr const char* kWeirdLabel = "we\\\"ird\\\\name\\nx";  // as exposed

class MetricsHeartbeatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = std::make_shared<CheckView>();
    c->name = "db";
    c->type = "tcp";
    c->status = Health::kOk;
    c->groups = {"ready"};
    snap_.checks.push_back(c);
    finalize(snap_);

    const WallTime now = clock_.wall_now();  // 2026-01-01T00:00:00Z = 1767225600

    // down, critical, every time set, a last run with a /start.
    auto backup = std::make_shared<HeartbeatView>();
    backup->name = "backup";
    backup->state = HeartbeatStatus::kDown;
    backup->critical = true;
    backup->last_ping = now - 7200s;           // 1767218400
    backup->next_expected = now + 500ms;       // 1767225600.5
    backup->pings_by_kind = {{"success", 3}, {"start", 4}, {"fail", 1}};
    backup->runs_succeeded = 3;
    backup->runs_failed = 1;
    backup->transitions_total = 5;
    HeartbeatRun last;
    last.started = now - 7200s - 90500ms;
    last.ended = now - 7200s;
    last.verdict = "failed (/fail)";
    backup->runs = {last};

    // late, not critical, its last run without a /start (an older one had one).
    auto sync = std::make_shared<HeartbeatView>();
    sync->name = "sync";
    sync->state = HeartbeatStatus::kLate;
    sync->critical = false;
    sync->last_ping = now - 3600s;  // 1767222000
    sync->pings_by_kind = {{"exit_code", 7}, {"log", 2}};
    sync->runs_succeeded = 7;
    sync->transitions_total = 1;
    HeartbeatRun no_start;
    no_start.ended = now - 3600s;
    no_start.exit_code = 0;
    no_start.verdict = "success";
    HeartbeatRun older;
    older.started = now - 7300s;
    older.ended = now - 7200s;
    older.verdict = "success";
    sync->runs = {no_start, older};

    // new: never pinged, nothing expected yet, an awkward name.
    auto weird = std::make_shared<HeartbeatView>();
    weird->name = kWeirdName;
    weird->state = HeartbeatStatus::kNew;
    weird->critical = true;

    heartbeats_.heartbeats = {backup, sync, weird};  // sorted: "backup" < "sync" < "we..."
  }

  std::string render(const HeartbeatsSnapshot* heartbeats) {
    return render_metrics(snap_, std::nullopt, "v", nullptr, heartbeats);
  }

  FakeClock clock_;
  Snapshot snap_;
  HeartbeatsSnapshot heartbeats_;
};

TEST_F(MetricsHeartbeatsTest, StateIsOneHot) {
  const auto s = samples(render(&heartbeats_));
  for (const char* label : {"backup", "sync", kWeirdLabel}) {
    const std::string prefix = std::string("hale_heartbeat_state{heartbeat=\"") + label + "\",";
    EXPECT_EQ(count_prefix(s, prefix), 6u) << label;
    int ones = 0;
    for (HeartbeatStatus st : kAllHeartbeatStatuses) {
      const std::string v = at(s, prefix + "state=\"" + std::string(to_string(st)) + "\"}");
      EXPECT_TRUE(v == "0" || v == "1") << label << " " << to_string(st) << ": " << v;
      ones += v == "1";
    }
    EXPECT_EQ(ones, 1) << label;
  }
  EXPECT_EQ(at(s, "hale_heartbeat_state{heartbeat=\"backup\",state=\"down\"}"), "1");
  EXPECT_EQ(at(s, "hale_heartbeat_state{heartbeat=\"backup\",state=\"up\"}"), "0");
  EXPECT_EQ(at(s, "hale_heartbeat_state{heartbeat=\"sync\",state=\"late\"}"), "1");
  EXPECT_EQ(at(s, std::string("hale_heartbeat_state{heartbeat=\"") + kWeirdLabel + "\",state=\"new\"}"), "1");
  EXPECT_EQ(count_prefix(s, "hale_heartbeat_state{"), 18u);
}

TEST_F(MetricsHeartbeatsTest, StateAndUpFollowEveryState) {
  for (HeartbeatStatus st : kAllHeartbeatStatuses) {
    for (bool critical : {true, false}) {
      auto v = std::make_shared<HeartbeatView>();
      v->name = "j";
      v->state = st;
      v->critical = critical;
      HeartbeatsSnapshot one;
      one.heartbeats = {v};
      const auto s = samples(render(&one));
      for (HeartbeatStatus other : kAllHeartbeatStatuses) {
        EXPECT_EQ(at(s, "hale_heartbeat_state{heartbeat=\"j\",state=\"" + std::string(to_string(other)) + "\"}"),
                  other == st ? "1" : "0")
            << to_string(st) << " / " << to_string(other);
      }
      const bool up = st == HeartbeatStatus::kUp || st == HeartbeatStatus::kRunning || st == HeartbeatStatus::kLate;
      const std::string series =
          std::string("hale_heartbeat_up{heartbeat=\"j\",critical=\"") + (critical ? "true" : "false") + "\"}";
      EXPECT_EQ(at(s, series), up ? "1" : "0") << to_string(st);
      EXPECT_EQ(count_prefix(s, "hale_heartbeat_up{"), 1u);
    }
  }
}

TEST_F(MetricsHeartbeatsTest, ExactSamples) {
  const auto s = samples(render(&heartbeats_));
  const std::string w = kWeirdLabel;
  // up: down is 0, late is 1, new is 0; critical as a label.
  EXPECT_EQ(at(s, "hale_heartbeat_up{heartbeat=\"backup\",critical=\"true\"}"), "0");
  EXPECT_EQ(at(s, "hale_heartbeat_up{heartbeat=\"sync\",critical=\"false\"}"), "1");
  EXPECT_EQ(at(s, "hale_heartbeat_up{heartbeat=\"" + w + "\",critical=\"true\"}"), "0");

  // pings by kind: the five kinds, 0 when none came.
  const std::map<std::string, std::vector<std::string>> pings = {
      {"backup", {"3", "4", "1", "0", "0"}}, {"sync", {"0", "0", "0", "2", "7"}}, {w, {"0", "0", "0", "0", "0"}}};
  const std::vector<std::string> kinds = {"success", "start", "fail", "log", "exit_code"};
  for (const auto& [label, values] : pings) {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      EXPECT_EQ(at(s, "hale_heartbeat_pings_total{heartbeat=\"" + label + "\",kind=\"" + kinds[i] + "\"}"), values[i])
          << label << " " << kinds[i];
    }
  }
  EXPECT_EQ(count_prefix(s, "hale_heartbeat_pings_total{"), 15u);

  EXPECT_EQ(at(s, "hale_heartbeat_runs_total{heartbeat=\"backup\",result=\"success\"}"), "3");
  EXPECT_EQ(at(s, "hale_heartbeat_runs_total{heartbeat=\"backup\",result=\"failure\"}"), "1");
  EXPECT_EQ(at(s, "hale_heartbeat_runs_total{heartbeat=\"sync\",result=\"success\"}"), "7");
  EXPECT_EQ(at(s, "hale_heartbeat_runs_total{heartbeat=\"sync\",result=\"failure\"}"), "0");
  EXPECT_EQ(at(s, "hale_heartbeat_runs_total{heartbeat=\"" + w + "\",result=\"success\"}"), "0");
  EXPECT_EQ(count_prefix(s, "hale_heartbeat_runs_total{"), 6u);

  EXPECT_EQ(at(s, "hale_heartbeat_transitions_total{heartbeat=\"backup\"}"), "5");
  EXPECT_EQ(at(s, "hale_heartbeat_transitions_total{heartbeat=\"sync\"}"), "1");
  EXPECT_EQ(at(s, "hale_heartbeat_transitions_total{heartbeat=\"" + w + "\"}"), "0");

  // Times as epoch seconds; absent when unset.
  EXPECT_EQ(at(s, "hale_heartbeat_last_ping_timestamp_seconds{heartbeat=\"backup\"}"), "1767218400");
  EXPECT_EQ(at(s, "hale_heartbeat_last_ping_timestamp_seconds{heartbeat=\"sync\"}"), "1767222000");
  EXPECT_EQ(count_prefix(s, "hale_heartbeat_last_ping_timestamp_seconds{"), 2u) << "none for the new one";
  EXPECT_EQ(at(s, "hale_heartbeat_next_expected_timestamp_seconds{heartbeat=\"backup\"}"), "1767225600.5");
  EXPECT_EQ(count_prefix(s, "hale_heartbeat_next_expected_timestamp_seconds{"), 1u);

  // The last run's duration only when the last run had a /start.
  EXPECT_EQ(at(s, "hale_heartbeat_last_run_duration_seconds{heartbeat=\"backup\"}"), "90.5");
  EXPECT_EQ(count_prefix(s, "hale_heartbeat_last_run_duration_seconds{"), 1u)
      << "sync's last run had no /start (an older one did), the new one has no run";
}

TEST_F(MetricsHeartbeatsTest, ExactLinesOnThePage) {
  const std::string page = render(&heartbeats_);
  for (const char* line : {
           "hale_heartbeat_state{heartbeat=\"backup\",state=\"down\"} 1\n",
           "hale_heartbeat_up{heartbeat=\"sync\",critical=\"false\"} 1\n",
           "hale_heartbeat_pings_total{heartbeat=\"backup\",kind=\"start\"} 4\n",
           "hale_heartbeat_runs_total{heartbeat=\"backup\",result=\"failure\"} 1\n",
           "hale_heartbeat_transitions_total{heartbeat=\"backup\"} 5\n",
           "hale_heartbeat_last_ping_timestamp_seconds{heartbeat=\"backup\"} 1767218400\n",
           "hale_heartbeat_next_expected_timestamp_seconds{heartbeat=\"backup\"} 1767225600.5\n",
           "hale_heartbeat_last_run_duration_seconds{heartbeat=\"backup\"} 90.5\n",
       }) {
    EXPECT_NE(page.find(line), std::string::npos) << line << "--- page ---\n" << page;
  }
  // The raw name never reaches the page.
  EXPECT_EQ(page.find(kWeirdName), std::string::npos);
}

TEST_F(MetricsHeartbeatsTest, FamiliesHaveHelpAndType) {
  const std::string page = render(&heartbeats_);
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
           {"hale_heartbeat_state", "gauge"},
           {"hale_heartbeat_up", "gauge"},
           {"hale_heartbeat_pings_total", "counter"},
           {"hale_heartbeat_runs_total", "counter"},
           {"hale_heartbeat_transitions_total", "counter"},
           {"hale_heartbeat_last_ping_timestamp_seconds", "gauge"},
           {"hale_heartbeat_next_expected_timestamp_seconds", "gauge"},
           {"hale_heartbeat_last_run_duration_seconds", "gauge"}}) {
    const std::string type_line = "# TYPE " + name + " " + type + "\n";
    EXPECT_NE(page.find(type_line), std::string::npos) << name;
    EXPECT_EQ(page.find(type_line), page.rfind(type_line)) << name;
    EXPECT_NE(page.find("# HELP " + name + " "), std::string::npos) << name;
  }
}

TEST_F(MetricsHeartbeatsTest, NoHeartbeatFamiliesWithoutHeartbeats) {
  const std::string page = render(nullptr);
  EXPECT_EQ(page.find("hale_heartbeat_"), std::string::npos);
  EXPECT_NE(page.find("hale_check_status{check=\"db\",status=\"ok\"} 1\n"), std::string::npos);
  // The default argument is "no heartbeats" too.
  EXPECT_EQ(render_metrics(snap_, std::nullopt, "v"), page);
}

TEST_F(MetricsHeartbeatsTest, EmptySnapshotHasFamiliesButNoSamples) {
  HeartbeatsSnapshot none;
  const std::string page = render(&none);
  EXPECT_NE(page.find("# TYPE hale_heartbeat_state gauge\n"), std::string::npos);
  EXPECT_EQ(count_prefix(samples(page), "hale_heartbeat_"), 0u);
}

TEST_F(MetricsHeartbeatsTest, HeartbeatFamiliesComeAfterServicesAndBeforeProcess) {
  auto svc = std::make_shared<ServiceView>();
  svc->name = "api";
  ServicesSnapshot services;
  services.services = {svc};
  finalize(services);
  ProcessStats proc{};
  const std::string page = render_metrics(snap_, proc, "v", &services, &heartbeats_);
  const auto checks_at = page.find("# HELP hale_check_status ");
  const auto services_at = page.find("# HELP hale_service_state ");
  const auto heartbeats_at = page.find("# HELP hale_heartbeat_state ");
  const auto process_at = page.find("# HELP process_cpu_seconds_total ");
  ASSERT_NE(checks_at, std::string::npos);
  ASSERT_NE(services_at, std::string::npos);
  ASSERT_NE(heartbeats_at, std::string::npos);
  ASSERT_NE(process_at, std::string::npos);
  EXPECT_LT(checks_at, services_at);
  EXPECT_LT(services_at, heartbeats_at);
  EXPECT_LT(heartbeats_at, process_at);
}

TEST_F(MetricsHeartbeatsTest, PromtoolAcceptsThePage) {
  if (!hale::testing::have_promtool()) GTEST_SKIP() << "promtool not installed";
  // Sanity: promtool does report what it dislikes, so a pass means something.
  const auto bad = promtool_check("# HELP foo A counter.\n# TYPE foo counter\nfoo 1\n");
  ASSERT_NE(bad.first, 0) << "promtool did not flag a lint problem: " << bad.second;

  const std::string page = render(&heartbeats_);
  EXPECT_TRUE(promtool_accepts(page));

  // With services and process metrics around them.
  auto svc = std::make_shared<ServiceView>();
  svc->name = "api";
  ServicesSnapshot services;
  services.services = {svc};
  finalize(services);
  ProcessStats proc{};
  proc.cpu_seconds = 1.5;
  EXPECT_TRUE(promtool_accepts(render_metrics(snap_, proc, "v", &services, &heartbeats_)));

  HeartbeatsSnapshot none;
  EXPECT_TRUE(promtool_accepts(render(&none)));
}

}  // namespace
}  // namespace hale
