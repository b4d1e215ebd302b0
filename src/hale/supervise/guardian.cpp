// The guardian process (see guardian.h).
#include "hale/supervise/guardian.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hale/log/json_log.h"

namespace hale {

namespace {

struct Command {
  int op;  // +1 watch, -1 forget
  pid_t pgid;
};

constexpr int kMaxGroups = 4096;  // services at once; far beyond any host's

[[noreturn]] void guardian_main(int read_fd) {
  static pid_t groups[kMaxGroups];  // allocated before fork (static storage)
  int count = 0;
  ::setsid();
  ::prctl(PR_SET_NAME, "hale-guardian");
  struct sigaction ign{};
  ign.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) ::sigaction(sig, &ign, nullptr);
  Command c;
  for (;;) {
    ssize_t n = ::read(read_fd, &c, sizeof c);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof c)) break;  // EOF: hale is gone (or a torn write)
    if (c.op > 0) {
      if (count < kMaxGroups) groups[count++] = c.pgid;
    } else {
      for (int i = 0; i < count; ++i) {
        if (groups[i] == c.pgid) {
          groups[i] = groups[--count];
          break;
        }
      }
    }
  }
  for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
  ::_exit(0);
}

}  // namespace

Guardian& Guardian::instance() {
  static Guardian g;
  return g;
}

Status Guardian::ensure_started() {
  if (write_fd_ >= 0) return Status::ok();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::error(std::string("guardian: pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    int saved = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::error(std::string("guardian: fork: ") + std::strerror(saved));
  }
  if (pid == 0) {
    // Keep only the read end: holding anything else (a listening socket, the write end) would
    // keep it alive or open for nobody.
    ::close(fds[1]);
    if (fds[0] != 3) {
      ::dup2(fds[0], 3);
      ::close(fds[0]);
    }
    ::close_range(4, ~0U, 0);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      if (devnull > 3) ::close(devnull);
    }
    guardian_main(3);
  }
  ::close(fds[0]);
  pid_ = pid;
  write_fd_ = fds[1];
  // Never block the loop on a guardian that is stopped (SIGSTOP): a full pipe is a failure,
  // and the guardian is replaced.
  ::fcntl(write_fd_, F_SETFL, ::fcntl(write_fd_, F_GETFL) | O_NONBLOCK);
  log_event(LogLevel::kDebug, "guardian_started", {{"pid", pid}});
  return Status::ok();
}

Status Guardian::send(int op, pid_t pgid) {
  Command c{op, pgid};
  ssize_t n;
  do {
    n = ::write(write_fd_, &c, sizeof c);  // smaller than PIPE_BUF: atomic
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof c)) {
    return Status::error(std::string("guardian: write: ") + std::strerror(errno));
  }
  return Status::ok();
}

Status Guardian::replace() {
  log_event(LogLevel::kWarn, "guardian_replaced",
            {{"pid", pid_}, {"message", "the guardian process is gone; starting a new one"}});
  ::close(write_fd_);
  write_fd_ = -1;
  if (pid_ > 0) {  // dead, or stuck: make sure it is gone, and reap it (no zombie)
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  if (Status s = ensure_started(); !s) return s;
  for (pid_t g : watched_) {
    if (Status s = send(+1, g); !s) return s;
  }
  return Status::ok();
}

Status Guardian::watch(pid_t pgid) {
  if (Status s = ensure_started(); !s) return s;
  watched_.insert(pgid);
  if (send(+1, pgid)) return Status::ok();
  return replace();
}

void Guardian::forget(pid_t pgid) {
  watched_.erase(pgid);
  if (write_fd_ < 0) return;
  if (send(-1, pgid)) return;
  if (Status s = replace(); !s) log_event(LogLevel::kWarn, "guardian_unreachable", {{"message", s.message()}});
}

}  // namespace hale
