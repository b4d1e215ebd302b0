// spawn_service: starts one run of a supervised service (SPEC §4). Unlike an exec check
// (proc/process_spawn.h, posix_spawn) a service may switch user, needs PR_SET_PDEATHSIG, a
// session and maybe a cgroup of its own, none of which posix_spawn can do; so this clones (clone3,
// born in the service's cgroup: proc/fork_into.h) and execs, making only raw system calls in
// between (hale has threads: DNS lookups, libcurl, the store).
//
// The child: its own session and process group (setsid: pgid = pid, no controlling
// terminal), stdin /dev/null, stdout+stderr on a pipe to hale, default signal dispositions,
// empty signal mask, no inherited descriptors, SIGKILL when hale's loop thread dies.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "hale/status.h"

namespace hale {

struct ServiceLaunch {
  std::vector<std::string> argv;  // argv[0] searched in PATH when it has no '/'
  std::vector<std::string> env;   // the whole environment, "KEY=VALUE"
  std::string cwd;                // empty: hale's
  std::string user;               // empty: hale's; else switch to it (hale must be root)
  bool add_watchdog_pid = false;  // append WATCHDOG_PID=<the child's own pid> (sd_watchdog_enabled)
  int cgroup_fd = -1;             // >= 0: a cgroup directory the child is born in
};

struct ServiceProcess {
  pid_t pid = -1;      // also its process group (and session) id
  int output_fd = -1;  // read end of stdout+stderr: non-blocking, close-on-exec
  int pidfd = -1;      // readable once it has exited; close-on-exec
};

// Starts the run. An error says what failed and why, e.g. "cannot run ./api: No such file or
// directory", "cannot switch to user www-data: hale is not running as root",
// "cannot chdir to /srv/x: No such file or directory". The exec failure is learned from the
// child itself (through a close-on-exec pipe), so an error means there is nothing to reap.
StatusOr<ServiceProcess> spawn_service(const ServiceLaunch& launch);

// The absolute path `program` resolves to through PATH (as execvp would), or nullopt.
std::optional<std::string> find_in_path(const std::string& program, const std::string& path_env);

}  // namespace hale
