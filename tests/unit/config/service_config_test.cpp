// [services.NAME] through the loader: a table with every key (every field asserted), the
// defaults, and every error a service table can have with its exact `FILE:LINE:COL: message`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"
#include "support/temp_dir.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::config_errors;
using hale::testing::error_lines;
using hale::testing::TempDir;
using ::testing::Contains;

// Two checks a service may name, after the service.
const std::string kChecks =
    "[checks.api-ready]\ntype = \"tcp\"\ntarget = \"127.0.0.1:8080\"\n"
    "[checks.api-live]\ntype = \"tcp\"\ntarget = \"127.0.0.1:8080\"\n";

// [services.api] with `body` from line 2 on, then the checks.
std::string service(const std::string& body) { return "[services.api]\n" + body + "\n" + kChecks; }
// A valid [services.api] with one more line, at line 3.
std::string service_with(const std::string& line3) { return service("command = [\"./api\"]\n" + line3); }

// By value: callers pass a temporary LoadResult, which a reference would outlive.
Config loaded(const LoadResult& r) {
  EXPECT_EQ(error_lines(r), std::vector<std::string>{});
  if (!r.config) {
    ADD_FAILURE() << "no config";
    return Config{};
  }
  return *r.config;
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(ServiceConfig, EveryKeyIsRead) {
  ScopedEnv token("HALE_TEST_SERVICE_TOKEN", "token-from-env");
  const LoadResult r = load_config_string(
      "[services.api]\n"
      "command = [\"./api-server\", \"--port\", \"8080\"]\n"
      "env = { RUST_LOG = \"info\", API_TOKEN = \"env:HALE_TEST_SERVICE_TOKEN\", _x1 = \"\" }\n"
      "cwd = \"/\"\n"
      "user = \"root\"\n"
      "restart = \"always\"\n"
      "backoff = { base = \"2s\", max = \"1m\", multiplier = 1.5, jitter = \"250ms\" }\n"
      "restart_budget = { max = 7, window = \"15m\" }\n"
      "stability_period = \"2m\"\n"
      "liveness = \"api-live\"\n"
      "readiness = \"api-ready\"\n"
      "ready = \"notify\"\n"
      "watchdog = \"30s\"\n"
      "pre_start = [\"./refresh-token\", \"--quiet\"]\n"
      "stop_signal = \"SIGINT\"\n"
      "stop_timeout = \"20s\"\n"
      "depends_on = { worker = \"started\", db = \"healthy\", migrate = \"completed\" }\n"
      "log_max_bytes = 2048\n"
      "log_keep = 0\n"
      "[services.worker]\ncommand = [\"./worker\"]\n"
      "[services.migrate]\ncommand = [\"./migrate\"]\nrestart = \"never\"\n"
      "[checks.db]\ntype = \"tcp\"\ntarget = \"127.0.0.1:5432\"\n" +
          kChecks,
      "hale.toml");
  const Config c = loaded(r);
  ASSERT_EQ(c.services.size(), 3u);
  // Sorted by name.
  EXPECT_EQ(c.services[0].name, "api");
  EXPECT_EQ(c.services[1].name, "migrate");
  EXPECT_EQ(c.services[2].name, "worker");
  const ServiceSpec& s = c.services[0];
  EXPECT_EQ(s.pos.line, 1);
  EXPECT_EQ(s.pos.column, 1);
  EXPECT_EQ(s.command, (std::vector<std::string>{"./api-server", "--port", "8080"}));
  // Sorted by name; the secret resolved and listed for the redactor.
  EXPECT_EQ(s.env, (std::vector<std::pair<std::string, std::string>>{
                       {"API_TOKEN", "token-from-env"}, {"RUST_LOG", "info"}, {"_x1", ""}}));
  EXPECT_THAT(c.secrets, Contains("token-from-env"));
  EXPECT_EQ(s.cwd, "/");
  EXPECT_EQ(s.user, "root");
  EXPECT_EQ(s.restart, RestartMode::kAlways);
  EXPECT_EQ(s.backoff.base, 2s);
  EXPECT_EQ(s.backoff.max, 1min);
  EXPECT_EQ(s.backoff.multiplier, 1.5);
  EXPECT_FALSE(s.backoff.jitter.is_fraction);
  EXPECT_EQ(s.backoff.jitter.absolute, 250ms);
  EXPECT_EQ(s.restart_budget.max, 7);
  EXPECT_EQ(s.restart_budget.window, 15min);
  EXPECT_EQ(s.stability_period, 2min);
  EXPECT_EQ(s.liveness, "api-live");
  EXPECT_EQ(s.readiness, "api-ready");
  EXPECT_EQ(s.ready, ReadyMode::kNotify);
  EXPECT_EQ(s.watchdog, std::optional<Duration>(30s));
  EXPECT_EQ(s.pre_start, (std::vector<std::string>{"./refresh-token", "--quiet"}));
  EXPECT_EQ(s.stop_signal, SIGINT);
  EXPECT_EQ(s.stop_timeout, 20s);
  EXPECT_EQ(s.depends_on, (std::vector<ServiceDependency>{{"db", DependencyCondition::kHealthy},
                                                          {"migrate", DependencyCondition::kCompleted},
                                                          {"worker", DependencyCondition::kStarted}}));
  EXPECT_EQ(s.log_max_bytes, 2048u);
  EXPECT_EQ(s.log_keep, 0);
  EXPECT_EQ(c.find_service("migrate")->restart, RestartMode::kNever);
}

TEST(ServiceConfig, DefaultsWhenOmitted) {
  const Config c = loaded(load_config_string("[services.api]\ncommand = [\"./api\"]\n", "hale.toml"));
  ASSERT_EQ(c.services.size(), 1u);
  const ServiceSpec& s = c.services[0];
  EXPECT_EQ(s.command, std::vector<std::string>{"./api"});
  EXPECT_TRUE(s.env.empty());
  EXPECT_EQ(s.cwd, "");
  EXPECT_EQ(s.user, "");
  EXPECT_EQ(s.restart, RestartMode::kOnFailure);
  EXPECT_EQ(s.backoff, ServiceBackoff{});
  EXPECT_EQ(s.backoff.base, 1s);
  EXPECT_EQ(s.backoff.max, 5min);
  EXPECT_EQ(s.backoff.multiplier, 2.0);
  EXPECT_TRUE(s.backoff.jitter.is_fraction);
  EXPECT_DOUBLE_EQ(s.backoff.jitter.fraction, 0.10);
  EXPECT_EQ(s.restart_budget.max, 5);
  EXPECT_EQ(s.restart_budget.window, 10min);
  EXPECT_EQ(s.stability_period, 60s);
  EXPECT_EQ(s.liveness, "");
  EXPECT_EQ(s.readiness, "");
  EXPECT_EQ(s.ready, ReadyMode::kStarted);
  EXPECT_EQ(s.watchdog, std::nullopt);
  EXPECT_TRUE(s.pre_start.empty());
  EXPECT_EQ(s.stop_signal, SIGTERM);
  EXPECT_EQ(s.stop_timeout, 10s);
  EXPECT_TRUE(s.depends_on.empty());
  EXPECT_EQ(s.log_max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(s.log_keep, 3);
}

TEST(ServiceConfig, ReadyDefaultsToCheckWhenReadinessIsSet) {
  const Config c = loaded(load_config_string(service_with("readiness = \"api-ready\""), "hale.toml"));
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].ready, ReadyMode::kCheck);
  // Written out, "started" wins over the readiness default.
  const Config started =
      loaded(load_config_string(service_with("readiness = \"api-ready\"\nready = \"started\""), "hale.toml"));
  EXPECT_EQ(started.services[0].ready, ReadyMode::kStarted);
}

