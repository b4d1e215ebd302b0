// Reading [heartbeats.NAME] tables into HeartbeatSpecs (SPEC §5): each key at its value, then
// the rules between keys (schedule xor period, tz only with schedule, min below max duration).
#pragma once

#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// Every [heartbeats.NAME] of `heartbeats`, sorted by name; one with errors (already reported)
// is left out.
std::vector<HeartbeatSpec> read_heartbeats(const toml::table& heartbeats, LoadContext& ctx);

}  // namespace hale::config
