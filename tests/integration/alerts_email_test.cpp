// The email notifier against a real SMTP server (SPEC §6, docs/alerts.md "email"): aiosmtpd
// (tests/tools/smtp_sink.py) with STARTTLS from a test CA and AUTH. One message per alert with
// the headline as Subject; plaintext where STARTTLS is required, or a server without STARTTLS
// where hale requires it, is a failed delivery with a reason that says so, never a plaintext
// one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/free_port.h"
#include "support/hale_process.h"
#include "support/smtp_sink.h"
#include "support/tcp_listener.h"
#include "support/test_pki.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSmtpPassword = "smtp-pass-9d2e41";

std::string email_notifier(const std::string& url, const std::string& extra) {
  return "\n[notifiers.mail]\ntype = \"email\"\nurl = \"" + url +
         "\"\nfrom = \"hale@example.com\"\nto = [\"ops@example.com\", \"oncall@example.com\"]\n"
         "retry = { base = \"200ms\", max = \"1s\" }\n" +
         extra;
}

class AlertsEmail : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!smtp_sink_available()) GTEST_SKIP() << "python3-aiosmtpd is not installed for /usr/bin/python3";
    ASSERT_TRUE(pki_.ok());
    leaf_ = pki_.leaf("smtp", std::chrono::hours(24));
  }
  TestPki pki_;
  TestPki::Issued leaf_;
};

TEST_F(AlertsEmail, StarttlsAndAuthDeliverOneMessageWithTheHeadline) {
  SmtpSink sink({leaf_.cert_file, leaf_.key_file, /*require_starttls=*/true, std::string("hale:") + kSmtpPassword});
  ASSERT_TRUE(sink.ready()) << sink.log();
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   email_notifier(sink.url(), "username = \"hale\"\npassword = \"env:SMTP_PASSWORD\"\nca_file = \"" +
                                                  pki_.ca_file() + "\"\n") +
                   alert_rule("db", "mail"));
  hale.set_env("SMTP_PASSWORD", kSmtpPassword);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "mail", "check/db/fail", {"sent"}, 15s)) << hale.log() << sink.log();

  const nlohmann::json d = deliveries(hale, "mail", "check/db/fail")[0];
  EXPECT_EQ(d["attempts"], 1);
  const auto messages = sink.messages();
  ASSERT_EQ(messages.size(), 1u) << sink.log();
  const SmtpMessage& m = messages[0];
  EXPECT_EQ(m.header("Subject"), "[CRITICAL] check db is fail: " + d["message"].get<std::string>()) << m.content;
  EXPECT_EQ(m.header("From"), "hale@example.com");
  EXPECT_EQ(m.header("To"), "ops@example.com, oncall@example.com");
  EXPECT_EQ(m.header("X-Hale-Key"), "check/db/fail");
  EXPECT_NE(m.header("Message-ID").find(d["id"].get<std::string>()), std::string::npos) << m.content;
  EXPECT_EQ(m.envelope["mail_from"], "hale@example.com");
  EXPECT_EQ(m.envelope["rcpt_tos"], nlohmann::json::array({"ops@example.com", "oncall@example.com"}));
  EXPECT_EQ(m.envelope["tls"], true) << "upgraded with STARTTLS before anything was sent";
  EXPECT_EQ(m.envelope["authenticated"], true);
  EXPECT_NE(m.content.find("\r\n\r\n[CRITICAL] check db is fail"), std::string::npos) << m.content;
  EXPECT_EQ(hale.log().find(kSmtpPassword), std::string::npos);
}

