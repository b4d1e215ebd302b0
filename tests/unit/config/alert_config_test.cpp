// [[alerts]] and [[silences]] through the loader (SPEC §6): every key, the defaults, file order,
// each error with its exact `FILE:LINE:COL: message`, literal `match` names checked against the
// checks, services and heartbeats of the file (globs not), `notify` against [notifiers.NAME].
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::config_errors;
using hale::testing::error_lines;

// Subjects and notifiers the rules below may name: lines 1-16.
const std::string kPrelude = R"([checks.db]
type = "tcp"
target = "127.0.0.1:5432"
[checks.web]
type = "http"
url = "http://127.0.0.1:8080/"
[services.api]
command = ["./api"]
[heartbeats.backup]
period = "1d"
[notifiers.ops]
type = "webhook"
url = "https://hooks.internal/ops"
[notifiers.pager]
type = "ntfy"
url = "https://ntfy.sh/hale"
)";
constexpr int kPreludeLines = 16;

// The config `toml` loads into (by value: the LoadResult is a temporary); no errors expected.
Config loaded(const LoadResult& r) {
  EXPECT_EQ(error_lines(r), std::vector<std::string>{});
  if (!r.config) {
    ADD_FAILURE() << "no config";
    return Config{};
  }
  return *r.config;
}

// "hale.toml:LINE:COL: message" with LINE counted from the end of the prelude.
std::string at(int line, int column, const std::string& message) {
  return "hale.toml:" + std::to_string(kPreludeLines + line) + ":" + std::to_string(column) + ": " + message;
}

TEST(AlertConfig, RuleWithEveryKey) {
  const Config c = loaded(load_config_string(kPrelude + R"([[alerts]]
match = ["db", "web-*", "db", "api", "backup"]
kind = ["service", "check", "heartbeat", "check"]
notify = ["pager", "ops", "pager"]
on = ["degraded", "fail", "degraded"]
after = "2m"
repeat = "0s"
resolved = false
flapping = { max_changes = 0, window = "1h" }
description = "everything, to everyone"
)",
                                              "hale.toml"));
  ASSERT_EQ(c.alerts.size(), 1u);
  const AlertRuleSpec& r = c.alerts[0];
  EXPECT_EQ(r.pos.line, kPreludeLines + 1);
  EXPECT_EQ(r.match, (std::vector<std::string>{"db", "web-*", "api", "backup"}));
  // Kinds and statuses in their canonical order, once each: reordering them is no change.
  EXPECT_EQ(r.kinds, (std::vector<SubjectKind>{SubjectKind::kCheck, SubjectKind::kService, SubjectKind::kHeartbeat}));
  EXPECT_EQ(r.notify, (std::vector<std::string>{"pager", "ops"}));
  EXPECT_EQ(r.on, (std::vector<Health>{Health::kFail, Health::kDegraded}));
  EXPECT_EQ(r.after, 2min);
  EXPECT_EQ(r.repeat, 0s);  // never repeated
  EXPECT_FALSE(r.resolved);
  EXPECT_EQ(r.flapping.max_changes, 0);
  EXPECT_EQ(r.flapping.window, 1h);
}

TEST(AlertConfig, RuleDefaults) {
  const Config c = loaded(load_config_string(kPrelude + "[[alerts]]\nnotify = \"ops\"\n", "hale.toml"));
  ASSERT_EQ(c.alerts.size(), 1u);
  const AlertRuleSpec& r = c.alerts[0];
  EXPECT_EQ(r.match, std::vector<std::string>{"*"});
  EXPECT_TRUE(r.kinds.empty());  // every kind
  EXPECT_EQ(r.notify, std::vector<std::string>{"ops"});
  EXPECT_EQ(r.on, (std::vector<Health>{Health::kFail, Health::kDegraded}));
  EXPECT_EQ(r.after, 0s);
  EXPECT_EQ(r.repeat, 4h);  // Alertmanager's repeat_interval
  EXPECT_TRUE(r.resolved);
  EXPECT_EQ(r.flapping, FlapPolicy{});
  EXPECT_EQ(r.flapping.max_changes, 5);
  EXPECT_EQ(r.flapping.window, 10min);
}

