// `hale validate -c FILE`: every error as FILE:LINE:COL: message (exit 2), or a one-line
// summary of what would run (exit 0).
#include <cstdio>
#include <set>

#include "hale/cli/commands.h"
#include "hale/config.h"

namespace hale::cli {

int cmd_validate(const std::string& config_path) {
  LoadResult r = load_config_file(config_path);
  if (!r.config) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "%zu error%s in %s\n", r.errors.size(), r.errors.size() == 1 ? "" : "s",
                 config_path.c_str());
    return 2;
  }
  const Config& c = *r.config;
  std::size_t critical = 0;
  std::set<std::string> types;
  for (const auto& ch : c.checks) {
    critical += ch.critical ? 1 : 0;
    types.insert(std::string(to_string(ch.type)));
  }
  std::string type_list;
  for (const auto& t : types) type_list += (type_list.empty() ? "" : ", ") + t;
  std::printf("%s: ok: %zu check%s (%zu critical; %s), %zu service%s, %zu heartbeat%s, %zu custom group%s, listen %s\n",
              config_path.c_str(), c.checks.size(), c.checks.size() == 1 ? "" : "s", critical,
              type_list.empty() ? "none" : type_list.c_str(), c.services.size(),
              c.services.size() == 1 ? "" : "s", c.heartbeats.size(), c.heartbeats.size() == 1 ? "" : "s",
              c.groups.size(), c.groups.size() == 1 ? "" : "s", c.server.listen.c_str());
  return 0;
}

}  // namespace hale::cli
