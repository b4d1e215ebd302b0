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
      "  hale matrix -c hale.toml        what follows when each dependency is down\n"
      "  hale probe http://127.0.0.1:8080/readyz   one probe, exit 0 healthy / 1 not\n"
      "  hale status -c hale.toml        the running daemon's checks and services\n"
      "  hale restart api                restart service api, wait until it is up\n"
      "  hale stop api --no-wait         ask for a stop, do not wait for it\n"
      "  hale logs api -f -n 100         a service's last 100 lines, then follow\n"
      "  hale alerts --state failed      alert deliveries the receivers refused\n"
      "  hale silence add --match subject=db --for 2h --comment \"migration\"   mute db's alerts\n"
      "  hale drill run guard-down       rehearse a dependency going down; exit 0 if the plan held\n"
      "  hale why db --at -2h            the incident of check db two hours ago, in order\n"
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

  std::string matrix_format = "text";
  auto* matrix = app.add_subcommand("matrix", "Print what follows when each check or heartbeat is down (from the config)");
  matrix->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  matrix->add_option("--format", matrix_format, "text | markdown | json")->capture_default_str();
  bool matrix_verify = false;
  std::vector<std::string> matrix_only;
  matrix->add_flag("--verify", matrix_verify,
                   "Check it against the running daemon: a drill per dependency (each is forced to fail for a while)");
  matrix->add_option("--only", matrix_only, "With --verify: only these checks or heartbeats");

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

  hale::cli::AlertsArgs alerts_args;
  auto* alerts = app.add_subcommand(
      "alerts", "Show the running daemon's notifiers and latest alert deliveries (sent, pending, failed)");
  alerts->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  alerts->add_option("--state", alerts_args.state, "Only deliveries in this state")
      ->check(CLI::IsMember({"pending", "accepted", "sent", "failed", "silenced"}));
  alerts->add_option("-n,--limit", alerts_args.limit, "Show at most N deliveries (1 to 1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));

  hale::cli::WhyArgs why_args;
  auto* why = app.add_subcommand("why", "Tell the story of an incident: what failed, when it was seen, alerted, recovered");
  why->add_option("name", why_args.name, "The check, service or heartbeat")->required();
  why->add_option("--at", why_args.at,
                  "The incident open at this time (RFC 3339, unix seconds, or -DURATION before now); default: the latest");
  why->add_option("--kind", why_args.kind, "When a service and a check share the name")
      ->check(CLI::IsMember({"check", "service", "heartbeat"}));
  why->add_flag("--json", why_args.json, "Print the incident and its timeline as JSON");
  why->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  why->footer("Exit 0: an incident was found; 1: none (or no daemon answers); 2: no such name.");

  hale::cli::SilenceArgs silence_args;
  auto* silence = app.add_subcommand("silence", "Mute alerts in the running daemon for a while: add, list, rm");
  silence->require_subcommand(1);
  auto* silence_add = silence->add_subcommand("add", "Add a silence; print its id");
  silence_add->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  silence_add->add_option("--match", silence_args.matchers,
                          "NAME=GLOB, NAME one of subject, kind, status, key (repeatable: all must match)")
      ->required();
  auto* silence_for = silence_add->add_option("--for", silence_args.duration, "How long, from now (e.g. 2h)");
  auto* silence_until =
      silence_add->add_option("--until", silence_args.until, "Until this time (ISO 8601, e.g. 2026-04-18T20:00:00Z)");
  silence_for->excludes(silence_until);
  silence_add->add_option("--comment", silence_args.comment, "Why the alerts are muted")->required();
  silence_add->add_option("--author", silence_args.author, "Who muted them (default: $USER)");
  silence_add->footer("Example: hale silence add --match subject=db --for 2h --comment \"db migration\"");
  auto* silence_list = silence->add_subcommand("list", "List the active and pending silences and windows");
  silence_list->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  silence_list->add_flag("-a,--all", silence_args.all, "Also the expired ones (kept for 5 days)");
  auto* silence_rm = silence->add_subcommand("rm", "End a silence now");
  silence_rm->add_option("id", silence_args.id, "The silence's id, or a unique start of it")->required();
  silence_rm->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");

  std::string drill_name;
  auto* drill = app.add_subcommand("drill", "Rehearse failures in the running daemon: run, list ([drills.NAME])");
  drill->require_subcommand(1);
  auto* drill_run = drill->add_subcommand("run", "Run a drill; print each expectation, wanted and seen");
  drill_run->add_option("name", drill_name, "The drill's name ([drills.NAME])")->required();
  drill_run->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");
  drill_run->footer("Exit 0: every expectation held; 1: one did not; 2: no such drill.\n"
                    "The daemon ends the drill and restores everything, even if this command is killed.");
  auto* drill_list = drill->add_subcommand("list", "List the drills and their last runs");
  drill_list->add_option("-c,--config", config, "Config file (default: $HALE_CONFIG or hale.toml)");

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
  if (*matrix) {
    if (matrix_verify) return hale::cli::cmd_matrix_verify(config, matrix_only);
    return hale::cli::cmd_matrix(config, matrix_format);
  }
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
  if (*alerts) {
    alerts_args.config = config;
    return hale::cli::cmd_alerts(alerts_args);
  }
  if (*why) {
    why_args.config = config;
    return hale::cli::cmd_why(why_args);
  }
  if (*silence) {
    silence_args.config = config;
    if (*silence_add) return hale::cli::cmd_silence_add(silence_args);
    if (*silence_list) return hale::cli::cmd_silence_list(silence_args);
    if (*silence_rm) return hale::cli::cmd_silence_rm(silence_args);
  }
  if (*drill) {
    if (*drill_run) return hale::cli::cmd_drill_run(config, drill_name);
    if (*drill_list) return hale::cli::cmd_drill_list(config);
  }
  if (*logs) return hale::cli::cmd_logs(config, log_name, log_lines, log_follow);
  if (*exec) return hale::cli::cmd_exec(exec_args);
  return 2;
}
