// [notifiers.NAME] through the loader (SPEC §6): every type with every key, the defaults, each
// error with its exact `FILE:LINE:COL: message`, env:/file: values resolved and every secret
// listed for the redactor, and no secret value in any message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"
#include "support/temp_file.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::config_errors;
using hale::testing::error_lines;
using hale::testing::TempFile;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// The config `toml` loads into (by value: the LoadResult is a temporary); no errors expected.
Config loaded(const LoadResult& r) {
  EXPECT_EQ(error_lines(r), std::vector<std::string>{});
  if (!r.config) {
    ADD_FAILURE() << "no config";
    return Config{};
  }
  return *r.config;
}

const NotifierSpec& notifier(const Config& c, std::string_view name) {
  const NotifierSpec* n = c.find_notifier(name);
  if (n == nullptr) {
    static const NotifierSpec kNone;
    ADD_FAILURE() << "no notifier " << name;
    return kNone;
  }
  return *n;
}

TEST(NotifierConfig, EveryTypeWithEveryKey) {
  ScopedEnv hmac("HALE_TEST_HOOK_HMAC", "hmac-key-from-env");
  ScopedEnv discord("HALE_TEST_DISCORD_URL", "https://discord.com/api/webhooks/1/discord-secret");
  ScopedEnv am2("HALE_TEST_AM2_URL", "http://am2.internal:9093");
  TempFile api_key("key-from-file\n");
  TempFile smtp_password("smtp-pass-from-file\n");
  TempFile ca("-----BEGIN CERTIFICATE-----\n");
  const std::string toml = R"([notifiers.hook]
type = "webhook"
url = "https://hook:userinfo-pass@hooks.internal/alerts"
secret = "env:HALE_TEST_HOOK_HMAC"
headers = { X-Api-Key = "file:)" + api_key.path() + R"(", X-Team = "sre-team" }
ca_file = ")" + ca.path() + R"("
insecure_skip_verify = true
timeout = "5s"
retry = { base = "2s", max = "1m", jitter = "50%", give_up_after = "1h" }
description = "the on-call router"

[notifiers.chat]
type = "slack"
url = "https://hooks.slack.com/services/T000/B000/slack-secret"

[notifiers.gaming]
type = "discord"
url = "env:HALE_TEST_DISCORD_URL"

[notifiers.am]
type = "alertmanager"
urls = ["http://am1.internal:9093", "env:HALE_TEST_AM2_URL", "http://am1.internal:9093"]
token = "am-bearer-token"

[notifiers.phone]
type = "ntfy"
url = "https://ntfy.sh/hale-alerts"
token = "ntfy-bearer-token"

[notifiers.mail]
type = "email"
url = "smtp://mail.internal:587"
from = "hale@example.com"
to = ["ops@example.com", "dev@example.com", "ops@example.com"]
username = "hale"
password = "file:)" + smtp_password.path() + R"("
tls = "none"

[notifiers.mail-tls]
type = "email"
url = "smtps://mail.internal:465"
from = "hale@example.com"
to = "ops@example.com"

[notifiers.script]
type = "exec"
command = ["/usr/local/bin/page", "--team", ""]
timeout = "30s"
)";
  const LoadResult r = load_config_string(toml, "hale.toml");
  const Config c = loaded(r);
  ASSERT_EQ(c.notifiers.size(), 8u);
  // Sorted by name.
  EXPECT_EQ(c.notifiers.front().name, "am");
  EXPECT_EQ(c.notifiers.back().name, "script");

  const NotifierSpec& hook = notifier(c, "hook");
  EXPECT_EQ(hook.type, NotifierType::kWebhook);
  EXPECT_EQ(hook.pos.line, 1);
  EXPECT_EQ(hook.urls, std::vector<std::string>{"https://hook:userinfo-pass@hooks.internal/alerts"});
  EXPECT_EQ(hook.secret, "hmac-key-from-env");
  EXPECT_EQ(hook.headers, (std::vector<std::pair<std::string, std::string>>{{"X-Api-Key", "key-from-file"},
                                                                            {"X-Team", "sre-team"}}));
  EXPECT_EQ(hook.ca_file, ca.path());
  EXPECT_FALSE(hook.tls_verify);
  EXPECT_EQ(hook.timeout, 5s);
  EXPECT_EQ(hook.retry.base, 2s);
  EXPECT_EQ(hook.retry.max, 1min);
  EXPECT_DOUBLE_EQ(hook.retry.jitter.fraction, 0.5);
  EXPECT_EQ(hook.retry.give_up_after, 1h);

  EXPECT_EQ(notifier(c, "chat").type, NotifierType::kSlack);
  EXPECT_EQ(notifier(c, "chat").urls, std::vector<std::string>{"https://hooks.slack.com/services/T000/B000/slack-secret"});
  EXPECT_EQ(notifier(c, "gaming").type, NotifierType::kDiscord);
  EXPECT_EQ(notifier(c, "gaming").urls, std::vector<std::string>{"https://discord.com/api/webhooks/1/discord-secret"});

  const NotifierSpec& am = notifier(c, "am");
  EXPECT_EQ(am.type, NotifierType::kAlertmanager);
  // Every member of the cluster, once each, in the order written.
  EXPECT_EQ(am.urls, (std::vector<std::string>{"http://am1.internal:9093", "http://am2.internal:9093"}));
  EXPECT_EQ(am.token, "am-bearer-token");

  const NotifierSpec& phone = notifier(c, "phone");
  EXPECT_EQ(phone.type, NotifierType::kNtfy);
  EXPECT_EQ(phone.urls, std::vector<std::string>{"https://ntfy.sh/hale-alerts"});
  EXPECT_EQ(phone.token, "ntfy-bearer-token");

  const NotifierSpec& mail = notifier(c, "mail");
  EXPECT_EQ(mail.type, NotifierType::kEmail);
  EXPECT_EQ(mail.urls, std::vector<std::string>{"smtp://mail.internal:587"});
  EXPECT_EQ(mail.from, "hale@example.com");
  EXPECT_EQ(mail.to, (std::vector<std::string>{"ops@example.com", "dev@example.com"}));
  EXPECT_EQ(mail.username, "hale");
  EXPECT_EQ(mail.password, "smtp-pass-from-file");
  EXPECT_EQ(mail.smtp_tls, SmtpTls::kNone);

  const NotifierSpec& mail_tls = notifier(c, "mail-tls");
  EXPECT_EQ(mail_tls.smtp_tls, SmtpTls::kImplicit);
  EXPECT_EQ(mail_tls.to, std::vector<std::string>{"ops@example.com"});
  EXPECT_FALSE(mail_tls.username.has_value());

  const NotifierSpec& script = notifier(c, "script");
  EXPECT_EQ(script.type, NotifierType::kExec);
  EXPECT_EQ(script.command, (std::vector<std::string>{"/usr/local/bin/page", "--team", ""}));
  EXPECT_TRUE(script.urls.empty());
  EXPECT_EQ(script.timeout, 30s);

  // Every URL, secret, token and password, inline or not, a credential header's value (X-Api-Key,
  // here from a file) and a URL's password.
  EXPECT_THAT(c.secrets, IsSupersetOf({
                             "https://hook:userinfo-pass@hooks.internal/alerts", "userinfo-pass",
                             "hmac-key-from-env", "key-from-file",
                             "https://hooks.slack.com/services/T000/B000/slack-secret",
                             "https://discord.com/api/webhooks/1/discord-secret", "http://am1.internal:9093",
                             "http://am2.internal:9093", "am-bearer-token", "https://ntfy.sh/hale-alerts",
                             "ntfy-bearer-token", "smtp://mail.internal:587", "smtp-pass-from-file",
                             "smtps://mail.internal:465",
                         }));
  // A plain header (X-Team) is not: masking "sre-team" in every log line would protect nothing.
  EXPECT_THAT(c.secrets, Not(Contains("sre-team")));
  // Addresses and user names are not secrets: masking them would hide who was paged.
  EXPECT_THAT(c.secrets, Not(Contains("ops@example.com")));
  EXPECT_THAT(c.secrets, Not(Contains("hale")));
}

