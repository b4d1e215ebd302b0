// Log lines are JSON objects and never carry a registered secret.
#include "hale/log/json_log.h"

#include <gtest/gtest.h>

#include <sstream>

#include "hale/log/redactor.h"

namespace hale {
namespace {

TEST(Redactor, MasksEverySecretAndItsEscapedForm) {
  Redactor r;
  r.set_secrets({"s3cr3t-token", "pa\"ss\"word", "ab"});
  EXPECT_EQ(r.redact("Bearer s3cr3t-token and s3cr3t-token"),
            "Bearer [REDACTED] and [REDACTED]");
  EXPECT_EQ(r.redact(R"({"h":"pa\"ss\"word"})"), R"({"h":"[REDACTED]"})");
  EXPECT_EQ(r.redact("pa\"ss\"word"), "[REDACTED]");
  // Too short to be searched for: left alone rather than masking every "ab".
  EXPECT_EQ(r.redact("abc"), "abc");
}

TEST(Redactor, LongerSecretMaskedBeforeItsPrefix) {
  Redactor r;
  r.set_secrets({"token", "token-extended"});
  EXPECT_EQ(r.redact("x token-extended y"), "x [REDACTED] y");
}

TEST(JsonLog, LinesAreJsonWithEventAndNoSecret) {
  std::ostringstream out;
  init_logging(LogLevel::kInfo, &out);
  Redactor::global().set_secrets({"hunter2-secret"});
  log_event(LogLevel::kWarn, "probe_failed",
            {{"check", "db"}, {"target", "http://u:hunter2-secret@h/"}, {"consecutive_failures", 2}});
  log_event(LogLevel::kDebug, "dropped", {});  // below the level: not written
  Redactor::global().set_secrets({});
  std::string line = out.str();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  EXPECT_EQ(line.find("dropped"), std::string::npos);
  auto j = nlohmann::json::parse(line.substr(0, line.find('\n')));
  EXPECT_EQ(j["event"], "probe_failed");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["check"], "db");
  EXPECT_EQ(j["consecutive_failures"], 2);
  EXPECT_TRUE(j.contains("ts"));
  init_logging(LogLevel::kInfo, nullptr);
}

TEST(JsonLog, InvalidUtf8DoesNotThrow) {
  std::ostringstream out;
  init_logging(LogLevel::kInfo, &out);
  log_event(LogLevel::kInfo, "x", {{"message", std::string("bad \xff\xfe bytes")}});
  EXPECT_NE(out.str().find("bad"), std::string::npos);
  init_logging(LogLevel::kInfo, nullptr);
}

TEST(JsonLog, ParseLevel) {
  LogLevel l;
  EXPECT_TRUE(parse_log_level("warn", l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_FALSE(parse_log_level("loud", l));
}

}  // namespace
}  // namespace hale
