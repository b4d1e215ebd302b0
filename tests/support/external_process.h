// ExternalProcess: a program other than hale (Debian's prometheus-alertmanager, a Python SMTP
// sink) run in the background by a test, with its stdout and stderr captured to files that
// the test reads while it runs. Killed (SIGKILL, this pid only) when it goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace hale::testing {

class ExternalProcess {
 public:
  // Starts argv[0] (a path, not looked up in PATH) with the test's environment plus `env`.
  explicit ExternalProcess(std::vector<std::string> argv,
                           std::vector<std::pair<std::string, std::string>> env = {});
  ~ExternalProcess();
  ExternalProcess(const ExternalProcess&) = delete;
  ExternalProcess& operator=(const ExternalProcess&) = delete;

  std::string out() const;
  std::string err() const;
  // Waits (bounded) until stdout or stderr contains `needle`.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds within = std::chrono::seconds(10)) const;
  // Still running (not exited, not reaped).
  bool running();
  // Sends `sig` and waits (bounded) for the exit; the exit code (128 + signal when killed).
  std::optional<int> stop(int sig, std::chrono::milliseconds within = std::chrono::seconds(5));
  pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace hale::testing
