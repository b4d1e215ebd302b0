// The subcommands of the hale CLI, one file each (cmd_<verb>.cpp). Each returns the process
// exit code: 0 success, 1 unhealthy / runtime failure, 2 bad usage or bad configuration.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hale::cli {

int cmd_run(const std::string& config_path, const std::string& log_level);
int cmd_validate(const std::string& config_path);
// The degraded-mode matrix of a config (SPEC §7): text, markdown or json.
int cmd_matrix(const std::string& config_path, const std::string& format);
// --verify: a drill per dependency (or per --only NAME) against the running daemon; exit 0 when
// reality matches the matrix, 1 where it differs (cmd_matrix_verify.cpp).
int cmd_matrix_verify(const std::string& config_path, const std::vector<std::string>& only);
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
// The daemon's alerting (GET /api/v1/alerts): notifiers and the latest deliveries
// (cmd_alerts.cpp).
struct AlertsArgs {
  std::string config;
  std::string state;  // pending | sent | failed | silenced; empty: every state
  int limit = 20;     // deliveries shown, 1 to 1000
};
int cmd_alerts(const AlertsArgs& args);

// hale why NAME [--at TIME] (cmd_why.cpp): one incident's story from /api/v1/incidents.
struct WhyArgs {
  std::string config;
  std::string name;
  std::string at;    // empty: the latest incident
  std::string kind;  // empty: check, then service, then heartbeat
  bool json = false;
};
int cmd_why(const WhyArgs& args);

// hale silence add | list | rm (cmd_silence.cpp): the daemon's /api/v1/silences.
struct SilenceArgs {
  std::string config;
  std::vector<std::string> matchers;  // add: NAME=GLOB, NAME one of subject, kind, status, key
  std::string duration;               // add: --for
  std::string until;                  // add: --until (ISO 8601)
  std::string comment;                // add
  std::optional<std::string> author;  // add: unset: $USER, else the login name of the uid
  bool all = false;                   // list: the expired ones too
  std::string id;                     // rm: the id or a unique prefix of it
};
int cmd_silence_add(const SilenceArgs& args);
int cmd_silence_list(const SilenceArgs& args);
int cmd_silence_rm(const SilenceArgs& args);

// hale drill run NAME | list (cmd_drill.cpp): the daemon's drills (SPEC §7). run exits 0 when
// every expectation held, 1 when one did not, 2 for a drill the daemon does not know.
int cmd_drill_run(const std::string& config_path, const std::string& name);
int cmd_drill_list(const std::string& config_path);

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
