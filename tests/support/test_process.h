// TestProcess: the tests' one way to run a child program (hale, hale_test_child, Debian's
// Alertmanager, a Python SMTP sink, an installed example): fork/exec of argv with the test's
// environment plus overrides, in a given directory, stdin from /dev/null, stdout and stderr
// captured to files that the test reads while it runs; bounded waits, signals, and SIGKILL when
// it goes away, so that no test leaves a process behind. HaleProcess (hale_process.h) is the
// hale-specific layer on top.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace hale::testing {

struct ProcessOptions {
  // NAME=value set in the child over the test's own environment (replacing that name).
  std::vector<std::pair<std::string, std::string>> env;
  // The child's working directory; empty: the test's.
  std::string cwd;
  // The child leads a process group of its own, as hale's supervisor runs services: the final
  // SIGKILL then goes to the group, so its own children die with it.
  bool own_group = false;
};

class TestProcess {
 public:
  // Starts argv[0] (a path, not looked up in PATH). Throws when fork() fails; an exec that
  // fails is exit code 127.
  explicit TestProcess(std::vector<std::string> argv, ProcessOptions options = {});
  ~TestProcess();  // SIGKILL (to the group with own_group) if still running, then reaped
  TestProcess(const TestProcess&) = delete;
  TestProcess& operator=(const TestProcess&) = delete;

  // The child's pid; -1 once it has been reaped (a pid that may be reused is never signalled).
  pid_t pid() const { return pid_; }
  std::string out() const;
  std::string err() const;
  // Waits (bounded) until stdout contains `needle`.
  bool wait_for_out(const std::string& needle, std::chrono::milliseconds within = std::chrono::seconds(10)) const;
  // Waits (bounded) until stdout or stderr contains `needle`.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds within = std::chrono::seconds(10)) const;

  // Still running (not exited); reaps it when it has exited.
  bool running();
  // Waits (bounded) for it to exit; its exit code (128 + signal when killed), or nullopt while
  // it still runs after `within`. Once reaped, the code it exited with.
  std::optional<int> wait_exit(std::chrono::milliseconds within = std::chrono::seconds(10));
  // Sends `sig` to the process (not its group); nothing once it has been reaped.
  void signal(int sig);
  // signal(sig) and wait_exit(within); SIGKILL when `sig` did not end it in time.
  std::optional<int> stop(int sig, std::chrono::milliseconds within = std::chrono::seconds(5));

 private:
  TempDir dir_;
  std::string out_path_;
  std::string err_path_;
  bool own_group_ = false;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace hale::testing