TEST(NotifierConfig, Defaults) {
  const Config c = loaded(load_config_string(R"([notifiers.hook]
type = "webhook"
url = "http://127.0.0.1:9000/"

[notifiers.mail]
type = "email"
url = "smtp://127.0.0.1:25"
from = "hale@localhost"
to = "root@localhost"
)",
                                              "hale.toml"));
  const NotifierSpec& hook = notifier(c, "hook");
  EXPECT_EQ(hook.timeout, 10s);
  EXPECT_EQ(hook.retry, RetryPolicy{});
  EXPECT_EQ(hook.retry.base, 1s);
  EXPECT_EQ(hook.retry.max, 5min);
  EXPECT_DOUBLE_EQ(hook.retry.jitter.fraction, 0.2);
  EXPECT_FALSE(hook.retry.give_up_after.has_value());  // retried until accepted: nothing is lost
  EXPECT_TRUE(hook.tls_verify);
  EXPECT_EQ(hook.ca_file, "");
  EXPECT_FALSE(hook.secret.has_value());
  EXPECT_TRUE(hook.headers.empty());
  EXPECT_EQ(notifier(c, "mail").smtp_tls, SmtpTls::kStartTls);
  EXPECT_FALSE(notifier(c, "mail").password.has_value());
}

TEST(NotifierConfig, SpecExampleLoads) {
  // SPEC §6, verbatim but for the variable's name.
  ScopedEnv url("HALE_TEST_SPEC_DISCORD", "https://discord.com/api/webhooks/9/spec");
  const Config c = loaded(load_config_string(R"([notifiers.ops]
type = "discord"                # webhook | slack | discord | alertmanager | ntfy | email | exec
url = "env:HALE_TEST_SPEC_DISCORD"

[[alerts]]
match = ["*"]                   # names or globs of checks, services, heartbeats
notify = ["ops"]
after = "2m"                    # only when a fail has lasted this long
repeat = "1h"                   # the same issue is re-sent at most this often
resolved = true                 # send a message when it recovers
)",
                                              "hale.toml"));
  ASSERT_EQ(c.notifiers.size(), 1u);
  EXPECT_EQ(c.notifiers[0].urls, std::vector<std::string>{"https://discord.com/api/webhooks/9/spec"});
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].after, 2min);
  EXPECT_EQ(c.alerts[0].repeat, 1h);
}

