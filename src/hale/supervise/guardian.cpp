// The guardian process (see guardian.h).
#include "hale/supervise/guardian.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "hale/log/json_log.h"
#include "hale/proc/cgroup_tree.h"
#include "hale/proc/child_registry.h"
#include "hale/proc/marked_processes.h"

namespace hale {

namespace {

struct Command {
  int op;  // +1 watch, -1 forget
  pid_t pgid;
  char invocation_id[kInvocationIdLength + 1];  // "" for none
};
static_assert(sizeof(Command) <= PIPE_BUF, "one write must stay atomic");

constexpr int kMaxGroups = 4096;  // services at once; far beyond any host's

// Set before the fork (static storage, so the guardian needs no allocation).
char g_cgroup_kill[4096];

// After the cgroup.kill: removes hale's cgroups (hale.<pid> and everything below it) once the
// killed processes have left them, waiting at most about a second. Async-signal-safe.
void remove_cgroups(const char* kill_file) {
  char top[sizeof g_cgroup_kill];
  const std::size_t len = std::strlen(kill_file);
  const std::size_t suffix = std::strlen("/cgroup.kill");
  if (len <= suffix || len >= sizeof top) return;
  std::memcpy(top, kill_file, len - suffix);
  top[len - suffix] = '\0';
  remove_cgroup_tree(top, 100);
}

[[noreturn]] void guardian_main(int read_fd) {
  static Command runs[kMaxGroups];  // allocated before fork (static storage)
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
      if (count < kMaxGroups) runs[count++] = c;
    } else {
      for (int i = 0; i < count; ++i) {
        if (runs[i].pgid == c.pgid) {
          runs[i] = runs[--count];
          break;
        }
      }
    }
  }
  // hale is gone: first the cgroup (everything, in one write), then the groups, then whatever
  // carries a run's INVOCATION_ID (what left its group or session).
  if (g_cgroup_kill[0] != '\0') {
    const int fd = ::open(g_cgroup_kill, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, "1", 1);
      (void)ignored;
      ::close(fd);
    }
  }
  const char* ids[kMaxGroups];
  int marked = 0;
  for (int i = 0; i < count; ++i) {
    ::kill(-runs[i].pgid, SIGKILL);
    if (runs[i].invocation_id[0] != '\0') ids[marked++] = runs[i].invocation_id;
  }
  kill_marked_processes(ids, marked, ::getpid(), 10);
  if (g_cgroup_kill[0] != '\0') remove_cgroups(g_cgroup_kill);
  ::_exit(0);
}

}  // namespace

Guardian& Guardian::instance() {
  static Guardian g;
  return g;
}

Status Guardian::ensure_started() {
  if (write_fd_ >= 0) return Status::ok();
  std::snprintf(g_cgroup_kill, sizeof g_cgroup_kill, "%s", cgroup_kill_.c_str());
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
  note_own_child(pid);  // reaped by replace(), never by the orphan reaper
  pid_ = pid;
  write_fd_ = fds[1];
  // Never block the loop on a guardian that is stopped (SIGSTOP): a full pipe is a failure,
  // and the guardian is replaced.
  ::fcntl(write_fd_, F_SETFL, ::fcntl(write_fd_, F_GETFL) | O_NONBLOCK);
  log_event(LogLevel::kDebug, "guardian_started", {{"pid", pid}});
  return Status::ok();
}

Status Guardian::send(int op, pid_t pgid, const std::string& invocation_id) {
  Command c{op, pgid, {}};
  std::snprintf(c.invocation_id, sizeof c.invocation_id, "%s", invocation_id.c_str());
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
  // Killed before its pipe is closed: a guardian that is alive but stuck would otherwise read
  // EOF and kill every service of a hale that is still running.
  if (pid_ > 0) {  // dead, or stuck: make sure it is gone, and reap it (no zombie)
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    forget_own_child(pid_);
  }
  ::close(write_fd_);
  write_fd_ = -1;
  pid_ = -1;
  if (Status s = ensure_started(); !s) return s;
  for (const auto& [g, id] : watched_) {
    if (Status s = send(+1, g, id); !s) return s;
  }
  return Status::ok();
}

Status Guardian::watch(pid_t pgid, const std::string& invocation_id) {
  if (Status s = ensure_started(); !s) return s;
  watched_[pgid] = invocation_id;
  if (send(+1, pgid, invocation_id)) return Status::ok();
  return replace();
}

void Guardian::forget(pid_t pgid) {
  watched_.erase(pgid);
  if (write_fd_ < 0) return;
  if (send(-1, pgid, "")) return;
  if (Status s = replace(); !s) log_event(LogLevel::kWarn, "guardian_unreachable", {{"message", s.message()}});
}

}  // namespace hale
