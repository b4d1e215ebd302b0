// Reading [drills.NAME] (SPEC §7): what a drill forces, for how long, what it expects once the
// forced state has settled, and when it runs by itself. Every subject a drill names is looked
// up among the config's checks, heartbeats, notifiers, services and groups, with a did-you-mean.
#pragma once

#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// The value of the top-level `drills` key. `config` holds what was read before (checks,
// services, heartbeats, notifiers, groups): the names a drill may use. A drill with errors
// (already reported) is left out.
std::vector<DrillSpec> read_drills(const toml::table& drills, const Config& config, LoadContext& ctx);

}  // namespace hale::config
