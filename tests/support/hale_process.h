// HaleProcess: the real `hale` binary as a child process of a test, with its JSON log captured
// to a file, so integration tests see exactly what a user sees.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace hale::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t free_port();

// Runs `hale ARGS...` to completion (bounded by `timeout`), capturing stdout and stderr, with
// the test's environment plus `env` (NAME=value; an empty value stands for unset where hale
// treats it so).
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_hale(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30),
                       const std::vector<std::pair<std::string, std::string>>& env = {});

class HaleProcess {
 public:
  // Writes `config` to a temp dir as hale.toml. "{PORT}" in it is replaced by port().
  explicit HaleProcess(std::string config);
  ~HaleProcess();  // SIGKILL if still running

  // Starts `hale run -c hale.toml` and waits (bounded) until /livez answers. False on failure.
  bool start(std::chrono::milliseconds ready_within = std::chrono::seconds(10));
  // Starts `hale run -c hale.toml` and returns at once (for tests that watch the start-up itself).
  void launch();
  // Sets (or overrides) NAME=value in hale's environment; call before start()/launch().
  void set_env(std::string name, std::string value) { env_.emplace_back(std::move(name), std::move(value)); }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  const std::string& config_path() const { return config_path_; }
  const TempDir& dir() const { return dir_; }
  // Replaces the config file (for reload tests); "{PORT}" substituted as above.
  void rewrite_config(std::string config);

  void signal(int sig);
  // Waits (bounded) for the process to exit; its exit code, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds within = std::chrono::seconds(10));
  std::string log() const;
  // Waits (bounded) until the log contains `needle`.
  bool wait_for_log(const std::string& needle,
                    std::chrono::milliseconds within = std::chrono::seconds(10)) const;
  pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  std::uint16_t port_;
  std::string config_path_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::vector<std::pair<std::string, std::string>> env_;
};

// Polls `condition` every 10 ms until it holds or `within` passes.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    struct timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
  return condition();
}

}  // namespace hale::testing
