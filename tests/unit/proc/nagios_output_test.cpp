// Nagios plugin output and exit status as a table: what reason and verdict each gets.
#include "hale/proc/nagios_output.h"

#include <gtest/gtest.h>

#include <random>
#include <signal.h>

#include <string>
#include <vector>

namespace hale {
namespace {

int exited(int code) { return code << 8; }  // the waitpid() status of a normal exit
int signaled(int sig) { return sig; }       // ... and of a death by signal (no core)

struct SummaryCase {
  const char* name;
  std::string output;
  std::string summary;
};

TEST(NagiosOutput, SummaryIsTheFirstLineWithoutPerfdata) {
  const std::vector<SummaryCase> cases = {
      {"plain", "DISK OK - free space: / 3326 MB (56%)\n", "DISK OK - free space: / 3326 MB (56%)"},
      {"perfdata", "TCP OK - 0.001 second response time on port 22|time=0.000983s;;;0.0\n",
       "TCP OK - 0.001 second response time on port 22"},
      {"multi line", "LOAD OK\nload1=0.5\nload5=0.4 | a=1\n", "LOAD OK"},
      {"trimmed", "   spaced out \t\n", "spaced out"},
      {"leading blank lines", "\n\n  \nsecond line wins\n", "second line wins"},
      {"crlf", "windows style\r\nnext\r\n", "windows style"},
      {"only perfdata", "|a=1;2;3\n", ""},
      {"empty", "", ""},
      {"control characters dropped", std::string("bell\a and \x1b[31mred\n"), "bell and [31mred"},
      {"no trailing newline", "all good", "all good"},
  };
  for (const auto& c : cases) EXPECT_EQ(nagios_summary(c.output), c.summary) << c.name;
}

TEST(NagiosOutput, SummaryIsCappedOnACharacterBoundary) {
  std::string long_line(500, 'a');
  EXPECT_EQ(nagios_summary(long_line).size(), kMaxNagiosReason);

  // 199 ASCII bytes, then a 2-byte "é" straddling the cap: it is dropped whole.
  std::string straddle = std::string(199, 'a') + "\xC3\xA9" + "tail";
  std::string s = nagios_summary(straddle);
  EXPECT_EQ(s, std::string(199, 'a'));
}

struct ResultCase {
  const char* name;
  int wait_status;
  std::string output;
  Verdict verdict;
  const char* reason;
  const char* code;
};

TEST(NagiosOutput, ExitStatusDecidesTheVerdict) {
  const std::vector<ResultCase> cases = {
      {"ok", exited(0), "OK: all good|t=1\n", Verdict::kPass, "OK: all good", ""},
      {"ok silent", exited(0), "", Verdict::kPass, "exit 0", ""},
      {"warning", exited(1), "WARNING: meh\n", Verdict::kWarn, "WARNING: meh", "warn"},
      {"critical", exited(2), "CRITICAL: bad\n", Verdict::kFail, "CRITICAL: bad", "exit"},
      {"unknown", exited(3), "", Verdict::kFail, "exit 3", "exit"},
      {"other code", exited(127), "sh: nope: not found\n", Verdict::kFail, "sh: nope: not found",
       "exit"},
      {"killed", signaled(SIGKILL), "partial output\n", Verdict::kFail, "killed by SIGKILL", "exit"},
      {"segfault", signaled(SIGSEGV), "", Verdict::kFail, "killed by SIGSEGV", "exit"},
  };
  for (const auto& c : cases) {
    ProbeResult r = nagios_result(c.wait_status, c.output);
    EXPECT_EQ(r.verdict, c.verdict) << c.name;
    EXPECT_EQ(r.reason, c.reason) << c.name;
    EXPECT_EQ(to_string(r.error), c.code) << c.name;
  }
}

}  // namespace
}  // namespace hale

namespace hale {
namespace {

// A property test of the plugin-output parser (seeded random outputs; tests/fuzz/nagios_fuzz.cpp
// fuzzes it): whatever a plugin prints, the reason is one line, at most kMaxNagiosReason bytes,
// and holds no perfdata.
TEST(NagiosOutputProperty, AnyOutputGivesOneShortLine) {
  std::mt19937 rng(20261123);
  using namespace std::string_literals;  // the alphabet holds a NUL byte
  const std::string alphabet = "OK WARNING CRITICAL|=;:\n\r\t \xc3\xa9\xe2\x82\xac\xff"s + '\0' + "abc123";
  for (int i = 0; i < 5000; ++i) {
    std::string out(rng() % 600, '\0');
    for (char& c : out) c = alphabet[rng() % alphabet.size()];
    const std::string reason = nagios_summary(out);
    ASSERT_LE(reason.size(), kMaxNagiosReason) << i;
    ASSERT_EQ(reason.find('\n'), std::string::npos) << i;
    ASSERT_EQ(reason.find('|'), std::string::npos) << i;
    const ProbeResult r = nagios_result(static_cast<int>(rng() % 5) << 8, out);
    ASSERT_FALSE(r.reason.empty()) << i;
  }
}

}  // namespace
}  // namespace hale
