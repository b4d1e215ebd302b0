// `hale validate -c FILE`: every error as FILE:LINE:COL: message (exit 2), or a one-line
// summary of what would run (exit 0).
#include <cstdio>
#include <set>
#include <string>

#include "hale/cli/commands.h"
#include "hale/config.h"
#include "hale/matrix/self_probe.h"

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
    types.insert(std::string(to_string(ch.type())));
  }
  std::string type_list;
  for (const auto& t : types) type_list += (type_list.empty() ? "" : ", ") + t;
  // "1 check", "2 checks": every count with its noun, singular or plural.
  auto count = [](std::size_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  };
  std::string summary = count(c.checks.size(), "check") + " (" + std::to_string(critical) + " critical; " +
                        (type_list.empty() ? "none" : type_list) + "), " + count(c.services.size(), "service") +
                        ", " + count(c.heartbeats.size(), "heartbeat") + ", " +
                        count(c.groups.size(), "custom group") + ", " + count(c.notifiers.size(), "notifier") +
                        ", " + count(c.alerts.size(), "alert rule");
  // Silences are rare: named only when there are some.
  if (!c.silences.empty()) summary += ", " + count(c.silences.size(), "silence");
  if (!c.drills.empty()) summary += ", " + count(c.drills.size(), "drill");
  std::printf("%s: ok: %s, listen %s\n", config_path.c_str(), summary.c_str(), c.server.listen.c_str());
  // Valid, but a trap: said, and the config still loads.
  for (const std::string& w : self_probe_latches(c)) std::fprintf(stderr, "%s: warning: %s\n", config_path.c_str(), w.c_str());
  return 0;
}

}  // namespace hale::cli
