// The subcommands of the hale CLI, one file each (cmd_<verb>.cpp). Each returns the process
// exit code: 0 success, 1 unhealthy / runtime failure, 2 bad usage or bad configuration.
#pragma once

#include <string>

namespace hale::cli {

int cmd_run(const std::string& config_path, const std::string& log_level);
int cmd_validate(const std::string& config_path);
int cmd_probe(const std::string& target, const std::string& timeout);
int cmd_version();


}  // namespace hale::cli
