// The bridge from a [heartbeats.NAME] table (HeartbeatSpec) to the rules its state machine
// applies (HeartbeatPolicy): the schedule as a "next expected run" function, the output rules.
#pragma once

#include <string>

#include "hale/config.h"
#include "hale/heartbeat/heartbeat_state.h"
#include "hale/status.h"

namespace hale {

// The loader has validated the spec; this fails only on what changed since it did (a time
// zone file removed from the system).
StatusOr<HeartbeatPolicy> make_heartbeat_policy(const HeartbeatSpec& spec);

// How the schedule reads in /health and the CLI: "0 3 * * * (Europe/Berlin)", "every 1h".
std::string describe_schedule(const HeartbeatSpec& spec);

}  // namespace hale
