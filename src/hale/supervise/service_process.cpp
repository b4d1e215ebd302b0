// fork + exec of a service run (see service_process.h). Everything the child needs is prepared
// before fork(); between fork() and exec() the child only makes async-signal-safe system calls.
#include "hale/supervise/service_process.h"

#include "hale/proc/child_registry.h"
#include "hale/proc/fork_into.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace hale {

namespace {

// Stages the child reports when it cannot go on; the parent turns them into the error text.
enum ChildStage : int { kStageChdir = 1, kStageGroups, kStageGid, kStageUid, kStageExec, kStageIo, kStageCgroup };

struct ChildError {
  int stage;
  int err;
};

// ---- the child's system calls ----
// The child is made by a raw clone3 (proc/fork_into.h), which glibc and the sanitizers do not see:
// from there to execve it calls the kernel directly.

[[noreturn]] void child_exit(int code) {
  ::syscall(SYS_exit_group, code);
  __builtin_unreachable();
}

[[noreturn]] void child_fail(int fd, int stage) {
  ChildError e{stage, errno};
  ::syscall(SYS_write, fd, &e, sizeof e);
  child_exit(127);
}

// The kernel's struct sigaction (not glibc's, whose mask is 128 bytes).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  std::uint64_t mask;
};

// Every disposition back to the default and nothing blocked: what hale set (SIGPIPE ignored)
// would survive exec.
void reset_signals() {
  KernelSigaction dfl{};
  dfl.handler = SIG_DFL;
  for (int sig = 1; sig <= 64; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof dfl.mask);
  }
  const std::uint64_t none = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof none);
}

// dup2 by dup3 (aarch64 has no dup2); dup3 refuses from == to, where only close-on-exec must go.
bool dup_onto(int from, int to) {
  if (from == to) return ::syscall(SYS_fcntl, to, F_SETFD, 0) == 0;
  return ::syscall(SYS_dup3, from, to, 0) == to;
}

// Writes `value` in decimal over the digits of "WATCHDOG_PID=" + 10 spaces (async-signal-safe).
void fill_pid(char* digits, pid_t value) {
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 15);
  for (int i = 0; i < n; ++i) digits[i] = tmp[n - 1 - i];
  digits[n] = '\0';
}

struct UserIds {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
  std::string home;
};

StatusOr<UserIds> look_up_user(const std::string& name) {
  std::vector<char> buf(16 * 1024);
  passwd pw{};
  passwd* found = nullptr;
  int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) return Status::error("user \"" + name + "\" does not exist");
  UserIds ids{pw.pw_uid, pw.pw_gid, {}, pw.pw_dir ? pw.pw_dir : "/"};
  int n = 64;
  ids.groups.resize(n);
  if (::getgrouplist(name.c_str(), pw.pw_gid, ids.groups.data(), &n) < 0) {
    ids.groups.resize(n);
    ::getgrouplist(name.c_str(), pw.pw_gid, ids.groups.data(), &n);
  }
  ids.groups.resize(n);
  return ids;
}

