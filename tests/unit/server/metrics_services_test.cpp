// /metrics, services part: the hale_service_* families of render_metrics() from a hand-built
// ServicesSnapshot, and (when promtool is installed) `promtool check metrics` on the whole page.
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

constexpr const char* kWeirdName = "we\"ird\\name\nx";             // as configured
constexpr const char* kWeirdLabel = "we\\\"ird\\\\name\\nx";       // as exposed

class MetricsServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = std::make_shared<CheckView>();
    c->name = "db";
    c->type = "tcp";
    c->status = Health::kOk;
    c->groups = {"ready"};
    c->probes_total = 10;
    c->errors_by_code = {{ErrorKind::kTimeout, 2}};
    snap_.checks.push_back(c);
    finalize(snap_);

    auto api = std::make_shared<ServiceView>();
    api->name = "api";
    api->state = ServiceState::kReady;
    api->wanted = true;
    api->restarts = 7;
    api->restarts_by_reason = {{"crash", 2}, {"operator", 1}, {"liveness", 4}};
    api->budget_left = 3;
    api->transitions_total = 11;

    auto weird = std::make_shared<ServiceView>();
    weird->name = kWeirdName;
    weird->state = ServiceState::kStopped;
    weird->wanted = false;
    weird->restarts_by_reason = {{"watchdog", 1}, {"clean_exit", 5}, {"start_failed", 6}};
    weird->budget_left = 0;
    weird->transitions_total = 2;

    services_.services = {api, weird};  // sorted: "api" < "we..."
    finalize(services_);
  }

  std::string render(const ServicesSnapshot* services) {
    return render_metrics(snap_, std::nullopt, "v", services);
  }

  Snapshot snap_;
  ServicesSnapshot services_;
};

TEST_F(MetricsServicesTest, StateIsOneForTheCurrentStateAndZeroForTheEightOthers) {
  const auto s = samples(render(&services_));
  for (const char* label : {"api", kWeirdLabel}) {
    const std::string prefix = std::string("hale_service_state{service=\"") + label + "\",";
    EXPECT_EQ(count_prefix(s, prefix), 9u) << label;
    int ones = 0;
    for (ServiceState st : kAllServiceStates) {
      const std::string series = prefix + "state=\"" + std::string(to_string(st)) + "\"}";
      ASSERT_TRUE(s.count(series)) << series;
      ones += s.at(series) == "1";
      EXPECT_TRUE(s.at(series) == "0" || s.at(series) == "1") << series;
    }
    EXPECT_EQ(ones, 1) << label;
  }
  EXPECT_EQ(s.at("hale_service_state{service=\"api\",state=\"ready\"}"), "1");
  EXPECT_EQ(s.at("hale_service_state{service=\"api\",state=\"running\"}"), "0");
  EXPECT_EQ(s.at("hale_service_state{service=\"api\",state=\"stopped\"}"), "0");
  EXPECT_EQ(s.at(std::string("hale_service_state{service=\"") + kWeirdLabel + "\",state=\"stopped\"}"), "1");
  EXPECT_EQ(s.at(std::string("hale_service_state{service=\"") + kWeirdLabel + "\",state=\"ready\"}"), "0");
}

TEST_F(MetricsServicesTest, StateFollowsEveryState) {
  for (ServiceState st : kAllServiceStates) {
    auto v = std::make_shared<ServiceView>();
    v->name = "svc";
    v->state = st;
    ServicesSnapshot one;
    one.services = {v};
    const auto s = samples(render(&one));
    for (ServiceState other : kAllServiceStates) {
      const std::string series = "hale_service_state{service=\"svc\",state=\"" + std::string(to_string(other)) + "\"}";
      ASSERT_TRUE(s.count(series)) << series;
      EXPECT_EQ(s.at(series), other == st ? "1" : "0") << series;
    }
  }
}

TEST_F(MetricsServicesTest, RestartsByReasonHasTheSixReasons) {
  const auto s = samples(render(&services_));
  auto restarts = [&](const std::string& label, const char* reason) {
    const std::string series = "hale_service_restarts_total{service=\"" + label + "\",reason=\"" + reason + "\"}";
    EXPECT_TRUE(s.count(series)) << series;
    return s.count(series) ? s.at(series) : "<absent>";
  };
  EXPECT_EQ(restarts("api", "crash"), "2");
  EXPECT_EQ(restarts("api", "clean_exit"), "0");
  EXPECT_EQ(restarts("api", "start_failed"), "0");
  EXPECT_EQ(restarts("api", "liveness"), "4");
  EXPECT_EQ(restarts("api", "watchdog"), "0");
  EXPECT_EQ(restarts("api", "operator"), "1");
  EXPECT_EQ(restarts(kWeirdLabel, "crash"), "0");
  EXPECT_EQ(restarts(kWeirdLabel, "clean_exit"), "5");
  EXPECT_EQ(restarts(kWeirdLabel, "start_failed"), "6");
  EXPECT_EQ(restarts(kWeirdLabel, "liveness"), "0");
  EXPECT_EQ(restarts(kWeirdLabel, "watchdog"), "1");
  EXPECT_EQ(restarts(kWeirdLabel, "operator"), "0");
  EXPECT_EQ(count_prefix(s, "hale_service_restarts_total{"), 12u) << "six reasons per service, no more";
}

