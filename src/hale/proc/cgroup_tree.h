// Removing a tree of cgroups (rmdir from the leaves up). A cgroup with a process in it cannot be
// removed, so this is retried while killed processes are still on their way out.
//
// Async-signal-safe (raw getdents64, openat, unlinkat, nanosleep; no allocation): the guardian,
// a fork of a threaded hale, calls it after hale died.
#pragma once

namespace hale {

// Removes `dir` and every cgroup below it, trying up to `attempts` times 10 ms apart. True when
// `dir` is gone.
bool remove_cgroup_tree(const char* dir, int attempts);

}  // namespace hale
