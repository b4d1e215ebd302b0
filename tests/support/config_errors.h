// Helpers for config loader tests: load TOML text as "hale.toml" and get its errors as the
// exact lines an operator would read.
#pragma once

#include <string>
#include <vector>

#include "hale/config.h"

namespace hale::testing {

inline std::vector<std::string> error_lines(const LoadResult& r) {
  std::vector<std::string> out;
  for (const ConfigError& e : r.errors) out.push_back(e.to_string());
  return out;
}

// The errors of `toml` loaded as "hale.toml" (empty when it loads).
inline std::vector<std::string> config_errors(const std::string& toml) {
  return error_lines(load_config_string(toml, "hale.toml"));
}

}  // namespace hale::testing