TEST(NotifierConfig, CaFileIsRelativeToTheConfigFile) {
  TempFile ca("-----BEGIN CERTIFICATE-----\n", ".pem");
  const std::string dir = ca.path().substr(0, ca.path().rfind('/'));
  const std::string name = ca.path().substr(ca.path().rfind('/') + 1);
  const Config c = loaded(load_config_string(
      "[notifiers.hook]\ntype = \"webhook\"\nurl = \"https://h/\"\nca_file = \"" + name + "\"\n", dir + "/hale.toml"));
  EXPECT_EQ(notifier(c, "hook").ca_file, ca.path());
}

TEST(NotifierConfig, UnknownTypeStillReportsTheOtherKeys) {
  EXPECT_EQ(config_errors("[notifiers.ops]\ntype = \"discrod\"\ntimeout = \"0s\"\nsecret = \"\"\n"),
            (std::vector<std::string>{
                "hale.toml:2:8: unknown notifier type \"discrod\" (expected one of webhook, slack, discord, "
                "alertmanager, ntfy, email, exec); did you mean \"discord\"?",
                "hale.toml:3:11: `timeout` must be greater than 0",
                "hale.toml:4:10: `secret` must not be empty",
            }));
}

TEST(NotifierConfig, EveryErrorOfAFileAtOnce) {
  EXPECT_EQ(config_errors("[notifiers.a]\ntype = \"slack\"\n[notifiers.b]\ntype = \"exec\"\nurl = \"http://x/\"\n"),
            (std::vector<std::string>{
                "hale.toml:1:1: notifier \"a\": type \"slack\" needs `url`",
                "hale.toml:3:1: notifier \"b\": type \"exec\" needs `command` (an argv array)",
                "hale.toml:5:1: `url` does not apply to exec notifiers (a program makes its own connections)",
            }));
}