TEST(ServiceConfig, SmallerForms) {
  const Config c = loaded(load_config_string(
      "[services.a]\ncommand = [\"./a\"]\nstop_signal = \"KILL\"\nbackoff = { base = \"0s\", multiplier = 3, jitter = "
      "\"50%\" }\npre_start = []\n[services.a.env]\nZ = \"1\"\nA = \"2\"\n",
      "hale.toml"));
  ASSERT_EQ(c.services.size(), 1u);
  const ServiceSpec& s = c.services[0];
  EXPECT_EQ(s.stop_signal, SIGKILL);
  // base 0: restart at once.
  EXPECT_EQ(s.backoff.base, 0s);
  EXPECT_EQ(s.backoff.multiplier, 3.0);
  EXPECT_TRUE(s.backoff.jitter.is_fraction);
  EXPECT_DOUBLE_EQ(s.backoff.jitter.fraction, 0.5);
  EXPECT_TRUE(s.pre_start.empty());
  EXPECT_EQ(s.env, (std::vector<std::pair<std::string, std::string>>{{"A", "2"}, {"Z", "1"}}));
}

TEST(ServiceConfig, EveryStopSignalName) {
  const std::vector<std::pair<std::string, int>> names{
      {"SIGTERM", SIGTERM}, {"TERM", SIGTERM}, {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT},
      {"SIGHUP", SIGHUP},   {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {"SIGKILL", SIGKILL}};
  for (const auto& [name, number] : names) {
    const LoadResult r = load_config_string(service_with("stop_signal = \"" + name + "\""), "hale.toml");
    ASSERT_TRUE(r.config) << name << ": " << ::testing::PrintToString(error_lines(r));
    EXPECT_EQ(r.config->services[0].stop_signal, number) << name;
  }
}

TEST(ServiceConfig, RelativeCwdIsResolvedAgainstTheConfigDirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "work");
  const std::string path = dir.write("hale.toml", "[services.api]\ncommand = [\"./api\"]\ncwd = \"work\"\n");
  const LoadResult r = load_config_file(path);
  const Config c = loaded(r);
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].cwd, (dir.path() / "work").string());
}