std::string stage_text(int stage, const ServiceLaunch& l) {
  switch (stage) {
    case kStageChdir: return "cannot chdir to " + l.cwd;
    case kStageGroups:
    case kStageGid:
    case kStageUid: return "cannot switch to user " + l.user;
    case kStageExec: return "cannot run " + l.argv[0];
    case kStageCgroup: return "cannot join the service's cgroup";
    default: return "cannot set up " + l.argv[0];
  }
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

std::optional<std::string> find_in_path(const std::string& program, const std::string& path_env) {
  if (program.find('/') != std::string::npos) return program;
  std::size_t start = 0;
  while (start <= path_env.size()) {
    std::size_t end = path_env.find(':', start);
    if (end == std::string::npos) end = path_env.size();
    std::string dir = path_env.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

StatusOr<ServiceProcess> spawn_service(const ServiceLaunch& launch) {
  if (launch.argv.empty() || launch.argv[0].empty()) return Status::error("cannot run an empty command");

  // Everything the child touches is built here, before fork().
  // The service's own PATH (from its `env`) when it has one, as execvp in the child would.
  const char* hale_path = std::getenv("PATH");
  std::string path_env = hale_path ? hale_path : "/usr/local/bin:/usr/bin:/bin";
  for (const auto& kv : launch.env) {
    if (kv.starts_with("PATH=")) path_env = kv.substr(5);
  }
  std::optional<std::string> program = find_in_path(launch.argv[0], path_env);
  if (!program) return Status::error("cannot run " + launch.argv[0] + ": not found in PATH");

  std::optional<UserIds> ids;
  std::vector<std::string> env = launch.env;
  if (!launch.user.empty()) {
    if (::geteuid() != 0) {
      return Status::error("cannot switch to user " + launch.user + ": hale is not running as root");
    }
    auto found = look_up_user(launch.user);
    if (!found) return found.status();
    ids = std::move(found).value();
    // What a login would set (as systemd does for User=).
    env.push_back("USER=" + launch.user);
    env.push_back("LOGNAME=" + launch.user);
    env.push_back("HOME=" + ids->home);
  }
  std::string watchdog_pid = "WATCHDOG_PID=" + std::string(12, ' ');
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  if (launch.add_watchdog_pid) envp.push_back(watchdog_pid.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& a : launch.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int out[2], err_pipe[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::error("cannot run " + launch.argv[0] + ": pipe: " + std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int saved = errno;
    ::close(out[0]);
    ::close(out[1]);
    return Status::error("cannot run " + launch.argv[0] + ": pipe: " + std::strerror(saved));
  }
  const pid_t parent = ::getpid();

  // Born in the service's cgroup when there is one (a move after fork costs milliseconds).
  pid_t pid = fork_into_cgroup(launch.cgroup_fd);
  if (pid < 0) {
    int saved = errno;
    for (int fd : {out[0], out[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    if (launch.cgroup_fd >= 0) {
      return Status::error(stage_text(kStageCgroup, launch) + ": clone3: " + std::strerror(saved));
    }
    return Status::error("cannot run " + launch.argv[0] + ": fork: " + std::strerror(saved));
  }
  if (pid == 0) {
    // ---- the child: raw system calls only ----
    const int report = err_pipe[1];
    ::syscall(SYS_setsid);
    reset_signals();
    const long devnull = ::syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
    if (devnull < 0 || !dup_onto(static_cast<int>(devnull), 0) || !dup_onto(out[1], 1) || !dup_onto(out[1], 2)) {
      child_fail(report, kStageIo);
    }
    // Every other descriptor closes at exec (the report pipe must live until then).
    if (::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < 65536; ++fd) {
        if (fd != report) ::syscall(SYS_close, fd);
      }
    }
    if (!launch.cwd.empty() && ::syscall(SYS_chdir, launch.cwd.c_str()) != 0) child_fail(report, kStageChdir);
    if (ids) {
      // The kernel's calls act on this one thread, which is the whole process here (glibc's
      // wrappers would broadcast to threads the child does not have).
      if (::syscall(SYS_setgroups, ids->groups.size(), ids->groups.data()) != 0) child_fail(report, kStageGroups);
      if (::syscall(SYS_setgid, ids->gid) != 0) child_fail(report, kStageGid);
      if (::syscall(SYS_setuid, ids->uid) != 0) child_fail(report, kStageUid);
    }
    // After setuid (which clears it). SIGKILL when the thread that forked us (hale's loop)
    // dies; if hale died before this line, go now. The guardian (guardian.h) covers the rest.
    ::syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::syscall(SYS_getppid) != parent) child_exit(127);
    if (launch.add_watchdog_pid) fill_pid(watchdog_pid.data() + 13, static_cast<pid_t>(::syscall(SYS_getpid)));
    ::syscall(SYS_execve, program->c_str(), argv.data(), envp.data());
    child_fail(report, kStageExec);
  }

  // ---- the parent ----
  note_own_child(pid);  // reaped by its runner through a pidfd, never by the orphan reaper
  ::close(out[1]);
  ::close(err_pipe[1]);
  ChildError child_error{};
  ssize_t n;
  do {
    n = ::read(err_pipe[0], &child_error, sizeof child_error);  // EOF once exec succeeded
  } while (n < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_error)) {
    ::waitpid(pid, nullptr, 0);  // it _exit()ed right after reporting
    forget_own_child(pid);
    ::close(out[0]);
    return Status::error(stage_text(child_error.stage, launch) + ": " + std::strerror(child_error.err));
  }
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  int pidfd = open_pidfd(pid);
  if (pidfd < 0) {
    int saved = errno;
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    forget_own_child(pid);
    ::close(out[0]);
    return Status::error("cannot run " + launch.argv[0] + ": pidfd_open: " + std::strerror(saved));
  }
  return ServiceProcess{pid, out[0], pidfd};
}

}  // namespace hale
