// fork_into_cgroup: fork(), but the child is born in a given cgroup (clone3 with
// CLONE_INTO_CGROUP, Linux 5.7). Moving a process into a cgroup after fork takes the kernel's
// cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period: about 8 ms per move
// on these machines, where a whole restart takes under 2 ms. Being born there takes it for
// reading only (0.3 ms).
//
// The child of a raw clone3 is unknown to glibc and to the sanitizers (their fork handlers do not
// run): until execve it may make raw system calls only (::syscall), no libc wrapper that a
// sanitizer intercepts, no allocation.
#pragma once

#include <sys/types.h>

namespace hale {

// As fork(): the child's pid in the parent, 0 in the child, -1 with errno on failure.
// `cgroup_dir_fd` < 0: the child stays in hale's cgroup. Every signal is blocked around the
// clone, so none of hale's handlers can run in the child (they would touch hale's pipes and
// call intercepted libc): the child starts with all signals blocked, to unblock once it has reset
// the dispositions; the parent's mask is restored before this returns.
pid_t fork_into_cgroup(int cgroup_dir_fd);

}  // namespace hale
