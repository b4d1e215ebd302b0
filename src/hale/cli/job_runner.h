// run_job: the command `hale exec` wraps, run as a shell would run it (argv, execvp's PATH
// search, no shell added) with hale exec out of the way: its stdout to our stdout and its
// stderr to our stderr as each chunk arrives, stdin, the process group, the environment and the
// open descriptors inherited. On the way, the last kMaxPingBody bytes of both streams are kept
// in arrival order for the exit-code ping.
//
// Signals: SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to hale exec are passed on to the job
// (Ctrl-C, a cron or systemd timeout), and hale exec keeps waiting for it. A SIGINT or SIGQUIT
// from the terminal's keyboard is not: the job, in the same foreground process group, already
// got it, and a second Ctrl-C would make some programs give up their clean-up. A signal that
// was ignored when hale exec started (nohup) stays ignored, for hale exec and for the job.
//
// Not thread-safe: it installs process-wide signal handlers for its duration (one run at a time).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace hale::cli {

struct JobOutcome {
  bool started = false;  // false: the command could not be run (see error)
  int exit_code = 0;     // the job's, 128 + N when signal N killed it; 127 / 126 when not started
  std::string output;    // the tail of stdout + stderr; empty when not started
  std::string error;     // when not started: "cannot run CMD: No such file or directory"
};

// After the job exits, what is left in its pipes is read for at most this long: a background
// process it started may hold them open for hours, and hale exec must not wait for that.
inline constexpr std::chrono::milliseconds kDrainAfterExit{1000};

// Runs argv (argv[0] searched in PATH when it has no '/') to its end. Never throws.
JobOutcome run_job(const std::vector<std::string>& argv);

}  // namespace hale::cli