struct ErrorCase {
  const char* name;
  std::string body;  // lines 2.. of [notifiers.ops]
  std::string error;
};

class NotifierErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(NotifierErrors, ExactMessageAndPosition) {
  // Variables some cases resolve; their values must never show.
  ScopedEnv ftp("HALE_TEST_NOTIFIER_FTP", "ftp://user:env-secret-1@files.internal/");
  ScopedEnv empty("HALE_TEST_NOTIFIER_EMPTY", "");
  ScopedEnv broken("HALE_TEST_NOTIFIER_BROKEN", "env-secret-2\r\nX-Injected: 1");
  const LoadResult r = load_config_string("[notifiers.ops]\n" + GetParam().body, "hale.toml");
  EXPECT_EQ(error_lines(r), std::vector<std::string>{GetParam().error});
  EXPECT_FALSE(r.config.has_value());
  for (const std::string& line : error_lines(r)) {
    EXPECT_THAT(line, Not(HasSubstr("env-secret")));
    EXPECT_THAT(line, Not(HasSubstr("inline-secret")));
  }
}

const char* const kHook = "type = \"webhook\"\nurl = \"https://hooks.internal/\"\n";  // lines 2-3
const char* const kMail = "type = \"email\"\nurl = \"smtp://mail:25\"\nfrom = \"a@b\"\nto = \"c@d\"\n";  // 2-5

