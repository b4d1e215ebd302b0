// `hale run -c FILE`: load the config (exit 2 on errors) and run the daemon.
#include <cstdio>

#include "hale/cli/commands.h"
#include "hale/config.h"
#include "hale/daemon.h"
#include "hale/log/json_log.h"

namespace hale::cli {

int cmd_run(const std::string& config_path, const std::string& log_level) {
  LogLevel level;
  if (!parse_log_level(log_level, level)) {
    std::fprintf(stderr, "hale: unknown log level \"%s\" (debug, info, warn, error)\n",
                 log_level.c_str());
    return 2;
  }
  init_logging(level);
  LoadResult r = load_config_file(config_path);
  if (!r.config) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  return run_daemon(std::move(*r.config));
}

}  // namespace hale::cli
