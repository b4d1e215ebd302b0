// terminal_safe: text from outside (a daemon's answer: a check's reason, a job's output excerpt,
// an alert message) made fit for a terminal. An unauthenticated ping can put any bytes into a
// heartbeat's output; printed raw, ESC sequences would erase lines and draw a fake "up" row
// (issue 17). Control characters (C0, DEL, C1) and bytes that are not UTF-8 are shown escaped,
// as \e, \n, \t, \r, \xNN, \u0085, and so are the bidirectional controls (U+202A-202E,
// U+2066-2069, U+200E, U+200F, U+061C: they reorder the rest of the line); printable text, UTF-8
// included, as it is.
#pragma once

#include <string>
#include <string_view>

namespace hale {

std::string terminal_safe(std::string_view text);

}  // namespace hale