TEST(ServiceConfig, EmptyServicesTableLoads) {
  const Config c = loaded(load_config_string("[services]\n", "hale.toml"));
  EXPECT_TRUE(c.services.empty());
}

TEST(ServiceConfig, ServiceAndCheckNamesAreSeparate) {
  // A service may share its name with its own readiness check (SPEC §4's example does).
  const Config c = loaded(load_config_string(
      "[services.api-ready]\ncommand = [\"./api\"]\nreadiness = \"api-ready\"\n" + kChecks, "hale.toml"));
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].readiness, "api-ready");
}

TEST(ServiceConfig, ReloadEqualityIgnoresPositionButSeesEnv) {
  const std::string a = "[services.api]\ncommand = [\"./api\"]\nenv = { LEVEL = \"info\" }\n";
  const LoadResult first = load_config_string(a, "hale.toml");
  const LoadResult moved = load_config_string("\n\n# moved down\n" + a, "hale.toml");
  const LoadResult changed =
      load_config_string("[services.api]\ncommand = [\"./api\"]\nenv = { LEVEL = \"debug\" }\n", "hale.toml");
  ASSERT_TRUE(first.config && moved.config && changed.config);
  const ServiceSpec& s1 = first.config->services.at(0);
  const ServiceSpec& s2 = moved.config->services.at(0);
  const ServiceSpec& s3 = changed.config->services.at(0);
  EXPECT_NE(s1.pos.line, s2.pos.line);
  EXPECT_EQ(s1, s2);
  EXPECT_FALSE(s1 == s3);
}

struct Case {
  const char* name;
  std::string toml;
  std::vector<std::string> errors;
};

