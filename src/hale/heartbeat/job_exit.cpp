// Wait status and exec errno -> a shell's exit code (see job_exit.h).
#include "hale/heartbeat/job_exit.h"

#include <sys/wait.h>

#include <cerrno>

namespace hale {

int job_exit_code(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

int exec_error_exit_code(int err) { return err == ENOENT || err == ENOTDIR ? 127 : 126; }

}  // namespace hale
