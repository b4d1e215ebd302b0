// Nagios plugin semantics for exec checks: the exit status decides the verdict, the first
// line of output (before any `|` perfdata) is the reason. Pure: no I/O, unit-tested.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hale/health.h"

namespace hale {

// A reason is at most this many bytes (cut on a UTF-8 boundary).
inline constexpr std::size_t kMaxNagiosReason = 200;

// The first line of `output`, without perfdata (`|` onwards), trimmed and capped at
// kMaxNagiosReason bytes. Empty when the output has nothing to say.
std::string nagios_summary(std::string_view output);

// The verdict for a finished command, from its waitpid() status and its captured output:
// exit 0 pass, 1 warn ("warn"), 2, 3 and anything else fail ("exit"); killed by a signal:
// fail "killed by SIGKILL". The reason is nagios_summary(output), or "exit N" when empty.
ProbeResult nagios_result(int wait_status, std::string_view output);

}  // namespace hale