TEST(AlertConfig, SingleStringsAndOneStatus) {
  const Config c = loaded(load_config_string(
      kPrelude + "[[alerts]]\nmatch = \"db\"\nkind = \"check\"\nnotify = \"ops\"\non = \"fail\"\n", "hale.toml"));
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].match, std::vector<std::string>{"db"});
  EXPECT_EQ(c.alerts[0].kinds, std::vector<SubjectKind>{SubjectKind::kCheck});
  EXPECT_EQ(c.alerts[0].on, std::vector<Health>{Health::kFail});
}

TEST(AlertConfig, RulesKeepFileOrder) {
  const Config c = loaded(load_config_string(kPrelude + R"([[alerts]]
match = "web"
notify = "pager"
[[alerts]]
match = "db"
notify = "ops"
[[alerts]]
notify = ["ops", "pager"]
)",
                                              "hale.toml"));
  ASSERT_EQ(c.alerts.size(), 3u);
  EXPECT_EQ(c.alerts[0].match, std::vector<std::string>{"web"});
  EXPECT_EQ(c.alerts[1].match, std::vector<std::string>{"db"});
  EXPECT_EQ(c.alerts[2].match, std::vector<std::string>{"*"});
  EXPECT_EQ(c.alerts[2].pos.line, kPreludeLines + 7);
}

TEST(AlertConfig, GlobsAreNotCheckedAgainstNames) {
  // A glob may match nothing today and a subject added tomorrow.
  const Config c = loaded(load_config_string(
      kPrelude + "[[alerts]]\nmatch = [\"nothing-*\", \"?b\", \"[xyz]*\", \"*\"]\nkind = \"heartbeat\"\nnotify = \"ops\"\n",
      "hale.toml"));
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].match.size(), 4u);
}

TEST(AlertConfig, LiteralNamesOfEveryKindAreFound) {
  const Config c = loaded(load_config_string(kPrelude + R"([[alerts]]
match = ["db", "api", "backup"]
notify = "ops"
[[alerts]]
match = "api"
kind = "service"
notify = "ops"
[[alerts]]
match = "backup"
kind = ["heartbeat"]
notify = "ops"
)",
                                              "hale.toml"));
  EXPECT_EQ(c.alerts.size(), 3u);
}

TEST(AlertConfig, ASubjectWithErrorsStillCountsAsNamed) {
  // One mistake, one error: the broken check is not reported again by the rule naming it.
  EXPECT_EQ(config_errors("[checks.cache]\ntype = \"tcp\"\n[notifiers.ops]\ntype = \"webhook\"\nurl = \"https://h/\"\n"
                          "[[alerts]]\nmatch = \"cache\"\nnotify = \"ops\"\n"),
            std::vector<std::string>{"hale.toml:1:1: check \"cache\": type \"tcp\" needs `target` (host:port)"});
}

TEST(AlertConfig, ANotifierWithErrorsStillCountsAsDeclared) {
  EXPECT_EQ(config_errors("[notifiers.ops]\ntype = \"slack\"\n[[alerts]]\nnotify = \"ops\"\n"),
            std::vector<std::string>{"hale.toml:1:1: notifier \"ops\": type \"slack\" needs `url`"});
}

TEST(AlertConfig, NoNotifiersAtAll) {
  EXPECT_EQ(config_errors("[[alerts]]\nnotify = \"ops\"\n"),
            std::vector<std::string>{"hale.toml:2:10: unknown notifier \"ops\" (no [notifiers.ops] table)"});
}

