// JSON of heartbeats (SPEC §5): their entry in /health (a check's fields plus state, last_ping,
// next_expected and last_run), /health/NAME and /api/v1/heartbeats[/NAME]. No secret: the views
// hold no token, and reasons and output excerpts are redacted when the views are built.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hale/heartbeat_view.h"

namespace hale {

// The short entry under "heartbeats" in /health (the last run's output cut to its last 256 bytes).
nlohmann::ordered_json heartbeat_entry(const HeartbeatView& h);
// Everything: the entry plus name, groups, schedule, grace and the last runs.
std::string heartbeat_detail_json(const HeartbeatView& h);
// GET /api/v1/heartbeats: {"heartbeats": [detail, ...]}.
std::string heartbeats_list_json(const HeartbeatsSnapshot& snap);

}  // namespace hale
