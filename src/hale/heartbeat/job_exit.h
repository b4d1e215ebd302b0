// The exit code of a job run by `hale exec`, as a shell would report it: the code it exited
// with, 128 + N when signal N killed it, 127 when the command was not found and 126 when it was
// found but could not be run. `hale exec` exits with it and sends it as /ping/NAME/<code>.
#pragma once

namespace hale {

// A waitpid() status (exited or killed) -> 0-255. A status that is neither (stopped) is 1.
int job_exit_code(int wait_status);

// An errno from exec (posix_spawnp) -> 127 for "not found" (ENOENT, ENOTDIR), 126 for anything
// else (EACCES, ENOEXEC, E2BIG, ...), as bash and POSIX sh do.
int exec_error_exit_code(int err);

}  // namespace hale
