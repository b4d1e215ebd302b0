// The config keys of degraded mode (SPEC §7), read and refused with FILE:LINE:COL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hale/config.h"
#include "support/config_errors.h"

namespace hale {
namespace {

using hale::testing::config_errors;
using ::testing::ElementsAre;

Config load(const std::string& toml) {
  LoadResult r = load_config_string(toml, "hale.toml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config.value_or(Config{});
}

TEST(GuardCodeConfig, DefaultsToTheNameWithUnderscoresAndMayBeWritten) {
  const Config c = load(R"(
[checks.llama-guard]
type = "tcp"
target = "127.0.0.1:8000"
[checks.docker-runner]
type = "tcp"
target = "127.0.0.1:7071"
guard_code = "runner_down"
[heartbeats."nightly.backup"]
period = "1h"
[heartbeats.sync]
period = "1h"
guard_code = "sync_stale"
)");
  ASSERT_EQ(c.checks.size(), 2u);
  EXPECT_EQ(c.find_check("llama-guard")->guard_code, "llama_guard_not_ready");
  EXPECT_EQ(c.find_check("docker-runner")->guard_code, "runner_down");
  ASSERT_EQ(c.heartbeats.size(), 2u);
  EXPECT_EQ(c.heartbeats[0].guard_code, "nightly_backup_not_ready");
  EXPECT_EQ(c.heartbeats[1].guard_code, "sync_stale");
}

TEST(GuardCodeConfig, ACodeOutsideTheNameGrammarIsRefusedWhereItIsWritten) {
  EXPECT_THAT(config_errors("[checks.db]\ntype = \"tcp\"\ntarget = \"db:5432\"\nguard_code = \"not ready!\"\n"),
              ElementsAre("hale.toml:4:14: `guard_code` \"not ready!\": a code starts with a letter or a digit, "
                          "then letters, digits, '_', '.' and '-' (at most 128 characters)"));
  EXPECT_THAT(config_errors("[checks.db]\ntype = \"tcp\"\ntarget = \"db:5432\"\nguard_code = \"\"\n"),
              ElementsAre("hale.toml:4:14: `guard_code` must not be empty"));
  EXPECT_THAT(config_errors("[defaults]\nguard_code = \"x\"\n"),
              ElementsAre("hale.toml:2:1: `guard_code` cannot be set in [defaults]; set it in each [checks.NAME]"));
}

}  // namespace
}  // namespace hale
