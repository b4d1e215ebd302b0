// ServiceInfo: one SERVICE object of the daemon's API (GET /api/v1/services/NAME, the
// "services" of /health), read tolerantly: a missing or null field is left at its default.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hale/clock.h"

namespace hale::cli {

struct ServiceInfo {
  std::string name;
  std::string state;   // "stopped", "starting", "running", "ready", ...
  std::string reason;
  std::string wanted;  // "start" | "stop"
  std::optional<long long> pid;
  long long restarts = 0;
  std::string last_exit;  // "exit code 1", "signal SIGKILL"; empty when none
  std::optional<WallTime> next_restart_at;
  std::optional<WallTime> started_at;
  std::string status_text;
};

ServiceInfo service_from_json(const nlohmann::json& j);

// A string member, or "" when absent or not a string.
// The string `key` of `j` ("" when absent or not a string), made terminal-safe (control
// characters escaped: terminal_text.h); plain names and states read the same.
std::string json_string(const nlohmann::json& j, const char* key);

}  // namespace hale::cli
