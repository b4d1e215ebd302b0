// hale's command line: parses the subcommand with CLI11 and hands over to cmd_<verb>.cpp.
#include <CLI/CLI.hpp>

#include <cstdlib>

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
      "  hale probe http://127.0.0.1:8080/readyz   one probe, exit 0 healthy / 1 not\n",
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
  return 2;
}
