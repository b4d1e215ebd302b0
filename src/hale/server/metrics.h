// Prometheus text exposition (format 0.0.4) of every check and of hale itself. Names and help
// texts pass `promtool check metrics`.
#pragma once

#include <optional>
#include <string>

#include "hale/alert/alerts_view.h"
#include "hale/heartbeat_view.h"
#include "hale/server/process_stats.h"
#include "hale/service_view.h"
#include "hale/snapshot.h"

namespace hale {

// `detail`: [metrics] detail (config.h).
// `services`, `heartbeats` and `alerts` may be null (none configured): no hale_service_*,
// hale_heartbeat_* or hale_alert* families then.
std::string render_metrics(const Snapshot& snap, const std::optional<ProcessStats>& proc,
                           std::string_view version, const ServicesSnapshot* services = nullptr,
                           const HeartbeatsSnapshot* heartbeats = nullptr, const AlertsView* alerts = nullptr,
                           MetricsDetail detail = MetricsDetail::kCompact);

// Escapes a label value: backslash, double quote and newline.
std::string escape_label(std::string_view v);
// The same, appended to `out`.
void append_label(std::string& out, std::string_view v);

}  // namespace hale
