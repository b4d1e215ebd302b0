// The subcommands of the hale CLI, one file each (cmd_<verb>.cpp). Each returns the process
// exit code: 0 success, 1 unhealthy / runtime failure, 2 bad usage or bad configuration.
#pragma once

#include <string>
#include <vector>

namespace hale::cli {

int cmd_run(const std::string& config_path, const std::string& log_level);
int cmd_validate(const std::string& config_path);
int cmd_probe(const std::string& target, const std::string& timeout);
int cmd_version();

// start / stop / restart: talk to the running daemon (cmd_service_action.cpp).
struct ServiceActionArgs {
  std::string action;  // "start", "stop" or "restart"
  std::string name;
  std::string config;
  std::string timeout = "30s";
  bool no_wait = false;
};
int cmd_service_action(const ServiceActionArgs& args);
// The daemon's /health as two tables, checks and services.
int cmd_status(const std::string& config_path);
// A service's output from state_dir/logs, read directly (no daemon needed).
int cmd_logs(const std::string& config_path, const std::string& name, int lines, bool follow);

// A cron job wrapped with its heartbeat's pings (cmd_exec.cpp). Exits with the job's exit code
// (128 + N when signal N killed it, 127 / 126 when it could not be run), 2 for bad usage.
struct ExecArgs {
  std::string heartbeat;
  std::string url;                   // empty: $HALE_URL, else http://127.0.0.1:8099
  std::vector<std::string> command;  // argv, no shell
};
int cmd_exec(const ExecArgs& args);

}  // namespace hale::cli
