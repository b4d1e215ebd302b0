// hale exec's exit code, as a shell reports a job's: a table.
#include "hale/heartbeat/job_exit.h"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(JobExitCode, FromWaitStatus) {
  struct Case {
    int status;
    int code;
  };
  for (const Case c : {Case{W_EXITCODE(0, 0), 0}, Case{W_EXITCODE(3, 0), 3}, Case{W_EXITCODE(255, 0), 255},
                       Case{W_EXITCODE(0, SIGTERM), 143}, Case{W_EXITCODE(0, SIGKILL), 137},
                       Case{W_EXITCODE(0, SIGINT), 130}, Case{W_EXITCODE(0, SIGSEGV) | 0x80, 139},  // core dumped
                       Case{W_STOPCODE(SIGSTOP), 1}}) {
    EXPECT_EQ(job_exit_code(c.status), c.code) << "status " << c.status;
  }
}

TEST(JobExitCode, ExecErrorsAsAShellReportsThem) {
  EXPECT_EQ(exec_error_exit_code(ENOENT), 127);   // command not found
  EXPECT_EQ(exec_error_exit_code(ENOTDIR), 127);  // a path through a file
  EXPECT_EQ(exec_error_exit_code(EACCES), 126);   // found, not executable
  EXPECT_EQ(exec_error_exit_code(ENOEXEC), 126);  // not a binary, no #!
  EXPECT_EQ(exec_error_exit_code(E2BIG), 126);
}

}  // namespace
}  // namespace hale
