// ChildRegistry: the processes hale started itself (service runs, exec checks and notifiers, the
// guardian), each waited for by its owner on a pidfd. When hale adopts orphans (a child subreaper,
// or PID 1 in a container), the OrphanReaper reaps only children that are not in here, so it
// never steals an exit status an owner is waiting for (SPEC §4).
// Thread-safety: every function may be called from any thread.
#pragma once

#include <sys/types.h>

namespace hale {

// `pid` was just started by hale: its owner will reap it.
void note_own_child(pid_t pid);
// Its owner reaped it (or gave up on it).
void forget_own_child(pid_t pid);
bool is_own_child(pid_t pid);

}  // namespace hale
