// HaleProcess and run_hale: the real `hale` binary as a child process of a test (a TestProcess),
// with its JSON log captured, so integration tests see exactly what a user sees.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/eventually.h"
#include "support/free_port.h"
#include "support/temp_dir.h"
#include "support/test_process.h"

namespace hale::testing {

// The argv of `hale ARGS...`: the binary this build made, then `args`.
std::vector<std::string> hale_argv(const std::vector<std::string>& args);

// Runs `hale ARGS...` to completion (bounded by `timeout`, then SIGKILL), capturing stdout and
// stderr, with the test's environment plus `env` (NAME=value; an empty value stands for unset
// where hale treats it so).
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_hale(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30),
                       const std::vector<std::pair<std::string, std::string>>& env = {});

// `hale run` on a config of the test's: the config in a temp dir (which tests also use for
// other files), a free port for its listener, its log (stderr) readable while it runs.
class HaleProcess {
 public:
  // Writes `config` to a temp dir as hale.toml. "{PORT}" in it is replaced by port(), and
  // "{STATE_DIR}" by state_dir().
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
  // A directory of this process's own for its state_dir: kept across relaunches, so a hale
  // started again finds what the one before it wrote.
  std::string state_dir() const;
  // Replaces the config file (for reload tests); "{PORT}" and "{STATE_DIR}" substituted as above.
  void rewrite_config(std::string config);

  void signal(int sig);
  // Waits (bounded) for the process to exit; its exit code, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds within = std::chrono::seconds(10));
  // The log of the latest launch.
  std::string log() const;
  // Waits (bounded) until the log contains `needle`.
  bool wait_for_log(const std::string& needle,
                    std::chrono::milliseconds within = std::chrono::seconds(10)) const;
  // The running process's pid; -1 before launch() and once it has exited.
  pid_t pid() const { return process_ ? process_->pid() : -1; }

 private:
  std::string with_placeholders(std::string config) const;

  TempDir dir_;
  std::uint16_t port_;
  std::string config_path_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::optional<TestProcess> process_;
};

}  // namespace hale::testing