TEST_F(MetricsServicesTest, BudgetWantedAndTransitions) {
  const auto s = samples(render(&services_));
  const std::string weird = kWeirdLabel;
  EXPECT_EQ(s.at("hale_service_restart_budget_left{service=\"api\"}"), "3");
  EXPECT_EQ(s.at("hale_service_restart_budget_left{service=\"" + weird + "\"}"), "0");
  EXPECT_EQ(s.at("hale_service_wanted_running{service=\"api\"}"), "1");
  EXPECT_EQ(s.at("hale_service_wanted_running{service=\"" + weird + "\"}"), "0");
  EXPECT_EQ(s.at("hale_service_transitions_total{service=\"api\"}"), "11");
  EXPECT_EQ(s.at("hale_service_transitions_total{service=\"" + weird + "\"}"), "2");
  EXPECT_EQ(count_prefix(s, "hale_service_restart_budget_left{"), 2u);
  EXPECT_EQ(count_prefix(s, "hale_service_wanted_running{"), 2u);
  EXPECT_EQ(count_prefix(s, "hale_service_transitions_total{"), 2u);
}

TEST_F(MetricsServicesTest, FamiliesHaveHelpAndType) {
  const std::string page = render(&services_);
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
           {"hale_service_state", "gauge"},
           {"hale_service_restarts_total", "counter"},
           {"hale_service_restart_budget_left", "gauge"},
           {"hale_service_wanted_running", "gauge"},
           {"hale_service_transitions_total", "counter"}}) {
    EXPECT_NE(page.find("# TYPE " + name + " " + type + "\n"), std::string::npos) << name;
    EXPECT_NE(page.find("# HELP " + name + " "), std::string::npos) << name;
    // Exactly one TYPE line per family.
    const std::string type_line = "# TYPE " + name + " ";
    EXPECT_EQ(page.find(type_line), page.rfind(type_line)) << name;
  }
}

TEST_F(MetricsServicesTest, LabelValuesAreEscaped) {
  const std::string page = render(&services_);
  EXPECT_NE(page.find(std::string("hale_service_wanted_running{service=\"") + kWeirdLabel + "\"} 0\n"),
            std::string::npos);
  // The raw name (with its newline and bare quote) never reaches the page.
  EXPECT_EQ(page.find(kWeirdName), std::string::npos);
  EXPECT_EQ(page.find("name\nx"), std::string::npos);
  EXPECT_EQ(escape_label(kWeirdName), kWeirdLabel);
}

TEST_F(MetricsServicesTest, NoServiceFamiliesWithoutASupervisor) {
  const std::string page = render(nullptr);
  EXPECT_EQ(page.find("hale_service_"), std::string::npos);
  // The rest of the page is still there.
  EXPECT_NE(page.find("hale_check_status{check=\"db\",status=\"ok\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("hale_build_info{version=\"v\"} 1\n"), std::string::npos);
  // The default argument is "no supervisor" too.
  EXPECT_EQ(render_metrics(snap_, std::nullopt, "v"), page);
}

TEST_F(MetricsServicesTest, EmptySupervisorHasFamiliesButNoSamples) {
  ServicesSnapshot none;
  const std::string page = render(&none);
  EXPECT_NE(page.find("# TYPE hale_service_state gauge\n"), std::string::npos);
  EXPECT_EQ(count_prefix(samples(page), "hale_service_"), 0u);
}

TEST_F(MetricsServicesTest, ServiceFamiliesComeAfterTheChecksAndBeforeProcess) {
  ProcessStats proc{};
  const std::string page = render_metrics(snap_, proc, "v", &services_);
  const auto services_at = page.find("# HELP hale_service_state ");
  ASSERT_NE(services_at, std::string::npos);
  EXPECT_LT(page.find("# HELP hale_check_status "), services_at);
  const auto process_at = page.find("# HELP process_cpu_seconds_total ");
  ASSERT_NE(process_at, std::string::npos);
  EXPECT_LT(services_at, process_at);
}

TEST_F(MetricsServicesTest, PromtoolAcceptsThePage) {
  if (!hale::testing::have_promtool()) GTEST_SKIP() << "promtool not installed";
  // Sanity: promtool does report what it dislikes (a counter without _total), so a pass means something.
  const auto bad = promtool_check("# HELP foo A counter.\n# TYPE foo counter\nfoo 1\n");
  ASSERT_NE(bad.first, 0) << "promtool did not flag a lint problem: " << bad.second;

  const std::string with_services = render(&services_);
  EXPECT_TRUE(promtool_accepts(with_services));

  ProcessStats proc{};
  proc.cpu_seconds = 1.5;
  proc.resident_bytes = 1 << 20;
  EXPECT_TRUE(promtool_accepts(render_metrics(snap_, proc, "v", &services_)));

  ServicesSnapshot none;
  EXPECT_TRUE(promtool_accepts(render(&none)));
}

}  // namespace
}  // namespace hale