INSTANTIATE_TEST_SUITE_P(
    Config, NotifierErrors,
    ::testing::Values(
        // type and name
        ErrorCase{"MissingType", "url = \"https://h/\"\n",
                  "hale.toml:1:1: notifier \"ops\" needs `type` (one of webhook, slack, discord, alertmanager, ntfy, "
                  "email, exec)"},
        ErrorCase{"TypeNotAString", "type = 1\n", "hale.toml:2:8: `type` must be a string, not an integer"},
        ErrorCase{"TypeTypo", "type = \"slak\"\nurl = \"https://h/\"\n",
                  "hale.toml:2:8: unknown notifier type \"slak\" (expected one of webhook, slack, discord, "
                  "alertmanager, ntfy, email, exec); did you mean \"slack\"?"},
        ErrorCase{"UnknownKey", std::string(kHook) + "urll = \"x\"\n",
                  "hale.toml:4:1: unknown key `urll` in [notifiers.ops]; did you mean `url`?"},
        // url
        ErrorCase{"MissingUrl", "type = \"ntfy\"\n", "hale.toml:1:1: notifier \"ops\": type \"ntfy\" needs `url`"},
        ErrorCase{"UrlScheme", "type = \"slack\"\nurl = \"ftp://inline-secret@h/\"\n",
                  "hale.toml:3:7: `url` must start with http:// or https://"},
        ErrorCase{"UrlSchemeFromEnv", "type = \"discord\"\nurl = \"env:HALE_TEST_NOTIFIER_FTP\"\n",
                  "hale.toml:3:7: the value of `url` (env:HALE_TEST_NOTIFIER_FTP) must start with http:// or https://"},
        ErrorCase{"UrlUnsetVariable", "type = \"discord\"\nurl = \"env:HALE_TEST_NEVER_SET\"\n",
                  "hale.toml:3:7: `url`: environment variable HALE_TEST_NEVER_SET is not set"},
        ErrorCase{"UrlMissingFile", "type = \"slack\"\nurl = \"file:/nonexistent/slack-url\"\n",
                  "hale.toml:3:7: `url`: cannot read file:/nonexistent/slack-url: No such file or directory"},
        ErrorCase{"UrlEmpty", "type = \"slack\"\nurl = \"\"\n", "hale.toml:3:7: `url` must not be empty"},
        ErrorCase{"UrlNoHost", "type = \"webhook\"\nurl = \"https:///inline-secret\"\n",
                  "hale.toml:3:7: `url` has no host"},
        ErrorCase{"UrlWithSpace", "type = \"webhook\"\nurl = \"https://h/inline-secret x\"\n",
                  "hale.toml:3:7: `url` must not contain spaces or control characters"},
        ErrorCase{"NtfyUrlWithoutTopic", "type = \"ntfy\"\nurl = \"https://ntfy.sh/\"\n",
                  "hale.toml:3:7: `url` must name a topic (https://HOST/TOPIC)"},
        ErrorCase{"EmailUrlScheme", "type = \"email\"\nurl = \"https://mail/\"\nfrom = \"a@b\"\nto = \"c@d\"\n",
                  "hale.toml:3:7: `url` must start with smtp:// or smtps://"},
        ErrorCase{"UrlOnExec", "type = \"exec\"\ncommand = [\"x\"]\nurl = \"https://h/\"\n",
                  "hale.toml:4:1: `url` does not apply to exec notifiers (a program makes its own connections)"},
        // alertmanager's urls
        ErrorCase{"AlertmanagerWithoutUrl", "type = \"alertmanager\"\n",
                  "hale.toml:1:1: notifier \"ops\": type \"alertmanager\" needs `url` or `urls` (every member of the "
                  "cluster)"},
        ErrorCase{"UrlAndUrls", "type = \"alertmanager\"\nurl = \"http://am1/\"\nurls = [\"http://am2/\"]\n",
                  "hale.toml:4:8: `url` and `urls` cannot both be set: list every URL in `urls`"},
        ErrorCase{"UrlsEmpty", "type = \"alertmanager\"\nurls = []\n", "hale.toml:3:8: `urls` must list at least one URL"},
        ErrorCase{"UrlsNotAnArray", "type = \"alertmanager\"\nurls = \"http://am1/\"\n",
                  "hale.toml:3:8: `urls` must be an array, not a string"},
        ErrorCase{"UrlsMemberScheme", "type = \"alertmanager\"\nurls = [\"http://am1/\", \"am2:9093\"]\n",
                  "hale.toml:3:24: `urls[1]` must start with http:// or https://"},
        ErrorCase{"UrlsMemberFromEnvEmpty", "type = \"alertmanager\"\nurls = [\"env:HALE_TEST_NOTIFIER_EMPTY\"]\n",
                  "hale.toml:3:9: the value of `urls[0]` (env:HALE_TEST_NOTIFIER_EMPTY) must start with http:// or "
                  "https://"},
        ErrorCase{"UrlsOnWebhook", std::string(kHook) + "urls = [\"https://h2/\"]\n",
                  "hale.toml:4:1: `urls` applies to alertmanager notifiers only"},
        // secrets
        ErrorCase{"SecretOnSlack", "type = \"slack\"\nurl = \"https://h/\"\nsecret = \"inline-secret\"\n",
                  "hale.toml:4:1: `secret` applies to webhook notifiers only"},
        ErrorCase{"TokenOnWebhook", std::string(kHook) + "token = \"inline-secret\"\n",
                  "hale.toml:4:1: `token` applies to alertmanager and ntfy notifiers only"},
        ErrorCase{"SecretEmpty", std::string(kHook) + "secret = \"\"\n", "hale.toml:4:10: `secret` must not be empty"},
        ErrorCase{"SecretFromEmptyVariable", std::string(kHook) + "secret = \"env:HALE_TEST_NOTIFIER_EMPTY\"\n",
                  "hale.toml:4:10: the value of `secret` (env:HALE_TEST_NOTIFIER_EMPTY) is empty"},
        ErrorCase{"TokenWithLineBreak", "type = \"ntfy\"\nurl = \"https://ntfy.sh/t\"\ntoken = \"env:HALE_TEST_NOTIFIER_BROKEN\"\n",
                  "hale.toml:4:9: the value of `token` (env:HALE_TEST_NOTIFIER_BROKEN) must not contain a line break "
                  "or a NUL byte"},
        // headers
        ErrorCase{"HeadersNotATable", std::string(kHook) + "headers = \"X-A: 1\"\n",
                  "hale.toml:4:11: `headers` must be a table, not a string"},
        ErrorCase{"HeaderBadName", std::string(kHook) + "headers = { \"X Team\" = \"sre\" }\n",
                  "hale.toml:4:13: header name \"X Team\" is not a valid HTTP header name"},
        ErrorCase{"HeaderSetByHale", std::string(kHook) + "headers = { X-Hale-Signature-256 = \"inline-secret\" }\n",
                  "hale.toml:4:13: header X-Hale-Signature-256 is set by hale; leave it out of `headers`"},
        ErrorCase{"HeaderValueNotAString", std::string(kHook) + "headers = { X-Retries = 3 }\n",
                  "hale.toml:4:25: `headers.X-Retries` must be a string, not an integer"},
        ErrorCase{"HeaderValueWithLineBreak", std::string(kHook) + "headers = { X-Key = \"env:HALE_TEST_NOTIFIER_BROKEN\" }\n",
                  "hale.toml:4:21: the value of `headers.X-Key` (env:HALE_TEST_NOTIFIER_BROKEN) must not contain a "
                  "line break or a NUL byte"},
        ErrorCase{"HeadersOnSlack", "type = \"slack\"\nurl = \"https://h/\"\nheaders = { X-A = \"1\" }\n",
                  "hale.toml:4:1: `headers` applies to webhook notifiers only"},
        // email
        ErrorCase{"EmailWithoutFrom", "type = \"email\"\nurl = \"smtp://mail:25\"\nto = \"c@d\"\n",
                  "hale.toml:1:1: notifier \"ops\": type \"email\" needs `from` (the sender's address)"},
        ErrorCase{"EmailWithoutTo", "type = \"email\"\nurl = \"smtp://mail:25\"\nfrom = \"a@b\"\n",
                  "hale.toml:1:1: notifier \"ops\": type \"email\" needs `to` (an address or a list of them)"},
        ErrorCase{"FromWithDisplayName", "type = \"email\"\nurl = \"smtp://mail:25\"\nfrom = \"Hale <a@b>\"\nto = \"c@d\"\n",
                  "hale.toml:4:8: `from` \"Hale <a@b>\" is not a plain email address (user@host, no display name)"},
        ErrorCase{"FromEmpty", "type = \"email\"\nurl = \"smtp://mail:25\"\nfrom = \"\"\nto = \"c@d\"\n",
                  "hale.toml:4:8: `from` must not be empty"},
        ErrorCase{"ToEmptyList", "type = \"email\"\nurl = \"smtp://mail:25\"\nfrom = \"a@b\"\nto = []\n",
                  "hale.toml:5:6: `to` must list at least one address"},
        ErrorCase{"ToNotAnAddress", "type = \"email\"\nurl = \"smtp://mail:25\"\nfrom = \"a@b\"\nto = [\"c@d\", \"ops\"]\n",
                  "hale.toml:5:14: `to` \"ops\" is not a plain email address (user@host, no display name)"},
        ErrorCase{"TlsTypo", std::string(kMail) + "tls = \"starttl\"\n",
                  "hale.toml:6:7: `tls`: unknown value \"starttl\" (expected one of starttls, none); did you mean "
                  "\"starttls\"?"},
        ErrorCase{"TlsImplicitAsAMode", std::string(kMail) + "tls = \"ssl\"\n",
                  "hale.toml:6:7: `tls` = \"ssl\": for TLS from the first byte write an smtps:// `url` and leave `tls` "
                  "out"},
        ErrorCase{"TlsWithSmtps", "type = \"email\"\nurl = \"smtps://mail:465\"\nfrom = \"a@b\"\nto = \"c@d\"\ntls = \"starttls\"\n",
                  "hale.toml:6:7: `tls` must be left out with an smtps:// `url`: that is TLS from the first byte"},
        ErrorCase{"PasswordWithoutUsername", std::string(kMail) + "password = \"inline-secret\"\n",
                  "hale.toml:6:12: `password` needs `username`"},
        ErrorCase{"UsernameFromEmptyVariable", std::string(kMail) + "username = \"env:HALE_TEST_NOTIFIER_EMPTY\"\n",
                  "hale.toml:6:12: the value of `username` (env:HALE_TEST_NOTIFIER_EMPTY) is empty"},
        ErrorCase{"FromOnWebhook", std::string(kHook) + "from = \"a@b\"\n",
                  "hale.toml:4:1: `from` applies to email notifiers only"},
        // exec
        ErrorCase{"ExecWithoutCommand", "type = \"exec\"\n",
                  "hale.toml:1:1: notifier \"ops\": type \"exec\" needs `command` (an argv array)"},
        ErrorCase{"CommandAsString", "type = \"exec\"\ncommand = \"page --team sre\"\n",
                  "hale.toml:3:11: `command` must be an array of strings (argv, never a shell), not a string"},
        ErrorCase{"CommandEmpty", "type = \"exec\"\ncommand = []\n", "hale.toml:3:11: `command` must not be empty"},
        ErrorCase{"CommandProgramEmpty", "type = \"exec\"\ncommand = [\"\", \"x\"]\n",
                  "hale.toml:3:12: `command[0]` (the program) must not be empty"},
        ErrorCase{"CommandElementNotAString", "type = \"exec\"\ncommand = [\"page\", 1]\n",
                  "hale.toml:3:20: `command[1]` must be a string, not an integer"},
        ErrorCase{"CommandOnWebhook", std::string(kHook) + "command = [\"x\"]\n",
                  "hale.toml:4:1: `command` applies to exec notifiers only"},
        // TLS settings
        ErrorCase{"CaFileUnreadable", std::string(kHook) + "ca_file = \"/nonexistent/ca.pem\"\n",
                  "hale.toml:4:11: `ca_file` \"/nonexistent/ca.pem\": cannot read: No such file or directory"},
        ErrorCase{"CaFileOnExec", "type = \"exec\"\ncommand = [\"x\"]\nca_file = \"ca.pem\"\n",
                  "hale.toml:4:1: `ca_file` does not apply to exec notifiers (a program makes its own connections)"},
        ErrorCase{"InsecureNotABool", std::string(kHook) + "insecure_skip_verify = \"yes\"\n",
                  "hale.toml:4:24: `insecure_skip_verify` must be true or false, not a string"},
        // timeout and retry
        ErrorCase{"TimeoutZero", std::string(kHook) + "timeout = \"0s\"\n", "hale.toml:4:11: `timeout` must be greater than 0"},
        ErrorCase{"TimeoutBareNumber", std::string(kHook) + "timeout = 10\n",
                  "hale.toml:4:11: `timeout` must be a duration string like \"10s\", not an integer"},
        ErrorCase{"RetryNotATable", std::string(kHook) + "retry = \"1s\"\n", "hale.toml:4:9: `retry` must be a table, not a string"},
        ErrorCase{"RetryJitterDuration", std::string(kHook) + "retry = { jitter = \"2s\" }\n",
                  "hale.toml:4:20: `retry.jitter`: invalid value \"2s\" (use a share of the delay from \"0%\" to \"100%\")"},
        ErrorCase{"RetryJitterOver100", std::string(kHook) + "retry = { jitter = \"150%\" }\n",
                  "hale.toml:4:20: `retry.jitter`: invalid value \"150%\" (use a share of the delay from \"0%\" to \"100%\")"},
        ErrorCase{"RetryBaseOverDefaultMax", std::string(kHook) + "retry = { base = \"10m\" }\n",
                  "hale.toml:4:18: `retry.max` (5m, the default) must not be less than `retry.base` (10m)"},
        ErrorCase{"RetryMaxBelowBase", std::string(kHook) + "retry = { base = \"10s\", max = \"5s\" }\n",
                  "hale.toml:4:31: `retry.max` (5s) must not be less than `retry.base` (10s)"},
        ErrorCase{"RetryBaseZero", std::string(kHook) + "retry = { base = \"0s\" }\n",
                  "hale.toml:4:18: `retry.base` must be greater than 0"},
        ErrorCase{"RetryGiveUpZero", std::string(kHook) + "retry = { give_up_after = \"0s\" }\n",
                  "hale.toml:4:27: `retry.give_up_after` must be greater than 0"},
        ErrorCase{"RetryUnknownKey", std::string(kHook) + "retry = { maxx = \"1m\" }\n",
                  "hale.toml:4:11: unknown key `maxx` in `retry`; did you mean `max`?"},
        ErrorCase{"DescriptionNotAString", std::string(kHook) + "description = 1\n",
                  "hale.toml:4:15: `description` must be a string, not an integer"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NotifierConfig, BadNameAndNotATable) {
  EXPECT_EQ(config_errors("[notifiers.\"on call\"]\ntype = \"webhook\"\nurl = \"https://h/\"\n"),
            std::vector<std::string>{
                "hale.toml:1:1: notifier name \"on call\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'"});
  EXPECT_EQ(config_errors("[notifiers]\nops = \"https://h/\"\n"),
            std::vector<std::string>{"hale.toml:2:7: `notifiers.ops` must be a table, not a string"});
}

TEST(NotifierConfig, InlineUrlsAndValuesAreSecretsToo) {
  // A Slack or Discord webhook URL is a credential by itself; a header value may be an API key.
  const Config c = loaded(load_config_string(R"([notifiers.chat]
type = "slack"
url = "https://hooks.slack.com/services/T1/B1/inline-slack-token"

[notifiers.hook]
type = "webhook"
url = "https://hooks.internal/"
secret = "inline-hmac-key"
headers = { Authorization = "Bearer inline-header-token" }
)",
                                              "hale.toml"));
  EXPECT_THAT(c.secrets, IsSupersetOf({"https://hooks.slack.com/services/T1/B1/inline-slack-token",
                                       "https://hooks.internal/", "inline-hmac-key", "Bearer inline-header-token"}));
}

TEST(NotifierConfig, NoSecretValueInAnyMessage) {
  // Every way a secret's value could be quoted back: wrong scheme, no host, a line break, a
  // missing topic, each from a variable and inline.
  ScopedEnv ftp("HALE_TEST_LEAK_URL", "ftp://user:leak-one@h/");
  ScopedEnv nohost("HALE_TEST_LEAK_NOHOST", "https:///leak-two");
  ScopedEnv topic("HALE_TEST_LEAK_TOPIC", "https://leak-three.example/");
  ScopedEnv header("HALE_TEST_LEAK_HEADER", "leak-four\nX: y");
  const LoadResult r = load_config_string(R"([notifiers.a]
type = "discord"
url = "env:HALE_TEST_LEAK_URL"

[notifiers.b]
type = "webhook"
url = "env:HALE_TEST_LEAK_NOHOST"
headers = { X-Key = "env:HALE_TEST_LEAK_HEADER" }

[notifiers.c]
type = "ntfy"
url = "env:HALE_TEST_LEAK_TOPIC"
token = "env:HALE_TEST_LEAK_HEADER"

[notifiers.d]
type = "slack"
url = "gopher://leak-five/"

[notifiers.e]
type = "email"
url = "https://leak-six/"
from = "a@b"
to = "c@d"
password = "leak-seven"
)",
                                          "hale.toml");
  ASSERT_FALSE(r.config.has_value());
  EXPECT_EQ(r.errors.size(), 8u) << ::testing::PrintToString(error_lines(r));
  for (const std::string& line : error_lines(r)) EXPECT_THAT(line, Not(HasSubstr("leak-"))) << line;
}

}  // namespace
}  // namespace hale
