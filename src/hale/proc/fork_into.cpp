// fork() into a cgroup through clone3 (see fork_into.h).
#include "hale/proc/fork_into.h"

#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace hale {

namespace {

pid_t clone_child(int cgroup_dir_fd) {
  clone_args args{};
  args.exit_signal = SIGCHLD;
  if (cgroup_dir_fd >= 0) {
    args.flags = CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(cgroup_dir_fd);
  }
  const long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS && cgroup_dir_fd < 0) {
    // A kernel before 5.3: the same as clone3 without flags. The child still makes raw calls only.
    return static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
  }
  return static_cast<pid_t>(pid);
}

}  // namespace

pid_t fork_into_cgroup(int cgroup_dir_fd) {
  sigset_t all, before;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t pid = clone_child(cgroup_dir_fd);
  if (pid == 0) return 0;  // the child: still blocked, it unblocks after resetting dispositions
  const int saved = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  errno = saved;
  return pid;
}

}  // namespace hale
