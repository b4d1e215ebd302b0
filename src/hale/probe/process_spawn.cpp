// Starts a child process in its own process group with posix_spawn (see process_spawn.h).
#include "hale/probe/process_spawn.h"
#include "hale/probe/spawn_setup.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace hale {

namespace {

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37), so call the kernel directly.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

StatusOr<SpawnedProcess> spawn_in_group(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) return Status::error("cannot run an empty command");

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Status::error("cannot run " + argv[0] + ": pipe: " + errno_text(errno));
  }
  int read_end = pipe_fds[0];
  int write_end = pipe_fds[1];
  ::fcntl(read_end, F_SETFL, ::fcntl(read_end, F_GETFL) | O_NONBLOCK);

  SpawnSetup s;
  // Own process group (pgid = pid), so that cancel can kill everything the command starts.
  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setflags(&s.attr, flags);
  posix_spawnattr_setpgroup(&s.attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&s.attr, &none);
  // Dispositions hale set to SIG_IGN (SIGPIPE, say) would otherwise survive exec.
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&s.attr, &all);

  // dup2 before the open of fd 0, in case the pipe itself got fd 0 (hale started with stdin
  // closed).
  posix_spawn_file_actions_adddup2(&s.actions, write_end, 1);
  posix_spawn_file_actions_adddup2(&s.actions, write_end, 2);
  posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  // libcurl's sockets and other libraries' descriptors may lack O_CLOEXEC: close them all.
  posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  int err = ::posix_spawnp(&pid, args[0], &s.actions, &s.attr, args.data(), environ);
  ::close(write_end);
  if (err != 0) {
    ::close(read_end);
    return Status::error("cannot run " + argv[0] + ": " + errno_text(err));
  }

  int pidfd = open_pidfd(pid);
  if (pidfd < 0) {
    // Without a pidfd there is no way to wait on the loop: stop the child and reap it now
    // (SIGKILL makes the wait short).
    int saved = errno;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(read_end);
    return Status::error("cannot run " + argv[0] + ": pidfd_open: " + errno_text(saved));
  }
  return SpawnedProcess{pid, read_end, pidfd};
}

}  // namespace hale
