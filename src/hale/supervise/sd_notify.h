// The sd_notify protocol (systemd's sd_notify(3)): what a supervised child tells hale through
// NOTIFY_SOCKET. One datagram holds newline-separated KEY=VALUE assignments; a child linked
// against libsystemd's sd_notify() sends exactly these. Pure parsing, no sockets.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"

namespace hale {

struct NotifyMessage {
  bool ready = false;             // READY=1
  bool stopping = false;          // STOPPING=1
  bool reloading = false;         // RELOADING=1
  bool watchdog = false;          // WATCHDOG=1: the child is alive
  bool watchdog_trigger = false;  // WATCHDOG=trigger: the child asks to be treated as hung
  std::optional<std::string> status;         // STATUS=free text (capped, one line)
  std::optional<int> errno_value;            // ERRNO=n
  std::optional<pid_t> main_pid;             // MAINPID=n
  std::optional<Duration> watchdog_interval;  // WATCHDOG_USEC=n: a new watchdog interval
  // Lines that are malformed or not understood (FDSTORE=1, EXTEND_TIMEOUT_USEC=..., ...):
  // ignored, as systemd ignores what it cannot use, but kept for a debug log line.
  std::vector<std::string> ignored;
};

// STATUS= texts longer than this are cut (they end up in /health and logs).
inline constexpr std::size_t kMaxNotifyStatus = 200;

NotifyMessage parse_notify_message(std::string_view datagram);

}  // namespace hale
