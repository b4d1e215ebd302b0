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

TEST(PingPath, AnythingElseIsNotAPing) {
  for (const char* path : {"/ping", "/ping/", "/ping//start", "/ping/x/256", "/ping/x/-1", "/ping/x/-0", "/ping/x/+3", "/ping/x/0003",
                           "/ping/x/1e2", "/ping/x/started", "/ping/x/start/now", "/pingx/y", "/health"}) {
    EXPECT_FALSE(parse_ping_path(path).has_value()) << path;
  }
}

TEST(PingBody, KeptWholeUpToTheLimitAndTheEndKeptBeyondIt) {
  const std::string small(kMaxPingBody, 'a');
  EXPECT_EQ(bounded_output(small), small);
  std::string big(kMaxPingBody + 500, 'b');
  big.replace(big.size() - 4, 4, "DONE");
  const std::string kept = bounded_output(big);
  EXPECT_EQ(kept.rfind("[hale: output truncated: first 500 bytes dropped, last 102400 kept]\n", 0), 0u);
  EXPECT_EQ(kept.substr(kept.size() - 4), "DONE");
  EXPECT_EQ(kept.size(), kMaxPingBody + kept.find('\n') + 1);
}

}  // namespace
}  // namespace hale
