// HaleChild: `hale ARGS...` running in the background (e.g. `hale logs -f`), its stdout and
// stderr captured to files that the test reads while it runs. Killed when it goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace hale::testing {

class HaleChild {
 public:
  explicit HaleChild(const std::vector<std::string>& args);
  ~HaleChild();  // SIGKILL if still running
  HaleChild(const HaleChild&) = delete;
  HaleChild& operator=(const HaleChild&) = delete;

  std::string out() const;
  std::string err() const;
  // Waits (bounded) until stdout contains `needle`.
  bool wait_for_out(const std::string& needle, std::chrono::milliseconds within = std::chrono::seconds(10)) const;
  // Sends `sig` and waits (bounded) for the exit; the exit code (128 + signal when killed).
  std::optional<int> stop(int sig, std::chrono::milliseconds within = std::chrono::seconds(5));
  // Waits (bounded) for it to exit on its own; its exit code, or nullopt (still running) on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds within = std::chrono::seconds(10));
  pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
};

}  // namespace hale::testing
