// [heartbeats.NAME] read by read_heartbeats(): every key, the defaults, and each error with its exact `FILE:LINE:COL: message`.
#include <gtest/gtest.h>

#include <cstdlib>

#include <toml++/toml.h>

#include "hale/config/heartbeat_table.h"

namespace hale::config {
namespace {

using namespace std::chrono_literals;

struct Read {
  std::vector<HeartbeatSpec> specs;
  std::vector<std::string> errors;
  std::vector<std::string> secrets;
};

Read read(const std::string& text) {
  Diagnostics d("hale.toml");
  LoadContext ctx(d, "");
  ctx.declare_group("batch");
  toml::table root = toml::parse(text, std::string_view("hale.toml"));
  Read out;
  out.specs = read_heartbeats(*root["heartbeats"].as_table(), ctx);
  for (const auto& e : d.take_in_file_order()) out.errors.push_back(e.to_string());
  out.secrets = ctx.take_secrets();
  return out;
}

TEST(HeartbeatConfig, EveryKey) {
  setenv("HB_TEST_TOKEN", "ping-secret", 1);
  Read r = read(R"([heartbeats.backup]
schedule = "0 3 * * *"
tz = "Europe/Berlin"
grace = "30m"
max_duration = "2h"
min_duration = "30s"
require_output = true
fail_if_output_matches = "(?i)401|unauthorized"
critical = false
groups = ["batch", "batch"]
token = "env:HB_TEST_TOKEN"
description = "nightly database backup"

[heartbeats.sync]
period = "1h"
)");
  ASSERT_EQ(r.errors, std::vector<std::string>{});
  ASSERT_EQ(r.specs.size(), 2u);
  const HeartbeatSpec& b = r.specs[0];
  EXPECT_EQ(b.name, "backup");
  EXPECT_EQ(b.schedule.cron(), "0 3 * * *");
  EXPECT_FALSE(b.period.has_value());
  EXPECT_EQ(b.schedule.tz(), "Europe/Berlin");
  EXPECT_EQ(b.grace, 30min);
  EXPECT_EQ(b.max_duration, 2h);
  EXPECT_EQ(b.min_duration, 30s);
  EXPECT_TRUE(b.require_output);
  EXPECT_EQ(b.fail_if_output_matches, "(?i)401|unauthorized");
  EXPECT_FALSE(b.critical);
  EXPECT_EQ(b.groups, std::vector<std::string>{"batch"});
  EXPECT_EQ(b.token, "ping-secret");
  EXPECT_EQ(r.secrets, std::vector<std::string>{"ping-secret"});
  // Defaults: one hour of grace, critical, in no group (a late job degrades /health only).
  const HeartbeatSpec& s = r.specs[1];
  EXPECT_EQ(s.period, 1h);
  EXPECT_TRUE(s.schedule.empty());  // a period, not a calendar
  EXPECT_EQ(s.grace, 1h);
  EXPECT_TRUE(s.critical);
  EXPECT_TRUE(s.groups.empty());
  EXPECT_FALSE(s.token.has_value());
  EXPECT_FALSE(s.require_output);
}

struct ErrorCase {
  const char* name;
  const char* body;  // lines 2.. of [heartbeats.job]
  const char* error;
};

class HeartbeatErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(HeartbeatErrors, ExactMessageAndPosition) {
  Read r = read(std::string("[heartbeats.job]\n") + GetParam().body);
  EXPECT_EQ(r.errors, std::vector<std::string>{GetParam().error});
  EXPECT_TRUE(r.specs.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Config, HeartbeatErrors,
    ::testing::Values(
        ErrorCase{"NeitherScheduleNorPeriod", "grace = \"5m\"\n",
                  "hale.toml:1:1: heartbeat \"job\" needs `schedule` (cron) or `period`"},
        ErrorCase{"Both", "schedule = \"* * * * *\"\nperiod = \"1h\"\n",
                  "hale.toml:3:10: `schedule` and `period` exclude each other; keep one"},
        ErrorCase{"TzWithPeriod", "period = \"1h\"\ntz = \"UTC\"\n",
                  "hale.toml:3:6: `tz` applies to `schedule` only (a `period` counts from each ping)"},
        ErrorCase{"UnknownZone", "schedule = \"0 3 * * *\"\ntz = \"Mars/Olympus\"\n",
                  "hale.toml:3:6: `tz` \"Mars/Olympus\" is not a time zone of the tz database (e.g. \"UTC\", "
                  "\"Europe/Berlin\")"},
        ErrorCase{"BadCron", "schedule = \"0 25 * * *\"\n",
                  "hale.toml:2:12: `schedule` \"0 25 * * *\": hour field \"25\": value out of range 0-23"},
        ErrorCase{"ZeroPeriod", "period = \"0s\"\n", "hale.toml:2:10: `period` must be greater than 0"},
        ErrorCase{"BadPattern", "period = \"1h\"\nfail_if_output_matches = \"(oops\"\n",
                  "hale.toml:3:26: `fail_if_output_matches`: invalid pattern at offset 5: missing closing "
                  "parenthesis"},
        ErrorCase{"MinNotBelowMax", "period = \"1h\"\nmax_duration = \"1m\"\nmin_duration = \"2m\"\n",
                  "hale.toml:4:16: `min_duration` (2m) must be less than `max_duration` (1m)"},
        ErrorCase{"UnknownGroup", "period = \"1h\"\ngroups = [\"bach\"]\n",
                  "hale.toml:3:11: unknown group \"bach\"; did you mean \"batch\"? (a custom group needs a "
                  "[groups.bach] table)"},
        ErrorCase{"EmptyToken", "period = \"1h\"\ntoken = \"\"\n",
                  "hale.toml:3:9: `token` must not be empty; leave it out for pings without a token"},
        ErrorCase{"ShortToken", "period = \"1h\"\ntoken = \"abc1234\"\n",
                  "hale.toml:3:9: `token` must be at least 8 characters long"},
        ErrorCase{"Typo", "period = \"1h\"\ngrase = \"5m\"\n",
                  "hale.toml:3:1: unknown key `grase` in [heartbeats.job]; did you mean `grace`?"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hale::config
