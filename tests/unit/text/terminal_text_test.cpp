// Text from outside made safe for a terminal (issue 17: escape injection into `hale status`).
#include "hale/text/terminal_text.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(TerminalSafe, PrintableTextAndUtf8PassUnchanged) {
  EXPECT_EQ(terminal_safe("db ok: 200 OK (12 ms)"), "db ok: 200 OK (12 ms)");
  EXPECT_EQ(terminal_safe("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(terminal_safe("a\\b"), "a\\b") << "escaping twice changes nothing";
  EXPECT_EQ(terminal_safe(terminal_safe("\x1b[2J")), terminal_safe("\x1b[2J"));
}

TEST(TerminalSafe, ControlCharactersAreShownEscaped) {
  EXPECT_EQ(terminal_safe("\x1b[2K\x1b[1Ajob up"), "\\e[2K\\e[1Ajob up");
  EXPECT_EQ(terminal_safe(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(terminal_safe("a\r\nb\tc\x7f"), "a\\r\\nb\\tc\\x7f");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "2J"), "\\u009b2J") << "C1 CSI as UTF-8";
  EXPECT_EQ(terminal_safe("\x9b" "2J"), "\\x9b2J") << "a lone 8-bit CSI byte";
  EXPECT_EQ(terminal_safe("\xff\xfe"), "\\xff\\xfe");
}

TEST(TerminalSafe, BidirectionalControlsAreShownEscaped) {
  // U+202E RIGHT-TO-LEFT OVERRIDE would print "down" as "nwod" and the rest of the line backwards.
  EXPECT_EQ(terminal_safe("db \xe2\x80\xae" "nwod"), "db \\u202enwod");
  EXPECT_EQ(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069") << "isolates";
  EXPECT_EQ(terminal_safe("\xe2\x80\x8f\xd8\x9c"), "\\u200f\\u061c") << "RLM and ALM";
  EXPECT_EQ(terminal_safe("\xe2\x80\x94"), "\xe2\x80\x94") << "an em dash is text";
}

}  // namespace
}  // namespace hale
