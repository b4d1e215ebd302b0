// Reaping what hale adopted (see orphan_reaper.h).
#include "hale/supervise/orphan_reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "hale/log/json_log.h"
#include "hale/proc/child_registry.h"

namespace hale {

namespace {

// hale's children now, whichever of its threads each was re-parented to.
std::set<pid_t> children_of_self() {
  std::set<pid_t> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "children");
    for (pid_t pid = 0; in >> pid;) out.insert(pid);
  }
  return out;
}

// SIGCHLD reaches the loop through a pipe written by the handler (async-signal-safe). Not an
// asio::signal_set: Boost 1.74 installs its handler without SA_RESTART, and a SIGCHLD after every
// exec check would then interrupt blocking calls in hale's other threads with EINTR.
int g_sigchld_write = -1;

void on_sigchld(int) {
  const int saved = errno;
  ssize_t ignored = ::write(g_sigchld_write, "c", 1);  // a full pipe already says "look"
  (void)ignored;
  errno = saved;
}

}  // namespace

struct OrphanReaper::Signals {
  explicit Signals(boost::asio::io_context& io) : read_end(io) {}
  boost::asio::posix::stream_descriptor read_end;
  std::array<char, 64> buffer{};
  struct sigaction previous{};
};

OrphanReaper::OrphanReaper(boost::asio::io_context& io, std::function<bool(pid_t)> keep)
    : keep_(std::move(keep)), signals_(std::make_unique<Signals>(io)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    log_event(LogLevel::kError, "orphan_reaper_unavailable", {{"message", std::strerror(errno)}});
    return;
  }
  g_sigchld_write = fds[1];
  signals_->read_end.assign(fds[0]);
  struct sigaction sa{};
  sa.sa_handler = on_sigchld;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  ::sigaction(SIGCHLD, &sa, &signals_->previous);
  wait_for_signal();
  sweep();  // what was adopted before the handler was there
}

OrphanReaper::~OrphanReaper() {
  if (g_sigchld_write < 0) return;
  ::sigaction(SIGCHLD, &signals_->previous, nullptr);
  boost::system::error_code ignored;
  signals_->read_end.close(ignored);
  ::close(g_sigchld_write);
  g_sigchld_write = -1;
}

void OrphanReaper::wait_for_signal() {
  signals_->read_end.async_read_some(boost::asio::buffer(signals_->buffer),
                                     [this](const boost::system::error_code& ec, std::size_t) {
                                       if (ec) return;  // closed: the reaper is going away
                                       sweep();
                                       wait_for_signal();
                                     });
}

void OrphanReaper::sweep() {
  for (pid_t pid : children_of_self()) {
    if (is_own_child(pid)) continue;  // its owner waits for it on a pidfd
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG) == 0 && info.si_pid == pid) {
      killed_.erase(pid);
      log_event(LogLevel::kDebug, "orphan_reaped", {{"pid", pid}});
      continue;
    }
    if (killed_.contains(pid) || keep_(pid)) continue;
    // An adopted process whose run is over (or that belongs to none): what a stopped service
    // left behind. It goes now; the next SIGCHLD reaps it.
    if (::kill(pid, SIGKILL) == 0) {
      killed_.insert(pid);
      log_event(LogLevel::kInfo, "orphan_killed",
                {{"pid", pid}, {"message", "a process re-parented to hale whose service run is over"}});
    }
  }
}

}  // namespace hale