const std::vector<Case> kCases = {
    // The table and its name.
    {"UnknownKeyWithNearMiss", service_with("restrat = \"always\""),
     {"hale.toml:3:1: unknown key `restrat` in [services.api]; did you mean `restart`?"}},
    {"UnknownKeyWithoutNearMiss", service_with("colour = \"red\""),
     {"hale.toml:3:1: unknown key `colour` in [services.api]"}},
    {"BadName", "[services.\"my api\"]\ncommand = [\"./api\"]\n",
     {"hale.toml:1:1: service name \"my api\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"}},
    {"ServiceNotATable", "[services]\napi = \"./api\"\n",
     {"hale.toml:2:7: `services.api` must be a table, not a string"}},
    {"ServicesNotATable", "services = 1\n", {"hale.toml:1:12: `services` must be a table, not an integer"}},

    // command and pre_start.
    {"MissingCommand", service("restart = \"always\""),
     {"hale.toml:1:1: service \"api\" needs `command` (an argv array)"}},
    {"CommandIsAString", service("command = \"./api --port 8080\""),
     {"hale.toml:2:11: `command` must be an array of strings (argv, never a shell), not a string"}},
    {"CommandEmpty", service("command = []"), {"hale.toml:2:11: `command` must not be empty"}},
    {"CommandEmptyArgument", service("command = [\"./api\", \"\"]"),
     {"hale.toml:2:21: `command[1]` must not be empty"}},
    {"CommandEmptyProgram", service("command = [\"\"]"), {"hale.toml:2:12: `command[0]` must not be empty"}},
    {"CommandNotStrings", service("command = [\"./api\", 8080]"),
     {"hale.toml:2:21: `command[1]` must be a string, not an integer"}},
    {"PreStartIsAString", service_with("pre_start = \"./refresh\""),
     {"hale.toml:3:13: `pre_start` must be an array of strings (argv, never a shell), not a string"}},
    {"PreStartEmptyProgram", service_with("pre_start = [\"\"]"),
     {"hale.toml:3:14: `pre_start[0]` must not be empty"}},

    // env.
    {"EnvNotATable", service_with("env = \"A=1\""), {"hale.toml:3:7: `env` must be a table, not a string"}},
    {"EnvBadName", service_with("env = { 1X = \"a\", A-B = \"b\" }"),
     {"hale.toml:3:9: `env`: \"1X\" is not a valid variable name (letters, digits and '_', not starting with a "
      "digit)",
      "hale.toml:3:19: `env`: \"A-B\" is not a valid variable name (letters, digits and '_', not starting with a "
      "digit)"}},
    {"EnvValueNotAString", service_with("env = { A = 1 }"),
     {"hale.toml:3:13: `env.A` must be a string, not an integer"}},
    {"EnvSecretUnset", service_with("env = { TOKEN = \"env:HALE_TEST_NEVER_SET\" }"),
     {"hale.toml:3:17: `env.TOKEN`: environment variable HALE_TEST_NEVER_SET is not set"}},
    {"EnvSecretFileMissing", service_with("env = { TOKEN = \"file:/nonexistent/token\" }"),
     {"hale.toml:3:17: `env.TOKEN`: cannot read file:/nonexistent/token: No such file or directory"}},

    // cwd and user.
    {"CwdMissing", service_with("cwd = \"/nonexistent/hale-dir\""),
     {"hale.toml:3:7: `cwd` \"/nonexistent/hale-dir\": No such file or directory"}},
    {"CwdNotADirectory", service_with("cwd = \"/etc/passwd\""),
     {"hale.toml:3:7: `cwd` \"/etc/passwd\" is not a directory"}},
    {"CwdEmpty", service_with("cwd = \"\""), {"hale.toml:3:7: `cwd` must not be empty"}},
    {"UserMissing", service_with("user = \"hale-no-such-user\""),
     {"hale.toml:3:8: user \"hale-no-such-user\" does not exist"}},
    {"UserEmpty", service_with("user = \"\""), {"hale.toml:3:8: `user` must not be empty"}},
    {"UserNotAString", service_with("user = 0"), {"hale.toml:3:8: `user` must be a string, not an integer"}},

    // restart, backoff, restart_budget, stability_period.
    {"RestartTypo", service_with("restart = \"alwyas\""),
     {"hale.toml:3:11: `restart`: unknown value \"alwyas\" (expected one of always, on-failure, never); did you "
      "mean \"always\"?"}},
    {"RestartUnderscore", service_with("restart = \"on_failure\""),
     {"hale.toml:3:11: `restart`: unknown value \"on_failure\" (expected one of always, on-failure, never); did "
      "you mean \"on-failure\"?"}},
    {"RestartUnknown", service_with("restart = \"sometimes\""),
     {"hale.toml:3:11: `restart`: unknown value \"sometimes\" (expected one of always, on-failure, never)"}},
    {"BackoffNotATable", service_with("backoff = \"1s\""),
     {"hale.toml:3:11: `backoff` must be a table, not a string"}},
    {"BackoffUnknownKey", service_with("backoff = { bse = \"1s\", max_retries = 3 }"),
     {"hale.toml:3:13: unknown key `bse` in `backoff`; did you mean `base`?",
      "hale.toml:3:25: unknown key `max_retries` in `backoff`"}},
    {"BackoffBaseNegative", service_with("backoff = { base = \"-1s\" }"),
     {"hale.toml:3:20: `backoff.base`: invalid duration \"-1s\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},
    {"BackoffMaxBelowBase", service_with("backoff = { base = \"10s\", max = \"5s\" }"),
     {"hale.toml:3:33: `backoff.max` (5s) must not be less than `backoff.base` (10s)"}},
    {"BackoffBaseAboveDefaultMax", service_with("backoff = { base = \"10m\" }"),
     {"hale.toml:3:20: `backoff.max` (5m, the default) must not be less than `backoff.base` (10m)"}},
    {"BackoffMultiplierBelowOne", service_with("backoff = { multiplier = 0.5 }"),
     {"hale.toml:3:26: `backoff.multiplier` must be at least 1"}},
    {"BackoffMultiplierAString", service_with("backoff = { multiplier = \"2\" }"),
     {"hale.toml:3:26: `backoff.multiplier` must be a number, not a string"}},
    {"BackoffMultiplierInfinite", service_with("backoff = { multiplier = inf }"),
     {"hale.toml:3:26: `backoff.multiplier` must be a finite number"}},
    {"BackoffJitterOverHundredPercent", service_with("backoff = { jitter = \"150%\" }"),
     {"hale.toml:3:22: `backoff.jitter`: invalid value \"150%\" (use a duration like \"2s\" or a share of the delay "
      "from \"0%\" to \"100%\")"}},
    {"BackoffJitterNotAString", service_with("backoff = { jitter = 0.1 }"),
     {"hale.toml:3:22: `backoff.jitter` must be a string, not a float"}},
    {"BudgetMaxZero", service_with("restart_budget = { max = 0 }"),
     {"hale.toml:3:26: `restart_budget.max` must be at least 1"}},
    {"BudgetWindowZero", service_with("restart_budget = { window = \"0s\" }"),
     {"hale.toml:3:29: `restart_budget.window` must be greater than 0"}},
    {"BudgetUnknownKey", service_with("restart_budget = { windw = \"1m\" }"),
     {"hale.toml:3:20: unknown key `windw` in `restart_budget`; did you mean `window`?"}},
    {"StabilityPeriodBare", service_with("stability_period = 60"),
     {"hale.toml:3:20: `stability_period` must be a duration string like \"10s\", not an integer"}},
    {"StabilityPeriodNegative", service_with("stability_period = \"-1m\""),
     {"hale.toml:3:20: `stability_period`: invalid duration \"-1m\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"}},

    // liveness, readiness, ready, watchdog.
    {"LivenessUnknownWithNearMiss", service_with("liveness = \"api-lve\""),
     {"hale.toml:3:12: liveness names check \"api-lve\", which is not defined; did you mean \"api-live\"?"}},
    {"ReadinessUnknown", service_with("readiness = \"database\""),
     {"hale.toml:3:13: readiness names check \"database\", which is not defined"}},
    {"ReadinessEmpty", service_with("readiness = \"\""), {"hale.toml:3:13: `readiness` must not be empty"}},
    {"ReadinessNamesABrokenCheck",
     "[services.api]\ncommand = [\"./api\"]\nreadiness = \"api\"\n[checks.api]\ntarget = \"127.0.0.1:1\"\n",
     {"hale.toml:4:1: check \"api\" needs `type` (one of http, https, tcp, exec, dns, tls, grpc, expiry)"}},
    {"ReadyTypo", service_with("ready = \"notfy\""),
     {"hale.toml:3:9: `ready`: unknown value \"notfy\" (expected one of started, notify, check); did you mean "
      "\"notify\"?"}},
    {"ReadyCheckWithoutReadiness", service_with("ready = \"check\""),
     {"hale.toml:3:9: ready = \"check\" needs `readiness` (the check that decides when the service is ready)"}},
    {"WatchdogWithoutNotify", service_with("watchdog = \"30s\""),
     {"hale.toml:3:12: `watchdog` needs ready = \"notify\" (WATCHDOG=1 arrives over sd_notify), not ready = "
      "\"started\""}},
    {"WatchdogWithReadyCheck", service_with("readiness = \"api-ready\"\nwatchdog = \"30s\""),
     {"hale.toml:4:12: `watchdog` needs ready = \"notify\" (WATCHDOG=1 arrives over sd_notify), not ready = "
      "\"check\""}},
    {"WatchdogWithBrokenReadyIsNotBlamedTwice", service_with("ready = \"notfy\"\nwatchdog = \"30s\""),
     {"hale.toml:3:9: `ready`: unknown value \"notfy\" (expected one of started, notify, check); did you mean "
      "\"notify\"?"}},
    {"WatchdogZero", service_with("ready = \"notify\"\nwatchdog = \"0s\""),
     {"hale.toml:4:12: `watchdog` must be greater than 0"}},

    // stop_signal, stop_timeout.
    {"StopSignalTypo", service_with("stop_signal = \"SIGTEM\""),
     {"hale.toml:3:15: `stop_signal`: unknown signal \"SIGTEM\" (expected one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, "
      "SIGUSR1, SIGUSR2, SIGKILL; the SIG prefix may be left out); did you mean \"SIGTERM\"?"}},
    {"StopSignalLowerCase", service_with("stop_signal = \"sigterm\""),
     {"hale.toml:3:15: `stop_signal`: unknown signal \"sigterm\" (expected one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, "
      "SIGUSR1, SIGUSR2, SIGKILL; the SIG prefix may be left out); did you mean \"SIGTERM\"?"}},
    {"StopSignalUnsupported", service_with("stop_signal = \"SIGWINCH\""),
     {"hale.toml:3:15: `stop_signal`: unknown signal \"SIGWINCH\" (expected one of SIGTERM, SIGINT, SIGQUIT, "
      "SIGHUP, SIGUSR1, SIGUSR2, SIGKILL; the SIG prefix may be left out)"}},
    {"StopSignalNumber", service_with("stop_signal = 15"),
     {"hale.toml:3:15: `stop_signal` must be a string, not an integer"}},
    {"StopTimeoutZero", service_with("stop_timeout = \"0s\""),
     {"hale.toml:3:16: `stop_timeout` must be greater than 0"}},

    // depends_on.
    {"DependsOnNotATable", service_with("depends_on = [\"db\"]"),
     {"hale.toml:3:14: `depends_on` must be a table, not an array"}},
    {"DependsOnUnknownWithNearMiss", service_with("depends_on = { api-redy = \"healthy\" }"),
     {"hale.toml:3:16: `depends_on` names \"api-redy\", which is neither a service nor a check; did you mean "
      "\"api-ready\"?"}},
    {"DependsOnUnknown", service_with("depends_on = { postgres = \"healthy\" }"),
     {"hale.toml:3:16: `depends_on` names \"postgres\", which is neither a service nor a check"}},
    {"DependsOnCheckStarted", service_with("depends_on = { api-live = \"started\" }"),
     {"hale.toml:3:27: `depends_on.api-live`: \"api-live\" is a check, which can only be \"healthy\""}},
    {"DependsOnCheckCompleted", service_with("depends_on = { api-live = \"completed\" }"),
     {"hale.toml:3:27: `depends_on.api-live`: \"api-live\" is a check, which can only be \"healthy\""}},
    {"DependsOnConditionTypo", service_with("depends_on = { api-live = \"helthy\" }"),
     {"hale.toml:3:27: `depends_on.api-live`: unknown value \"helthy\" (expected one of started, healthy, "
      "completed); did you mean \"healthy\"?"}},
    {"DependsOnConditionNotAString", service_with("depends_on = { api-live = true }"),
     {"hale.toml:3:27: `depends_on.api-live` must be a string, not a boolean"}},
    {"DependsOnItself", service_with("depends_on = { api = \"started\" }"),
     {"hale.toml:3:16: service \"api\" cannot depend on itself"}},
    {"DependsOnCycleOfTwo",
     "[services.b]\ncommand = [\"./b\"]\ndepends_on = { a = \"healthy\" }\n"
     "[services.a]\ncommand = [\"./a\"]\ndepends_on = { b = \"started\" }\n",
     {"hale.toml:6:16: depends_on forms a cycle: a -> b -> a"}},
    {"DependsOnCycleOfThree",
     "[services.a]\ncommand = [\"./a\"]\ndepends_on = { b = \"started\" }\n"
     "[services.b]\ncommand = [\"./b\"]\ndepends_on = { c = \"healthy\" }\n"
     "[services.c]\ncommand = [\"./c\"]\ndepends_on = { a = \"completed\" }\n"
     "[services.d]\ncommand = [\"./d\"]\ndepends_on = { a = \"started\" }\n",
     {"hale.toml:3:16: depends_on forms a cycle: a -> b -> c -> a"}},
    {"DependsOnCycleInASubtable",
     "[services.a]\ncommand = [\"./a\"]\n[services.a.depends_on]\nb = \"started\"\n"
     "[services.b]\ncommand = [\"./b\"]\n[services.b.depends_on]\na = \"started\"\n",
     {"hale.toml:4:1: depends_on forms a cycle: a -> b -> a"}},
    {"DependsOnCycleThroughABrokenService",
     "[services.a]\ncommand = [\"./a\"]\ndepends_on = { b = \"started\" }\n"
     "[services.b]\ncommand = \"./b\"\ndepends_on = { a = \"started\" }\n",
     {"hale.toml:3:16: depends_on forms a cycle: a -> b -> a",
      "hale.toml:5:11: `command` must be an array of strings (argv, never a shell), not a string"}},

    // log_max_bytes, log_keep.
    {"LogMaxBytesTooSmall", service_with("log_max_bytes = 1000"),
     {"hale.toml:3:17: `log_max_bytes` must be at least 1024"}},
    {"LogMaxBytesAString", service_with("log_max_bytes = \"10MiB\""),
     {"hale.toml:3:17: `log_max_bytes` must be an integer, not a string"}},
    {"LogKeepTooMany", service_with("log_keep = 101"), {"hale.toml:3:12: `log_keep` must be at most 100"}},
    {"LogKeepNegative", service_with("log_keep = -1"), {"hale.toml:3:12: `log_keep` must be at least 0"}},

    // All at once, in file order, with the checks' own errors.
    {"EveryErrorAtOnce",
     "[services.api]\ncommand = \"./api\"\nrestart = \"alwyas\"\nstop_timeout = \"0s\"\n"
     "[checks.db]\ntype = \"tcp\"\ntarget = \"db\"\n"
     "[services.web]\nliveness = \"dbb\"\n",
     {"hale.toml:2:11: `command` must be an array of strings (argv, never a shell), not a string",
      "hale.toml:3:11: `restart`: unknown value \"alwyas\" (expected one of always, on-failure, never); did you "
      "mean \"always\"?",
      "hale.toml:4:16: `stop_timeout` must be greater than 0", "hale.toml:7:10: `target` \"db\": needs a port (host:port)",
      "hale.toml:8:1: service \"web\" needs `command` (an argv array)",
      "hale.toml:9:12: liveness names check \"dbb\", which is not defined; did you mean \"db\"?"}},
};

class ServiceErrors : public ::testing::TestWithParam<Case> {};

TEST_P(ServiceErrors, ReportsExactMessageAndPosition) {
  const Case& c = GetParam();
  const LoadResult r = load_config_string(c.toml, "hale.toml");
  EXPECT_EQ(error_lines(r), c.errors) << c.toml;
  EXPECT_FALSE(r.config.has_value());
}

INSTANTIATE_TEST_SUITE_P(Config, ServiceErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ServiceConfig, SecretEnvValuesNeverAppearInErrors) {
  ScopedEnv token("HALE_TEST_SERVICE_SECRET", "s3cret-value");
  const std::vector<std::string> errors =
      config_errors(service_with("env = { \"bad name\" = \"env:HALE_TEST_SERVICE_SECRET\" }"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].find("s3cret-value"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace hale