TEST_F(AlertsEmail, PlaintextWhereTheServerRequiresStarttlsFailsWithTheSmtpCode) {
  SmtpSink sink({leaf_.cert_file, leaf_.key_file, /*require_starttls=*/true, ""});
  ASSERT_TRUE(sink.ready()) << sink.log();
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   email_notifier(sink.url(), "tls = \"none\"\n") + alert_rule("db", "mail"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "mail", "check/db/fail");
    return d.size() == 1 && d[0]["state"] != "pending";
  }, 15s)) << hale.log() << sink.log();
  const nlohmann::json d = deliveries(hale, "mail", "check/db/fail")[0];
  // aiosmtpd: "530 Must issue a STARTTLS command first", a 5xx: refused for good.
  EXPECT_EQ(d["state"], "failed") << d.dump();
  EXPECT_EQ(d["last_error"], "SMTP 530") << d.dump();
  EXPECT_EQ(d["attempts"], 1);
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(AlertsEmail, StarttlsRequiredAgainstAServerWithoutItFailsNeverPlaintext) {
  SmtpSink sink;  // no certificate: STARTTLS is not offered
  ASSERT_TRUE(sink.ready()) << sink.log();
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   email_notifier(sink.url(), "ca_file = \"" + pki_.ca_file() + "\"\n") + alert_rule("db", "mail"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "mail", "check/db/fail");
    return d.size() == 1 && d[0]["state"] != "pending";
  }, 15s)) << hale.log() << sink.log();
  const nlohmann::json d = deliveries(hale, "mail", "check/db/fail")[0];
  EXPECT_EQ(d["state"], "failed") << d.dump();
  EXPECT_EQ(d["last_error"], "the SMTP server offers no STARTTLS") << d.dump();
  EXPECT_TRUE(sink.messages().empty()) << "nothing went out in plaintext";
  const auto failed = log_events(hale, "alert_delivery_failed");
  ASSERT_EQ(failed.size(), 1u) << hale.log();
  EXPECT_EQ(failed[0]["reason"], "the SMTP server offers no STARTTLS");
}

TEST_F(AlertsEmail, ATemporaryRefusalIsRetriedUntilTheServerTakesTheMessage) {
  SmtpSinkOptions options{leaf_.cert_file, leaf_.key_file, /*require_starttls=*/true, ""};
  options.temp_fail_first = 1;
  SmtpSink sink(options);
  ASSERT_TRUE(sink.ready()) << sink.log();
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   email_notifier(sink.url(), "ca_file = \"" + pki_.ca_file() + "\"\n") + alert_rule("db", "mail"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "mail", "check/db/fail", {"sent"}, 15s)) << hale.log() << sink.log();
  EXPECT_EQ(deliveries(hale, "mail", "check/db/fail")[0]["attempts"], 2);
  const auto retries = log_events(hale, "alert_delivery_retry");
  ASSERT_EQ(retries.size(), 1u) << hale.log();
  EXPECT_EQ(retries[0]["reason"], "SMTP 451");
  EXPECT_EQ(sink.messages().size(), 1u);
}

TEST_F(AlertsEmail, AWrongPasswordIsRefusedForGood) {
  SmtpSink sink({leaf_.cert_file, leaf_.key_file, /*require_starttls=*/true, "hale:the-right-one"});
  ASSERT_TRUE(sink.ready()) << sink.log();
  HaleProcess hale(alert_server_section() + tcp_check("db", closed_loopback_port()) +
                   email_notifier(sink.url(), "username = \"hale\"\npassword = \"env:SMTP_PASSWORD\"\nca_file = \"" +
                                                  pki_.ca_file() + "\"\n") +
                   alert_rule("db", "mail"));
  hale.set_env("SMTP_PASSWORD", kSmtpPassword);
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] {
    auto d = deliveries(hale, "mail", "check/db/fail");
    return d.size() == 1 && d[0]["state"] != "pending";
  }, 15s)) << hale.log() << sink.log();
  const nlohmann::json d = deliveries(hale, "mail", "check/db/fail")[0];
  EXPECT_EQ(d["state"], "failed") << d.dump();
  EXPECT_EQ(d["last_error"], "SMTP login denied (535)") << d.dump();
  EXPECT_TRUE(sink.messages().empty());
  EXPECT_EQ(hale.log().find(kSmtpPassword), std::string::npos);
}

}  // namespace
}  // namespace hale::testing
