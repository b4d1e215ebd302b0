// Ping URLs as healthchecks.io spells them, and ping bodies bounded without being refused.
#include "hale/heartbeat/ping_request.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(PingPath, EveryFormOfHealthchecksIo) {
  auto ok = parse_ping_path("/ping/backup");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->name, "backup");
  EXPECT_EQ(ok->kind, PingKind::kSuccess);
  EXPECT_EQ(parse_ping_path("/ping/backup/")->kind, PingKind::kSuccess);
  EXPECT_EQ(parse_ping_path("/ping/backup/start")->kind, PingKind::kStart);
  EXPECT_EQ(parse_ping_path("/ping/backup/fail")->kind, PingKind::kFail);
  EXPECT_EQ(parse_ping_path("/ping/backup/log")->kind, PingKind::kLog);
  auto code = parse_ping_path("/ping/db.dump-nightly/3");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->name, "db.dump-nightly");
  EXPECT_EQ(code->kind, PingKind::kExitCode);
  EXPECT_EQ(code->exit_code, 3);
  EXPECT_EQ(parse_ping_path("/ping/x/0")->exit_code, 0);
  EXPECT_EQ(parse_ping_path("/ping/x/255")->exit_code, 255);
}

TEST(PingPath, ExitCodesAreDigitsReadAsANumberAndOver255IsABadPing) {
  // As healthchecks.io's <int:exitstatus>: digits, leading zeros allowed; over 255 answers 400.
  EXPECT_EQ(parse_ping_path("/ping/x/0003")->exit_code, 3);
  EXPECT_FALSE(parse_ping_path("/ping/x/255")->exit_code_over_255);
  for (const char* path : {"/ping/x/256", "/ping/x/1000", "/ping/x/99999999999999999999999"}) {
    auto r = parse_ping_path(path);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->kind, PingKind::kExitCode) << path;
    EXPECT_TRUE(r->exit_code_over_255) << path;
  }
}

TEST(PingPath, AnythingElseIsNotAPing) {
  for (const char* path : {"/ping", "/ping/", "/ping//start", "/ping/x/-1", "/ping/x/-0", "/ping/x/+3",
                           "/ping/x/1e2", "/ping/x/started", "/ping/x/start/now", "/pingx/y", "/health"}) {
    EXPECT_FALSE(parse_ping_path(path).has_value()) << path;
  }
}

TEST(PingBody, AWholeBodyIsKeptAsItIs) {
  const std::string body(kMaxPingBody, 'a');
  const PingOutput out = ping_output(body, body.size());
  EXPECT_EQ(out.text, body);
  EXPECT_EQ(out.dropped, 0u);
}

TEST(PingBody, ALongBodyKeepsItsEndFromAWholeLine) {
  // The server kept the last 20 bytes of a 1000-byte body: "ret-tail\nline 2\nDONE\n" begins
  // inside a line, which is left out with what came before it.
  const std::string kept = "ret-tail\nline 2\nDONE\n";
  const PingOutput out = ping_output(kept, 1000);
  EXPECT_EQ(out.text, "line 2\nDONE\n");
  EXPECT_EQ(out.dropped, 1000u - out.text.size());
  // One long line with no newline is kept as it is.
  EXPECT_EQ(ping_output("xxxxxxxx", 50).text, "xxxxxxxx");
  // More than kMaxPingBody handed over: only the last kMaxPingBody count.
  std::string big(kMaxPingBody + 10, 'b');
  EXPECT_EQ(ping_output(big, big.size()).text.size(), kMaxPingBody);
  EXPECT_EQ(ping_output(big, big.size()).dropped, 10u);
}

TEST(PingBody, TheExcerptSaysWhatWasLeftOutAndKeepsTheEnd) {
  EXPECT_EQ(output_excerpt("short\n", 0, 2048), "short\n");
  std::string text(5000, '.');
  text += "\nFATAL: disk full\n";
  const std::string e = output_excerpt(text, 100, 2048);
  EXPECT_LE(e.size(), 2048u);
  EXPECT_TRUE(e.ends_with("\nFATAL: disk full\n"));
  const std::size_t kept = e.size() - (e.find('\n') + 1);
  EXPECT_EQ(e.substr(0, e.find('\n') + 1),
            "[hale: output truncated: first " + std::to_string(100 + text.size() - kept) + " bytes left out]\n");
  // Dropped bytes are said even when the rest fits.
  EXPECT_EQ(output_excerpt("end\n", 7, 2048), "[hale: output truncated: first 7 bytes left out]\nend\n");
}

}  // namespace
}  // namespace hale
