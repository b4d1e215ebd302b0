// sd_notify datagrams as libsystemd's sd_notify() and sd_notifyf() send them.
#include "hale/supervise/sd_notify.h"

#include <gtest/gtest.h>

#include <random>

#include "support/file_text.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

TEST(SdNotify, ReadyWithStatus) {
  auto m = parse_notify_message("READY=1\nSTATUS=Processing requests...\n");
  EXPECT_TRUE(m.ready);
  EXPECT_FALSE(m.stopping);
  ASSERT_TRUE(m.status);
  EXPECT_EQ(*m.status, "Processing requests...");
  EXPECT_TRUE(m.ignored.empty());
}

TEST(SdNotify, WatchdogPingTriggerAndInterval) {
  EXPECT_TRUE(parse_notify_message("WATCHDOG=1").watchdog);
  auto t = parse_notify_message("WATCHDOG=trigger");
  EXPECT_TRUE(t.watchdog_trigger);
  EXPECT_FALSE(t.watchdog);
  auto u = parse_notify_message("WATCHDOG_USEC=30000000");
  ASSERT_TRUE(u.watchdog_interval);
  EXPECT_EQ(*u.watchdog_interval, 30s);
}

// Found by tests/fuzz/sd_notify_fuzz.cpp: a WATCHDOG_USEC beyond what a Duration holds overflowed
// the conversion to nanoseconds (undefined behaviour; a wrapped, maybe negative interval). It is
// ignored now, as an unreadable value is; the largest that fits is still taken.
TEST(SdNotify, AWatchdogIntervalTooLargeForADurationIsIgnored) {
  auto m = parse_notify_message(
      testing::file_text(HALE_SOURCE_DIR "/tests/fuzz/regressions/sd_notify/watchdog-usec-overflow"));
  EXPECT_FALSE(m.watchdog_interval);
  auto huge = parse_notify_message("WATCHDOG_USEC=2999999999999999991");
  EXPECT_FALSE(huge.watchdog_interval);
  EXPECT_EQ(huge.ignored, std::vector<std::string>{"WATCHDOG_USEC=2999999999999999991"});
  const long long max_usec = std::chrono::duration_cast<std::chrono::microseconds>(Duration::max()).count();
  auto largest = parse_notify_message("WATCHDOG_USEC=" + std::to_string(max_usec));
  ASSERT_TRUE(largest.watchdog_interval);
  EXPECT_EQ(*largest.watchdog_interval, std::chrono::microseconds(max_usec));
}

// Noticed while fuzzing: MAINPID was read as a long and cast to pid_t, so 4294967297 became pid 1.
TEST(SdNotify, AMainPidBeyondAPidIsIgnoredNotWrapped) {
  for (const char* text : {"MAINPID=4294967297", "MAINPID=2147483648", "MAINPID=99999999999999999999"}) {
    auto m = parse_notify_message(text);
    EXPECT_FALSE(m.main_pid) << text;
    EXPECT_EQ(m.ignored, std::vector<std::string>{text});
  }
  EXPECT_EQ(parse_notify_message("MAINPID=2147483647").main_pid, 2147483647);
}

TEST(SdNotify, StoppingReloadingErrnoMainpid) {
  auto m = parse_notify_message("STOPPING=1\nRELOADING=1\nERRNO=2\nMAINPID=4242");
  EXPECT_TRUE(m.stopping);
  EXPECT_TRUE(m.reloading);
  EXPECT_EQ(m.errno_value, 2);
  EXPECT_EQ(m.main_pid, 4242);
}

TEST(SdNotify, MalformedAndUnknownLinesAreIgnoredNotFatal) {
  auto m = parse_notify_message("READY=0\nMAINPID=-1\nWATCHDOG_USEC=abc\nFDSTORE=1\nnonsense\nREADY=1");
  EXPECT_TRUE(m.ready);  // the valid READY=1 at the end counts
  EXPECT_FALSE(m.main_pid);
  EXPECT_FALSE(m.watchdog_interval);
  EXPECT_EQ(m.ignored,
            (std::vector<std::string>{"READY=0", "MAINPID=-1", "WATCHDOG_USEC=abc", "FDSTORE=1", "nonsense"}));
}

TEST(SdNotify, StatusIsCappedAndPrintable) {
  auto m = parse_notify_message("STATUS=" + std::string(500, 'x') + "\n");
  ASSERT_TRUE(m.status);
  EXPECT_EQ(m.status->size(), kMaxNotifyStatus);
  auto c = parse_notify_message(std::string("STATUS=a\tb\rc"));
  EXPECT_EQ(*c.status, "a b c");
}

TEST(SdNotify, RandomDatagramsNeverThrowAndStayBounded) {
  std::mt19937 rng(7);
  const std::string alphabet = "READYSTOPWATCHDOG=1\n_USEC0123456789trigger\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string d(rng() % 300, '\0');
    for (char& ch : d) ch = alphabet[rng() % alphabet.size()];
    auto m = parse_notify_message(d);
    if (m.status) {
      ASSERT_LE(m.status->size(), kMaxNotifyStatus);
    }
  }
}

}  // namespace
}  // namespace hale
