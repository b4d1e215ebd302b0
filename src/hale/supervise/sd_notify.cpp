// parse_notify_message: the assignments of one sd_notify datagram.
#include "hale/supervise/sd_notify.h"

#include <charconv>

namespace hale {

namespace {

template <typename T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

NotifyMessage parse_notify_message(std::string_view datagram) {
  NotifyMessage m;
  while (!datagram.empty()) {
    const auto nl = datagram.find('\n');
    std::string_view line = datagram.substr(0, nl);
    datagram = nl == std::string_view::npos ? std::string_view() : datagram.substr(nl + 1);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      m.ignored.emplace_back(line);
      continue;
    }
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = line.substr(eq + 1);
    bool understood = true;
    if (key == "READY") {
      m.ready = value == "1";
      understood = m.ready;
    } else if (key == "STOPPING") {
      m.stopping = value == "1";
      understood = m.stopping;
    } else if (key == "RELOADING") {
      m.reloading = value == "1";
      understood = m.reloading;
    } else if (key == "WATCHDOG") {
      m.watchdog = value == "1";
      m.watchdog_trigger = value == "trigger";
      understood = m.watchdog || m.watchdog_trigger;
    } else if (key == "STATUS") {
      std::string s(value.substr(0, kMaxNotifyStatus));
      // Keep it printable: a status is shown in /health and logged.
      for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      }
      m.status = std::move(s);
    } else if (key == "ERRNO") {
      m.errno_value = parse_number<int>(value);
      understood = m.errno_value.has_value();
    } else if (key == "MAINPID") {
      // Read as a pid_t: a wider type cast down would turn 4294967297 into pid 1 (noticed while
      // fuzzing); out of range is unreadable, and ignored.
      auto pid = parse_number<pid_t>(value);
      if (pid && *pid > 0) m.main_pid = *pid;
      understood = m.main_pid.has_value();
    } else if (key == "WATCHDOG_USEC") {
      auto usec = parse_number<long long>(value);
      // Over what a Duration holds (nanoseconds in 64 bits: 292 years), converting would
      // overflow (undefined): no child means it, so it is ignored like any unreadable value.
      constexpr long long kMaxUsec = std::chrono::duration_cast<std::chrono::microseconds>(Duration::max()).count();
      if (usec && *usec > 0 && *usec <= kMaxUsec) m.watchdog_interval = std::chrono::microseconds(*usec);
      understood = m.watchdog_interval.has_value();
    } else {
      understood = false;
    }
    if (!understood) m.ignored.emplace_back(line);
  }
  return m;
}

}  // namespace hale
