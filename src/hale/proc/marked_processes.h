// Processes found by a marker in their environment: every run of a service carries
// INVOCATION_ID=<32 hex digits> (systemd's name for it), and what the run starts inherits it, even
// a descendant that left the process group and the session. In subreaper mode that is how hale
// finds a run's leftovers to kill them (SPEC §4: no descendant escapes), both in hale and in the
// guardian after hale died.
//
// Async-signal-safe: only system calls and the caller's or the stack's memory (no malloc, no
// stdio), so the guardian, a fork of a threaded hale, may call them.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace hale {

inline constexpr char kInvocationVar[] = "INVOCATION_ID=";
inline constexpr std::size_t kInvocationIdLength = 32;

// The INVOCATION_ID of process `pid` (its environment as exec'd, /proc/PID/environ) into `out`
// (kInvocationIdLength + 1 bytes, NUL-terminated). False when it has none, is gone, or cannot be
// read.
bool invocation_id_of(pid_t pid, char* out);

// SIGKILLs every process (but `self`) whose INVOCATION_ID is one of `ids[0..count)`, in passes
// until a pass finds none (what was forked meanwhile is caught by the next), at most
// `max_passes`. Returns how many kill()s were sent.
int kill_marked_processes(const char* const* ids, int count, pid_t self, int max_passes);

}  // namespace hale
