// Guardian: makes everything a service started die with hale, even on SIGKILL of hale (SPEC §4:
// no orphans). PR_SET_PDEATHSIG reaches only a service's main process; what that process started
// would be orphaned and live on. So hale forks one small guardian process that holds the read end
// of a pipe and the list of what hale has running: each run's process group and its
// INVOCATION_ID. When hale dies, however it dies, the kernel closes the write end; the guardian
// reads EOF and kills it all: the cgroup of hale's services (cgroup mode: one write to
// hale.<pid>/cgroup.kill), every listed process group, and every process carrying a listed
// INVOCATION_ID (subreaper mode: what left the group or the session), then exits.
//
// The guardian is a fork of hale made on first use; between fork and exit it makes
// async-signal-safe calls only (read, open, write, getdents64, kill, _exit), on memory allocated
// before the fork. It sits in a session of its own (so a SIGKILL of hale's process group does not
// take it along) and ignores SIGINT/SIGTERM/SIGHUP (a Ctrl-C in hale's terminal is for hale to
// handle).
// Thread-safety: call from the loop thread only.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "hale/status.h"

namespace hale {

class Guardian {
 public:
  // The process-wide guardian, started on first use.
  static Guardian& instance();

  // cgroup mode: the cgroup.kill file that ends every service's cgroup. Before the first watch().
  void set_cgroup_kill_file(std::string path) { cgroup_kill_ = std::move(path); }

  // Adds a run (its process group and INVOCATION_ID, "" for none) to kill if hale dies / removes
  // it once hale has killed and reaped it.
  Status watch(pid_t pgid, const std::string& invocation_id = "");
  void forget(pid_t pgid);

  // The guardian's pid (-1 before the first watch()), for tests and logs.
  pid_t pid() const { return pid_; }

 private:
  Guardian() = default;
  Status ensure_started();
  Status send(int op, pid_t pgid, const std::string& invocation_id);
  // The guardian died (someone killed it): reap it, start a new one, tell it every group.
  Status replace();

  pid_t pid_ = -1;
  int write_fd_ = -1;
  std::map<pid_t, std::string> watched_;  // what the guardian is told, to tell a replacement
  std::string cgroup_kill_;
};

}  // namespace hale