TEST(AlertConfig, EveryErrorOfOneRuleAtOnce) {
  EXPECT_EQ(config_errors(kPrelude + "[[alerts]]\nmatch = \"dbb\"\non = \"fial\"\nrepeat = \"4 hours\"\n"),
            (std::vector<std::string>{
                at(1, 1, "an [[alerts]] rule needs `notify` (the [notifiers.NAME] to send to)"),
                at(2, 9, "no check, service or heartbeat named \"dbb\"; did you mean \"db\"?"),
                at(3, 6, "`on`: unknown value \"fial\" (expected one of fail, degraded); did you mean \"fail\"?"),
                at(4, 10, "`repeat`: invalid duration \"4 hours\" (use a unit: 250ms, 10s, 5m, 1h, 14d)"),
            }));
}

struct ErrorCase {
  const char* name;
  std::string body;  // lines 2.. of one [[alerts]] after the prelude
  std::string error;
};

class AlertErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AlertErrors, ExactMessageAndPosition) {
  const LoadResult r = load_config_string(kPrelude + "[[alerts]]\n" + GetParam().body, "hale.toml");
  EXPECT_EQ(error_lines(r), std::vector<std::string>{GetParam().error});
  EXPECT_FALSE(r.config.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Config, AlertErrors,
    ::testing::Values(
        // notify
        ErrorCase{"NotifyMissing", "match = \"db\"\n",
                  at(1, 1, "an [[alerts]] rule needs `notify` (the [notifiers.NAME] to send to)")},
        ErrorCase{"NotifyTypo", "notify = [\"ops\", \"pagr\"]\n",
                  at(2, 18, "unknown notifier \"pagr\"; did you mean \"pager\"?")},
        ErrorCase{"NotifyTypoAsString", "notify = \"opz\"\n", at(2, 10, "unknown notifier \"opz\"; did you mean \"ops\"?")},
        ErrorCase{"NotifyUnknown", "notify = \"slack-main\"\n",
                  at(2, 10, "unknown notifier \"slack-main\" (no [notifiers.slack-main] table)")},
        ErrorCase{"NotifyEmpty", "notify = []\n", at(2, 10, "`notify` must list at least one notifier")},
        ErrorCase{"NotifyEmptyName", "notify = [\"\"]\n", at(2, 11, "`notify[0]` must not be empty")},
        ErrorCase{"NotifyNotAString", "notify = 1\n", at(2, 10, "`notify` must be a string or an array of strings, not an integer")},
        ErrorCase{"NotifyElementNotAString", "notify = [\"ops\", 2]\n", at(2, 18, "`notify[1]` must be a string, not an integer")},
        // match
        ErrorCase{"MatchUnknownName", "match = [\"web\", \"dbb\"]\nnotify = \"ops\"\n",
                  at(2, 17, "no check, service or heartbeat named \"dbb\"; did you mean \"db\"?")},
        ErrorCase{"MatchUnknownNameNoGuess", "match = \"payments\"\nnotify = \"ops\"\n",
                  at(2, 9, "no check, service or heartbeat named \"payments\"")},
        ErrorCase{"MatchNameOfAnotherKind", "match = \"db\"\nkind = \"heartbeat\"\nnotify = \"ops\"\n",
                  at(2, 9, "no heartbeat named \"db\" (\"db\" is a check)")},
        ErrorCase{"MatchTypoWithinKinds", "match = \"bakup\"\nkind = [\"service\", \"heartbeat\"]\nnotify = \"ops\"\n",
                  at(2, 9, "no service or heartbeat named \"bakup\"; did you mean \"backup\"?")},
        ErrorCase{"MatchLikeAnAlertKey", "match = \"check/db\"\nnotify = \"ops\"\n",
                  at(2, 9, "`match` entry \"check/db\" can never match: names hold only letters, digits, '_', '.' and "
                           "'-' (use `kind` for the kind)")},
        ErrorCase{"MatchWithSpace", "match = \"d b\"\nnotify = \"ops\"\n",
                  at(2, 9, "`match` entry \"d b\" can never match: names hold only letters, digits, '_', '.' and '-'")},
        ErrorCase{"MatchEmptyList", "match = []\nnotify = \"ops\"\n", at(2, 9, "`match` must list at least one name or glob")},
        ErrorCase{"MatchEmptyEntry", "match = [\"db\", \"\"]\nnotify = \"ops\"\n", at(2, 16, "`match[1]` must not be empty")},
        ErrorCase{"MatchNotAString", "match = { name = \"db\" }\nnotify = \"ops\"\n",
                  at(2, 9, "`match` must be a string or an array of strings, not a table")},
        // kind
        ErrorCase{"KindTypo", "kind = \"chek\"\nnotify = \"ops\"\n",
                  at(2, 8, "`kind`: unknown value \"chek\" (expected one of check, service, heartbeat, hale, drill); did you mean "
                           "\"check\"?")},
        ErrorCase{"KindPlural", "kind = [\"check\", \"services\"]\nnotify = \"ops\"\n",
                  at(2, 18, "`kind`: unknown value \"services\" (expected one of check, service, heartbeat, hale, drill); did you "
                            "mean \"service\"?")},
        ErrorCase{"KindEmpty", "kind = []\nnotify = \"ops\"\n", at(2, 8, "`kind` must list at least one kind")},
        ErrorCase{"BadKindDoesNotAlsoFailTheNames", "match = \"db\"\nkind = \"heartbeats\"\nnotify = \"ops\"\n",
                  at(3, 8, "`kind`: unknown value \"heartbeats\" (expected one of check, service, heartbeat, hale, drill); did you "
                           "mean \"heartbeat\"?")},
        // on
        ErrorCase{"OnTypo", "notify = \"ops\"\non = [\"fail\", \"degarded\"]\n",
                  at(3, 15, "`on`: unknown value \"degarded\" (expected one of fail, degraded); did you mean "
                            "\"degraded\"?")},
        ErrorCase{"OnOk", "notify = \"ops\"\non = \"ok\"\n",
                  at(3, 6, "`on`: \"ok\" is not a status that alerts (fail, degraded); recoveries are sent with "
                           "`resolved = true`")},
        ErrorCase{"OnEmpty", "notify = \"ops\"\non = []\n", at(3, 6, "`on` must list at least one status")},
        // timing
        ErrorCase{"AfterNegative", "notify = \"ops\"\nafter = \"-1m\"\n",
                  at(3, 9, "`after`: invalid duration \"-1m\" (use a unit: 250ms, 10s, 5m, 1h, 14d)")},
        ErrorCase{"RepeatBareNumber", "notify = \"ops\"\nrepeat = 3600\n",
                  at(3, 10, "`repeat` must be a duration string like \"10s\", not an integer")},
        ErrorCase{"ResolvedNotABool", "notify = \"ops\"\nresolved = \"yes\"\n",
                  at(3, 12, "`resolved` must be true or false, not a string")},
        // flapping
        ErrorCase{"FlappingNotATable", "notify = \"ops\"\nflapping = 5\n",
                  at(3, 12, "`flapping` must be a table, not an integer")},
        ErrorCase{"FlappingNegative", "notify = \"ops\"\nflapping = { max_changes = -1 }\n",
                  at(3, 28, "`flapping.max_changes` must be at least 0")},
        ErrorCase{"FlappingWindowZero", "notify = \"ops\"\nflapping = { window = \"0s\" }\n",
                  at(3, 23, "`flapping.window` must be greater than 0")},
        ErrorCase{"FlappingUnknownKey", "notify = \"ops\"\nflapping = { windw = \"5m\" }\n",
                  at(3, 14, "unknown key `windw` in `flapping`; did you mean `window`?")},
        // the rest
        ErrorCase{"UnknownKey", "notfy = \"ops\"\nnotify = \"ops\"\n",
                  at(2, 1, "unknown key `notfy` in [[alerts]]; did you mean `notify`?")},
        ErrorCase{"DescriptionNotAString", "notify = \"ops\"\ndescription = [\"x\"]\n",
                  at(3, 15, "`description` must be a string, not an array")}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- [[silences]] ----

TEST(SilenceConfig, EveryKey) {
  const Config c = loaded(load_config_string(kPrelude + R"([[silences]]
match = ["db", "web*", "db"]
kind = "check"
schedule = "0 2 * * 0"
tz = "Europe/Berlin"
duration = "2h"
comment = "Sunday maintenance of the database host"
)",
                                              "hale.toml"));
  ASSERT_EQ(c.silences.size(), 1u);
  const SilenceSpec& s = c.silences[0];
  EXPECT_EQ(s.pos.line, kPreludeLines + 1);
  EXPECT_EQ(s.match, (std::vector<std::string>{"db", "web*"}));
  EXPECT_EQ(s.kinds, std::vector<SubjectKind>{SubjectKind::kCheck});
  EXPECT_EQ(s.schedule.cron(), "0 2 * * 0");
  EXPECT_EQ(s.schedule.tz(), "Europe/Berlin");
  EXPECT_EQ(s.duration, 2h);
  EXPECT_EQ(s.comment, "Sunday maintenance of the database host");
}

TEST(SilenceConfig, DefaultsAndFileOrder) {
  const Config c = loaded(load_config_string(
      kPrelude + "[[silences]]\nschedule = \"@daily\"\nduration = \"5m\"\n[[silences]]\nmatch = \"api\"\n"
                 "schedule = \"30 4 * * 1-5\"\nduration = \"10m\"\n",
      "hale.toml"));
  ASSERT_EQ(c.silences.size(), 2u);
  EXPECT_EQ(c.silences[0].match, std::vector<std::string>{"*"});
  EXPECT_TRUE(c.silences[0].kinds.empty());
  EXPECT_EQ(c.silences[0].schedule.tz(), "UTC");
  EXPECT_EQ(c.silences[0].comment, "");
  EXPECT_EQ(c.silences[0].schedule.cron(), "@daily");
  EXPECT_EQ(c.silences[1].match, std::vector<std::string>{"api"});
  EXPECT_EQ(c.silences[1].duration, 10min);
}

TEST(SilenceConfig, NeedsScheduleAndDuration) {
  EXPECT_EQ(config_errors(kPrelude + "[[silences]]\ncomment = \"x\"\n"),
            (std::vector<std::string>{
                at(1, 1, "a [[silences]] window needs `schedule` (a cron expression: when it opens)"),
                at(1, 1, "a [[silences]] window needs `duration` (how long it stays open)"),
            }));
}

class SilenceErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SilenceErrors, ExactMessageAndPosition) {
  // Lines 2-3 are a valid schedule and duration; the case's body follows from line 4.
  const LoadResult r = load_config_string(
      kPrelude + "[[silences]]\nschedule = \"0 3 * * *\"\nduration = \"1h\"\n" + GetParam().body, "hale.toml");
  EXPECT_EQ(error_lines(r), std::vector<std::string>{GetParam().error});
  EXPECT_FALSE(r.config.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Config, SilenceErrors,
    ::testing::Values(
        ErrorCase{"BadCron", "[[silences]]\nschedule = \"0 25 * * *\"\nduration = \"1h\"\n",
                  at(5, 12, "`schedule` \"0 25 * * *\": hour field \"25\": value out of range 0-23")},
        ErrorCase{"CronWithSixFields", "[[silences]]\nschedule = \"0 0 3 * * *\"\nduration = \"1h\"\n",
                  at(5, 12, "`schedule` \"0 0 3 * * *\": cron expression \"0 0 3 * * *\" has 6 fields; expected 5 "
                            "(minute hour day-of-month month day-of-week) or a macro such as @daily")},
        ErrorCase{"EmptySchedule", "[[silences]]\nschedule = \"\"\nduration = \"1h\"\n",
                  at(5, 12, "`schedule` must not be empty")},
        ErrorCase{"UnknownZone", "tz = \"Mars/Olympus\"\n",
                  at(4, 6, "`tz` \"Mars/Olympus\" is not a time zone of the tz database (e.g. \"UTC\", \"Europe/Berlin\")")},
        ErrorCase{"DurationZero", "[[silences]]\nschedule = \"@hourly\"\nduration = \"0s\"\n",
                  at(6, 12, "`duration` must be greater than 0")},
        ErrorCase{"MatchUnknown", "match = [\"api\", \"apii\"]\nkind = \"service\"\n",
                  at(4, 17, "no service named \"apii\"; did you mean \"api\"?")},
        ErrorCase{"MatchOfAnotherKind", "match = \"api\"\nkind = \"check\"\n",
                  at(4, 9, "no check named \"api\" (\"api\" is a service)")},
        ErrorCase{"KindTypo", "kind = \"heartbaet\"\n",
                  at(4, 8, "`kind`: unknown value \"heartbaet\" (expected one of check, service, heartbeat, hale, drill); did you "
                           "mean \"heartbeat\"?")},
        ErrorCase{"CommentNotAString", "comment = 1\n", at(4, 11, "`comment` must be a string, not an integer")},
        ErrorCase{"UnknownKey", "comentt = \"x\"\n", at(4, 1, "unknown key `comentt` in [[silences]]; did you mean `comment`?")}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SilenceConfig, ComparedWithoutPosition) {
  // A reload that only moves a window in the file is not a change.
  SilenceSpec a;
  a.schedule = Calendar::parse("@daily").value();
  a.duration = 1h;
  SilenceSpec b = a;
  b.pos = SourcePos{40, 1};
  EXPECT_EQ(a, b);
  b.schedule = Calendar::parse("@daily", "Europe/Berlin").value();
  EXPECT_NE(a, b);
}

// ---- docs/config.md ----

// The TOML blocks of docs/config.md from `from` up to `to`, joined: what people copy.
std::string toml_blocks(const std::string& from, const std::string& to) {
  std::ifstream in(std::string(HALE_SOURCE_DIR) + "/docs/config.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::size_t begin = doc.find(from);
  const std::size_t end = doc.find(to, begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  std::string out;
  std::size_t at = begin;
  while ((at = doc.find("```toml\n", at)) != std::string::npos && at < end) {
    const std::size_t body = at + 8;
    const std::size_t close = doc.find("```", body);
    out += doc.substr(body, close - body) + "\n";
    at = close + 3;
  }
  return out;
}

TEST(AlertConfig, DocsExamplesLoad) {
  const char* const kVariables[] = {"ONCALL_WEBHOOK_URL", "ONCALL_WEBHOOK_SECRET", "SLACK_WEBHOOK_URL", "NTFY_TOKEN",
                                    "SMTP_PASSWORD"};
  for (const char* name : kVariables) ::setenv(name, "https://docs.example/secret-value", 1);
  const std::string examples = toml_blocks("## [notifiers.NAME]", "## Decisions where the spec is silent");
  ASSERT_NE(examples.find("[notifiers."), std::string::npos);
  ASSERT_NE(examples.find("[[alerts]]"), std::string::npos);
  ASSERT_NE(examples.find("[[silences]]"), std::string::npos);
  // The subjects the examples name.
  const std::string subjects = "[checks.db]\ntype = \"tcp\"\ntarget = \"127.0.0.1:5432\"\n"
                               "[checks.api-cert]\ntype = \"tls\"\ntarget = \"api.internal:443\"\n"
                               "[heartbeats.backup]\nschedule = \"0 3 * * *\"\n";
  const LoadResult r = load_config_string(subjects + examples, "config.md");
  for (const char* name : kVariables) ::unsetenv(name);
  EXPECT_EQ(error_lines(r), std::vector<std::string>{}) << examples;
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->notifiers.size(), 6u);
  EXPECT_EQ(r.config->alerts.size(), 3u);
  EXPECT_EQ(r.config->silences.size(), 1u);
}

}  // namespace
}  // namespace hale
