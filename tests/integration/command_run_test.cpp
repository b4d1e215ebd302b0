// CommandRun with real child processes: its stdin given whole, its output captured, its exit
// status, the timeout killing the group, and a spawn error (the exec notifier's transport and
// the exec probe's engine).
#include "hale/proc/command_run.h"
#include "hale/proc/process_spawn.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>

#include <optional>

namespace hale {
namespace {

using namespace std::chrono_literals;

std::optional<CommandResult> run(const std::vector<std::string>& argv, std::string_view input,
                                 Duration timeout = 10s) {
  boost::asio::io_context io;
  std::optional<CommandResult> result;
  auto r = CommandRun::start(io, argv, input, timeout, [&](CommandResult c) { result = std::move(c); });
  EXPECT_TRUE(r) << r.status().message();
  io.run_for(20s);
  return result;
}

TEST(CommandRun, TheCommandReadsItsInputWholeAndEndsAtEof) {
  const std::string json = R"({"key":"check/db/fail","message":"connection refused"})" "\n";
  auto r = run({"cat"}, json);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->timed_out);
  ASSERT_TRUE(WIFEXITED(r->wait_status));
  EXPECT_EQ(WEXITSTATUS(r->wait_status), 0);
  EXPECT_EQ(r->output, json);
}

TEST(CommandRun, WithoutInputStdinIsEmpty) {
  auto r = run({"wc", "-c"}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->output, "0\n");
}

TEST(CommandRun, ExitStatusAndOutputOfAFailure) {
  auto r = run({"sh", "-c", "echo 'receiver said no' >&2; exit 3"}, "x");
  ASSERT_TRUE(r);
  ASSERT_TRUE(WIFEXITED(r->wait_status));
  EXPECT_EQ(WEXITSTATUS(r->wait_status), 3);
  EXPECT_EQ(r->output, "receiver said no\n");
}

TEST(CommandRun, TimeoutKillsIt) {
  auto r = run({"sleep", "30"}, {}, 100ms);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(WIFSIGNALED(r->wait_status));
}

TEST(CommandRun, SpawnErrorNamesTheProgram) {
  boost::asio::io_context io;
  auto r = CommandRun::start(io, {"/nonexistent/notify"}, "x", 1s, [](CommandResult) { FAIL() << "not started"; });
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("cannot run /nonexistent/notify"), std::string::npos) << r.status().message();
  io.run_for(50ms);
}

TEST(CommandRun, InputLargerThanAPipeIsRefused) {
  boost::asio::io_context io;
  auto r = CommandRun::start(io, {"cat"}, std::string(kMaxSpawnInput + 1, 'x'), 1s, [](CommandResult) {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("too large"), std::string::npos);
}

}  // namespace
}  // namespace hale
