// Errors outside the checks: [server], [defaults], [groups.NAME] and the top level, each with
// its exact message and position.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using hale::testing::config_errors;

struct Case {
  const char* name;
  std::string toml;
  std::vector<std::string> errors;
};

const std::vector<Case> kCases = {
    // [server]
    {"ListenWithoutPort", "[server]\nlisten = \"8099\"\n", {"hale.toml:2:10: `listen` \"8099\": needs a port (host:port)"}},
    {"ListenWithoutHost", "[server]\nlisten = \":8099\"\n",
     {"hale.toml:2:10: `listen` \":8099\": needs a host (host:port)"}},
    {"ListenPortTooLarge", "[server]\nlisten = \"127.0.0.1:80000\"\n",
     {"hale.toml:2:10: `listen` \"127.0.0.1:80000\": port must be a number from 0 to 65535"}},
    {"ListenEmpty", "[server]\nlisten = \"\"\n", {"hale.toml:2:10: `listen` must not be empty"}},
    {"ServiceEmpty", "[server]\nservice = \"\"\n", {"hale.toml:2:11: `service` must not be empty"}},
    {"StateDirNotAString", "[server]\nstate_dir = 1\n", {"hale.toml:2:13: `state_dir` must be a string, not an integer"}},
    {"AdminTokenEmpty", "[server]\nadmin_token = \"\"\n",
     {"hale.toml:2:15: `admin_token` must not be empty; leave it out to disable the mutating API"}},
    {"AdminTokenFromUnsetVariable", "[server]\nadmin_token = \"env:HALE_TEST_NEVER_SET\"\n",
     {"hale.toml:2:15: `admin_token`: environment variable HALE_TEST_NEVER_SET is not set"}},
    {"AdminTokenFromMissingFile", "[server]\nadmin_token = \"file:/nonexistent/token\"\n",
     {"hale.toml:2:15: `admin_token`: cannot read file:/nonexistent/token: No such file or directory"}},
    {"MaxConcurrentProbesZero", "[server]\nmax_concurrent_probes = 0\n",
     {"hale.toml:2:25: `max_concurrent_probes` must be at least 1"}},
    {"MetricsDetailMisspelt", "[metrics]\ndetail = \"ful\"\n",
     {"hale.toml:2:10: `detail`: unknown value \"ful\" (expected one of compact, full); did you mean \"full\"?"}},
    {"MetricsUnknownKey", "[metrics]\nhistogram = true\n", {"hale.toml:2:1: unknown key `histogram` in [metrics]"}},
    {"KeepaliveNotABool", "[checks.api]\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\nkeepalive = \"yes\"\n",
     {"hale.toml:4:13: `keepalive` must be true or false, not a string"}},
    {"MaxConnectionsZero", "[server]\nmax_connections = 0\n",
     {"hale.toml:2:19: `max_connections` must be at least 1"}},
    {"MaxHeaderBytesZero", "[server]\nmax_header_bytes = 0\n",
     {"hale.toml:2:20: `max_header_bytes` must be at least 1"}},
    {"MaxBodyBytesNegative", "[server]\nmax_body_bytes = -1\n",
     {"hale.toml:2:18: `max_body_bytes` must be at least 0"}},
    {"ReadTimeoutZero", "[server]\nread_timeout = \"0s\"\n", {"hale.toml:2:16: `read_timeout` must be greater than 0"}},
    {"IdleTimeoutBad", "[server]\nidle_timeout = \"1 minute\"\n",
     {"hale.toml:2:16: `idle_timeout`: invalid duration \"1 minute\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"ContainmentUnknown", "[server]\ncontainment = \"cgroups\"\n",
     {"hale.toml:2:15: `containment`: unknown value \"cgroups\" (expected one of auto, cgroup, subreaper); did you "
      "mean \"cgroup\"?"}},
    {"ServerUnknownKey", "[server]\nlisten_address = \"127.0.0.1:1\"\n",
     {"hale.toml:2:1: unknown key `listen_address` in [server]"}},
    {"ServerKeyTypo", "[server]\nlistn = \"127.0.0.1:1\"\n",
     {"hale.toml:2:1: unknown key `listn` in [server]; did you mean `listen`?"}},
    {"ServerNotATable", "server = \"127.0.0.1:8099\"\n", {"hale.toml:1:10: `server` must be a table, not a string"}},

    // [defaults]
    {"DefaultsUnknownKey", "[defaults]\nintervl = \"5s\"\n",
     {"hale.toml:2:1: unknown key `intervl` in [defaults]; did you mean `interval`?"}},
    {"DefaultsCannotHoldTarget", "[defaults]\ntarget = \"db:1\"\n",
     {"hale.toml:2:1: `target` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"DefaultsCannotHoldType", "[defaults]\ntype = \"http\"\n",
     {"hale.toml:2:1: `type` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"DefaultsCannotHoldExpectBody", "[defaults]\nexpect_body = \"ok\"\n",
     {"hale.toml:2:1: `expect_body` cannot be set in [defaults]; set it in each [checks.NAME]"}},
    {"DefaultsBadValue", "[defaults]\nfailure_threshold = 0\n",
     {"hale.toml:2:21: `failure_threshold` must be at least 1"}},
    {"DefaultsMaxLatencyOverTimeout", "[defaults]\nmax_latency = \"2s\"\n",
     {"hale.toml:2:15: max_latency (2s) must be less than timeout (1s)"}},
    {"DefaultsConflictReportedOnceNotPerCheck",
     "[defaults]\ntimeout = \"1s\"\nmax_latency = \"2s\"\n[checks.a]\ntype = \"http\"\nurl = \"http://a/\"\n"
     "[checks.b]\ntype = \"http\"\nurl = \"http://b/\"\n",
     {"hale.toml:3:15: max_latency (2s) must be less than timeout (1s)"}},
    {"DefaultsGroupUnknown", "[defaults]\ngroups = [\"lve\"]\n",
     {"hale.toml:2:11: unknown group \"lve\"; did you mean \"live\"? (a custom group needs a [groups.lve] table)"}},

    // [groups.NAME]
    {"GroupBuiltInLive", "[groups.live]\ndescription = \"x\"\n",
     {"hale.toml:1:1: group \"live\" is built in; it needs no [groups.live] table"}},
    {"GroupBuiltInReady", "[groups.ready]\n", {"hale.toml:1:1: group \"ready\" is built in; it needs no [groups.ready] table"}},
    {"GroupBadName", "[groups.\"db deps\"]\n",
     {"hale.toml:1:1: group name \"db deps\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    {"GroupUnknownKey", "[groups.deps]\ndescripton = \"x\"\n",
     {"hale.toml:2:1: unknown key `descripton` in [groups.deps]; did you mean `description`?"}},
    {"GroupDescriptionNotAString", "[groups.deps]\ndescription = 1\n",
     {"hale.toml:2:15: `description` must be a string, not an integer"}},
    {"GroupNotATable", "[groups]\ndeps = \"External\"\n", {"hale.toml:2:8: `groups.deps` must be a table, not a string"}},
    {"GroupWithBadDescriptionIsStillDeclared",
     "[groups.deps]\ndescription = 1\n[checks.a]\ntype = \"tcp\"\ntarget = \"a:1\"\ngroups = [\"deps\"]\n",
     {"hale.toml:2:15: `description` must be a string, not an integer"}},

    // Top level.
    {"TopLevelServicesTypo", "[service.api]\ncommand = [\"./api\"]\n",
     {"hale.toml:1:2: unknown key `service` at the top level; did you mean `services`?"}},
    {"HeartbeatNamedLikeACheck",
     "[checks.backup]\ntype = \"tcp\"\ntarget = \"a:1\"\n[heartbeats.backup]\nperiod = \"1h\"\n",
     {"hale.toml:4:13: heartbeat \"backup\" has the name of a check; /health/backup must mean one of them: rename one"}},
    {"HeartbeatsNotATable", "heartbeats = 1\n", {"hale.toml:1:14: `heartbeats` must be a table, not an integer"}},
    // SPEC §6 shapes: [notifiers.NAME] tables, [[alerts]] and [[silences]] arrays of tables.
    {"NotifiersAsArrayOfTables", "[[notifiers]]\ntype = \"discord\"\n",
     {"hale.toml:1:1: `notifiers` must be a table of [notifiers.NAME] tables, not an array of tables"}},
    {"NotifiersNotATable", "notifiers = \"ops\"\n", {"hale.toml:1:13: `notifiers` must be a table, not a string"}},
    {"AlertsAsTable", "[alerts]\nnotify = \"ops\"\n",
     {"hale.toml:1:1: `alerts` must be an array of tables: write [[alerts]]"}},
    {"SilencesAsTable", "[silences.x]\n", {"hale.toml:1:1: `silences` must be an array of tables: write [[silences]]"}},
    {"AlertsArrayOfStrings", "alerts = [\"ops\"]\n", {"hale.toml:1:11: `alerts[0]` must be a table, not a string"}},
    {"DrillWithoutForce", "[drills.db-down]\n",
     {"hale.toml:1:1: [drills.db-down] needs `force`: the checks, heartbeats or notifiers it forces, e.g. force = { db = "
      "\"fail\" }"}},
    {"TopLevelTypo", "[chekcs.db]\ntype = \"tcp\"\n",
     {"hale.toml:1:2: unknown key `chekcs` at the top level; did you mean `checks`?"}},
    {"TopLevelSingular", "[check.db]\ntype = \"tcp\"\n",
     {"hale.toml:1:2: unknown key `check` at the top level; did you mean `checks`?"}},
    {"TopLevelFutureTypo", "[heartbeat.db]\n",
     {"hale.toml:1:2: unknown key `heartbeat` at the top level; did you mean `heartbeats`?"}},
    {"TopLevelNotifierSingular", "[notifier.ops]\ntype = \"slack\"\n",
     {"hale.toml:1:2: unknown key `notifier` at the top level; did you mean `notifiers`?"}},
    {"TopLevelAlertSingular", "[[alert]]\nnotify = \"ops\"\n",
     {"hale.toml:1:3: unknown key `alert` at the top level; did you mean `alerts`?"}},
    {"TopLevelUnknown", "version = 2\n", {"hale.toml:1:1: unknown key `version` at the top level"}},
};

class SectionErrors : public ::testing::TestWithParam<Case> {};

TEST_P(SectionErrors, ReportsExactMessageAndPosition) {
  const Case& c = GetParam();
  const LoadResult r = load_config_string(c.toml, "hale.toml");
  EXPECT_EQ(testing::error_lines(r), c.errors) << c.toml;
  EXPECT_FALSE(r.config.has_value());
}

INSTANTIATE_TEST_SUITE_P(Config, SectionErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ConfigSections, ListenAcceptsPortZeroAndIpv6) {
  EXPECT_EQ(config_errors("[server]\nlisten = \"127.0.0.1:0\"\n"), std::vector<std::string>{});
  EXPECT_EQ(config_errors("[server]\nlisten = \"[::1]:8099\"\n"), std::vector<std::string>{});
  EXPECT_EQ(config_errors("[server]\nlisten = \"localhost:8099\"\n"), std::vector<std::string>{});
}

TEST(ConfigSections, CustomGroupCanBeUsedByChecks) {
  const LoadResult r = load_config_string(
      "[groups.payments]\ndescription = \"Card flow\"\n[checks.psp]\ntype = \"tcp\"\ntarget = \"psp:443\"\n"
      "groups = [\"payments\", \"ready\"]\n",
      "hale.toml");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(testing::error_lines(r));
  EXPECT_EQ(r.config->checks[0].groups, (std::vector<std::string>{"payments", "ready"}));
}

TEST(ConfigSections, ScaleSettingsAndTheirDefaults) {
  const LoadResult defaults = load_config_string("[checks.api]\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\n", "hale.toml");
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->server.max_concurrent_probes, 512);
  EXPECT_EQ(defaults.config->metrics.detail, MetricsDetail::kCompact);
  EXPECT_TRUE(defaults.config->checks[0].as<HttpCheck>()->keepalive);

  const LoadResult set = load_config_string(
      "[server]\nmax_concurrent_probes = 64\n[metrics]\ndetail = \"full\"\n"
      "[checks.api]\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\nkeepalive = false\n",
      "hale.toml");
  ASSERT_TRUE(set.config) << ::testing::PrintToString(testing::error_lines(set));
  EXPECT_EQ(set.config->server.max_concurrent_probes, 64);
  EXPECT_EQ(set.config->metrics.detail, MetricsDetail::kFull);
  EXPECT_FALSE(set.config->checks[0].as<HttpCheck>()->keepalive);
}

}  // namespace
}  // namespace hale
