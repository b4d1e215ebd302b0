// Guardian: makes every service's whole process group die with hale, even on SIGKILL of hale
// (SPEC §4: no orphans). PR_SET_PDEATHSIG reaches only a service's main process; what that
// process started (its own children, in the same group) would be orphaned and live on. So
// hale forks one small guardian process that holds the read end of a pipe and the list of
// process groups hale has running. When hale dies, however it dies, the kernel closes the write
// end; the guardian reads EOF, SIGKILLs every group on its list and exits.
//
// The guardian is a fork of hale made on first use; between fork and exit it makes
// async-signal-safe calls only (read, kill, _exit), on memory allocated before the fork. It
// sits in a session of its own (so a SIGKILL of hale's process group does not take it along)
// and ignores SIGINT/SIGTERM/SIGHUP (a Ctrl-C in hale's terminal is for hale to handle).
// Thread-safety: call from the loop thread only.
#pragma once

#include <sys/types.h>

#include <set>

#include "hale/status.h"

namespace hale {

class Guardian {
 public:
  // The process-wide guardian, started on first use.
  static Guardian& instance();

  // Adds a process group to kill if hale dies / removes it once hale has killed and reaped it.
  Status watch(pid_t pgid);
  void forget(pid_t pgid);

  // The guardian's pid (-1 before the first watch()), for tests and logs.
  pid_t pid() const { return pid_; }

 private:
  Guardian() = default;
  Status ensure_started();
  Status send(int op, pid_t pgid);
  // The guardian died (someone killed it): reap it, start a new one, tell it every group.
  Status replace();

  pid_t pid_ = -1;
  int write_fd_ = -1;
  std::set<pid_t> watched_;  // what the guardian is told, to tell a replacement
};

}  // namespace hale
