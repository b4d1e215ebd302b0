// Starts a child process in its own process group with posix_spawn (see process_spawn.h).
#include "hale/proc/process_spawn.h"

#include "hale/proc/spawn_setup.h"
#include "hale/proc/child_registry.h"

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

// A pipe whose read end holds `input` and then EOF: the child's stdin.
StatusOr<int> input_pipe(const std::string& program, std::string_view input) {
  if (input.size() > kMaxSpawnInput) return Status::error("cannot run " + program + ": its input is too large");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::error("cannot run " + program + ": pipe: " + errno_text(errno));
  }
  const ssize_t n = ::write(fds[1], input.data(), input.size());
  const int err = errno;
  ::close(fds[1]);
  if (n != static_cast<ssize_t>(input.size())) {
    ::close(fds[0]);
    return Status::error("cannot run " + program + ": writing its input: " + errno_text(n < 0 ? err : EAGAIN));
  }
  // The child reads it blocking, as a program expects its stdin.
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) & ~O_NONBLOCK);
  // Above 2, so that the dup2s onto 0, 1 and 2 in the child cannot overwrite it (hale may
  // have been started with a standard descriptor closed).
  if (fds[0] <= 2) {
    const int moved = ::fcntl(fds[0], F_DUPFD_CLOEXEC, 3);
    ::close(fds[0]);
    if (moved < 0) return Status::error("cannot run " + program + ": " + errno_text(errno));
    fds[0] = moved;
  }
  return fds[0];
}

}  // namespace

StatusOr<SpawnedProcess> spawn_in_group(const std::vector<std::string>& argv, std::string_view input) {
  if (argv.empty() || argv[0].empty()) return Status::error("cannot run an empty command");
  int stdin_fd = -1;
  if (!input.empty()) {
    auto in = input_pipe(argv[0], input);
    if (!in) return in.status();
    stdin_fd = *in;
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    const int err = errno;
    if (stdin_fd >= 0) ::close(stdin_fd);
    return Status::error("cannot run " + argv[0] + ": pipe: " + errno_text(err));
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
  // closed). The input pipe, if any, is above 2 (see input_pipe()).
  posix_spawn_file_actions_adddup2(&s.actions, write_end, 1);
  posix_spawn_file_actions_adddup2(&s.actions, write_end, 2);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&s.actions, stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  }
  // libcurl's sockets and other libraries' descriptors may lack O_CLOEXEC: close them all.
  posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  int err = ::posix_spawnp(&pid, args[0], &s.actions, &s.attr, args.data(), environ);
  ::close(write_end);
  if (stdin_fd >= 0) ::close(stdin_fd);
  if (err != 0) {
    ::close(read_end);
    return Status::error("cannot run " + argv[0] + ": " + errno_text(err));
  }

  note_own_child(pid);  // reaped by its owner (CommandRun), never by the orphan reaper
  int pidfd = open_pidfd(pid);
  if (pidfd < 0) {
    // Without a pidfd there is no way to wait on the loop: stop the child and reap it now
    // (SIGKILL makes the wait short).
    int saved = errno;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    forget_own_child(pid);
    ::close(read_end);
    return Status::error("cannot run " + argv[0] + ": pidfd_open: " + errno_text(saved));
  }
  return SpawnedProcess{pid, read_end, pidfd};
}

}  // namespace hale
