// A drill asked for through the API rather than written in the config (POST /api/v1/drills, which
// `hale matrix --verify` uses for one drill per dependency). The body is the drill as GET
// /api/v1/drills shows one:
//
//   {"name": "verify-web", "force": {"checks.web": "fail"}, "duration": "12s",
//    "expect": {"readyz": 503, "services.worker": "stopped", "routed": ["ops"]}}
//
// It is checked exactly as a [drills.NAME] table is (the same reader, against the running
// config), so every mistake gets the config's words: `force`: no check, heartbeat or notifier
// named "wbe"; did you mean "web"?
#pragma once

#include <string_view>

#include "hale/config.h"
#include "hale/status.h"

namespace hale {

StatusOr<DrillSpec> parse_drill_request(std::string_view body, const Config& config);

}  // namespace hale
