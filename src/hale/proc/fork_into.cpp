// fork() into a cgroup through clone3 (see fork_into.h).
#include "hale/proc/fork_into.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace hale {

pid_t fork_into_cgroup(int cgroup_dir_fd) {
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

}  // namespace hale
