// SystemdNotifier: sd_notify to systemd by hand (see the header for why not libsystemd).
#include "hale/supervise/systemd_notifier.h"

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "hale/log/json_log.h"

namespace hale {

namespace {

std::optional<std::uint64_t> env_number(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v, v + std::strlen(v), n);
  if (ec != std::errc() || *end != '\0') return std::nullopt;
  return n;
}

std::string one_line(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io) : timer_(io) {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  const auto watchdog_usec = env_number("WATCHDOG_USEC");
  const auto watchdog_pid = env_number("WATCHDOG_PID");
  socket_name_ = sock ? sock : "";
  // Never hand systemd's socket down to a child: they would speak for hale.
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  if (socket_name_.empty()) return;

  addr_.sun_family = AF_UNIX;
  const bool abstract = socket_name_[0] == '@';
  if ((socket_name_[0] != '/' && !abstract) || socket_name_.size() >= sizeof addr_.sun_path) {
    log_event(LogLevel::kWarn, "systemd_notify_unusable",
              {{"socket", socket_name_}, {"message", "NOTIFY_SOCKET is neither an absolute path nor @abstract"}});
    return;
  }
  std::memcpy(addr_.sun_path, socket_name_.data(), socket_name_.size());
  if (abstract) addr_.sun_path[0] = '\0';  // no trailing NUL: the name is exactly the bytes given
  addr_len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_name_.size() + (abstract ? 0 : 1));

  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    log_event(LogLevel::kWarn, "systemd_notify_unusable", {{"socket", socket_name_}, {"message", std::strerror(errno)}});
    return;
  }
  if (watchdog_usec && *watchdog_usec > 0 &&
      (!watchdog_pid || *watchdog_pid == static_cast<std::uint64_t>(::getpid()))) {
    watchdog_period_ = std::chrono::microseconds(std::max<std::uint64_t>(*watchdog_usec / 2, 1));
  }
  log_event(LogLevel::kInfo, "systemd_notify",
            {{"socket", socket_name_},
             {"watchdog_ms", watchdog_period_ ? watchdog_period_->count() * 2 / 1000 : 0}});
  if (watchdog_period_) {
    send("WATCHDOG=1");
    arm_watchdog();
  }
}

SystemdNotifier::~SystemdNotifier() {
  timer_.cancel();
  if (fd_ >= 0) ::close(fd_);
}

void SystemdNotifier::arm_watchdog() {
  timer_.expires_after(*watchdog_period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    send("WATCHDOG=1");
    arm_watchdog();
  });
}

void SystemdNotifier::ready(std::string_view status) {
  if (!enabled()) return;
  std::string msg = "READY=1\nMAINPID=" + std::to_string(::getpid());
  if (!status.empty()) msg += "\nSTATUS=" + one_line(status);
  send(msg);
}

void SystemdNotifier::reloading() {
  if (!enabled()) return;
  // MONOTONIC_USEC lets a Type=notify-reload unit (systemd >= 253) match the reload it asked for.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::uint64_t usec = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::stopping() {
  if (enabled()) send("STOPPING=1");
}

void SystemdNotifier::status(std::string_view text) {
  if (enabled()) send("STATUS=" + one_line(text));
}

void SystemdNotifier::send(const std::string& message) {
  const ssize_t n = ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&addr_), addr_len_);
  if (n < 0 && !send_failing_) {
    send_failing_ = true;
    log_event(LogLevel::kWarn, "systemd_notify_failed",
              {{"socket", socket_name_}, {"message", std::strerror(errno)}});
  } else if (n >= 0 && send_failing_) {
    send_failing_ = false;
    log_event(LogLevel::kInfo, "systemd_notify_recovered", {{"socket", socket_name_}});
  }
}

}  // namespace hale
