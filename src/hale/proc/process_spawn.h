// spawn_in_group: starts a command (argv, no shell) in its own process group with its
// stdout+stderr on a pipe and a pidfd to learn of its exit without a SIGCHLD handler.
// The caller owns the result's descriptors and must reap the pid (waitpid on that pid only:
// nobody in hale may call waitpid(-1), or it would steal these children).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "hale/status.h"

namespace hale {

struct SpawnedProcess {
  pid_t pid = -1;      // also the process group id: kill(-pid, sig) reaches the whole group
  int output_fd = -1;  // read end of the stdout+stderr pipe: non-blocking, close-on-exec
  int pidfd = -1;      // readable once the process has exited; close-on-exec
};

// Runs argv[0] (searched in PATH when it has no '/') with default signal dispositions, an
// empty signal mask and no other inherited descriptors. Its stdin is /dev/null, or, when
// `input` is not empty, a pipe that holds `input` and then EOF (written whole before the
// spawn, so it must fit in a pipe: at most kMaxSpawnInput bytes).
// Error: "cannot run /path: No such file or directory" (the exec failure is reported by
// posix_spawn itself, so there is no child to reap then).
StatusOr<SpawnedProcess> spawn_in_group(const std::vector<std::string>& argv, std::string_view input = {});

// A pipe holds 64 KiB on Linux unless resized; what spawn_in_group writes must fit at once.
inline constexpr std::size_t kMaxSpawnInput = 60 * 1024;

}  // namespace hale
