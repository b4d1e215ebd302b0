// hale's command line: parses the subcommand with CLI11 and hands over to cmd_<verb>.cpp.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <utility>
#include <vector>

#include "hale/cli/commands.h"

namespace {

std::string default_config() {
  const char* env = std::getenv("HALE_CONFIG");
  return env && *env ? env : "hale.toml";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hale keeps watch over services: it probes them and their dependencies and answers\n"
      "/livez, /readyz, /health and /metrics truthfully.\n\n"
      "Examples:\n"
      "  hale run -c hale.toml           run the daemon\n"
      "  hale validate -c hale.toml      check a config file without running it\n"
      "  hale probe http://127.0.0.1:8080/readyz   one probe, exit 0 healthy / 1 not\n"
      "  hale status -c hale.toml        the running daemon's checks and services\n"
      "  hale restart api                restart service api, wait until it is up\n"
      "  hale stop api --no-wait         ask for a stop, do not wait for it\n"
      "  hale logs api -f -n 100         a service's last 100 lines, then follow\n"
      "  hale exec --heartbeat backup -- /usr/local/bin/backup.sh   a cron job, reported to hale\n",
      "hale"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] {
    hale::cli::cmd_version();
    std::exit(0);
    return std::string();
  });

  std::string config = default_config();
  std::string log_level = "info";
  auto* run = app.add_subcommand("run", "Run the daemon: probe every check, serve the endpoints");
  run->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  run->add_option("--log-level", log_level, "debug | info | warn | error")->capture_default_str();

  auto* validate = app.add_subcommand("validate", "Check a config file; print its errors or a summary");
  validate->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");

  std::string target, timeout = "5s";
  auto* probe = app.add_subcommand(
      "probe", "Probe one URL or host:port once; exit 0 healthy, 1 not (a Docker HEALTHCHECK)");
  probe->add_option("target", target, "http(s)://URL or host:port")->required();
  probe->add_option("--timeout", timeout, "Give up after this long")->capture_default_str();

  auto* ver = app.add_subcommand("version", "Print the version");

  // start / stop / restart share their options: only one subcommand is ever parsed.
  hale::cli::ServiceActionArgs action;
  std::vector<std::pair<CLI::App*, const char*>> actions;
  for (const auto& [verb, help] :
       {std::pair{"start", "Start a service in the running daemon; wait until it is up"},
        std::pair{"stop", "Stop a service in the running daemon; wait until it is down"},
        std::pair{"restart", "Restart a service in the running daemon; wait until it is up again"}}) {
    auto* sub = app.add_subcommand(verb, help);
    sub->add_option("name", action.name, "Service name")->required();
    sub->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
    sub->add_flag("--no-wait", action.no_wait, "Return once the daemon has accepted the request");
    sub->add_option("--timeout", action.timeout, "Give up waiting after this long")->capture_default_str();
    actions.emplace_back(sub, verb);
  }

  auto* status = app.add_subcommand("status", "Show the running daemon's checks and services; exit 1 when it fails");
  status->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");

  std::string log_name;
  int log_lines = 50;
  bool log_follow = false;
  auto* logs = app.add_subcommand("logs", "Print a service's output from state_dir/logs (no daemon needed)");
  logs->add_option("name", log_name, "Service name")->required();
  logs->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  logs->add_option("-n,--lines", log_lines, "Print the last N lines")->capture_default_str()->check(
      CLI::NonNegativeNumber);
  logs->add_flag("-f,--follow", log_follow, "Keep printing what is appended, through rotations");

  hale::cli::ExecArgs exec_args;
  auto* exec = app.add_subcommand(
      "exec", "Run a job (cron) and report its start, exit code and output to a heartbeat; exit with its code");
  exec->add_option("--heartbeat", exec_args.heartbeat, "The heartbeat's name ([heartbeats.NAME])")->required();
  exec->add_option("--url", exec_args.url, "hale's base URL (default: $HALE_URL or http://127.0.0.1:8099)");
  exec->add_option("command", exec_args.command, "The command and its arguments, after --")->required();
  exec->footer("The ping token, if the heartbeat has one, comes from $HALE_PING_TOKEN (never from argv).\n"
               "Example (crontab): 0 3 * * * hale exec --heartbeat backup -- /usr/local/bin/backup.sh");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*run) return hale::cli::cmd_run(config, log_level);
  if (*validate) return hale::cli::cmd_validate(config);
  if (*probe) return hale::cli::cmd_probe(target, timeout);
  if (*ver) return hale::cli::cmd_version();
  for (const auto& [sub, verb] : actions) {
    if (*sub) {
      action.action = verb;
      action.config = config;
      return hale::cli::cmd_service_action(action);
    }
  }
  if (*status) return hale::cli::cmd_status(config);
  if (*logs) return hale::cli::cmd_logs(config, log_name, log_lines, log_follow);
  if (*exec) return hale::cli::cmd_exec(exec_args);
  return 2;
}
