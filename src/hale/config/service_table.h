// Reading [services.NAME] tables into ServiceSpecs (SPEC §4): each key checked at its value,
// then the rules that tie keys together (ready = "check" needs readiness, watchdog needs
// ready = "notify"), then depends_on across all services (no unknown names, no cycles).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// Every [services.NAME] of `services`, sorted by name; a service with errors (already
// reported) is left out. `check_names`, `heartbeat_names`: every check and heartbeat named in
// the file, also one whose table has errors, so that a service naming it does not add a second,
// misleading error.
std::vector<ServiceSpec> read_services(const toml::table& services, const NameSet& check_names,
                                       const NameSet& heartbeat_names, LoadContext& ctx);

// An environment variable name as POSIX shells accept it: [A-Za-z_][A-Za-z0-9_]*.
bool is_valid_env_name(std::string_view name);

}  // namespace hale::config
