// HeartbeatView helpers and the heartbeats' share of an answer (see heartbeat_view.h).
#include "hale/heartbeat_view.h"

#include <algorithm>

namespace hale {

std::string_view to_string(HeartbeatStatus s) {
  switch (s) {
    case HeartbeatStatus::kNew: return "new";
    case HeartbeatStatus::kUp: return "up";
    case HeartbeatStatus::kRunning: return "running";
    case HeartbeatStatus::kLate: return "late";
    case HeartbeatStatus::kDown: return "down";
    case HeartbeatStatus::kPaused: return "paused";
  }
  return "new";
}

std::optional<HeartbeatStatus> parse_heartbeat_status(std::string_view s) {
  for (HeartbeatStatus h : kAllHeartbeatStatuses) {
    if (to_string(h) == s) return h;
  }
  return std::nullopt;
}

Health to_health(HeartbeatStatus s) {
  switch (s) {
    case HeartbeatStatus::kUp:
    case HeartbeatStatus::kRunning: return Health::kOk;
    case HeartbeatStatus::kLate: return Health::kDegraded;
    case HeartbeatStatus::kDown: return Health::kFail;
    case HeartbeatStatus::kNew:
    case HeartbeatStatus::kPaused: return Health::kUnknown;
  }
  return Health::kUnknown;
}

bool HeartbeatView::in_group(std::string_view g) const {
  return std::find(groups.begin(), groups.end(), g) != groups.end();
}

const HeartbeatView* HeartbeatsSnapshot::find(std::string_view name) const {
  auto it = std::lower_bound(heartbeats.begin(), heartbeats.end(), name,
                             [](const auto& h, std::string_view n) { return h->name < n; });
  return it != heartbeats.end() && (*it)->name == name ? it->get() : nullptr;
}

void finalize(HeartbeatsSnapshot& snap) {
  snap.overall = heartbeats_health(snap, "");
  snap.ready = heartbeats_health(snap, "ready");
  snap.live = heartbeats_health(snap, "live");
}

Health heartbeats_health(const HeartbeatsSnapshot& snap, std::string_view group,
                         const std::vector<std::string>& excluded) {
  Health out = Health::kOk;
  for (const auto& h : snap.heartbeats) {
    if (!group.empty() && !h->in_group(group)) continue;
    if (!excluded.empty() &&
        std::find(excluded.begin(), excluded.end(), "heartbeats/" + h->name) != excluded.end()) {
      continue;
    }
    const Health mine = h->health();
    if (mine == Health::kFail && h->critical) return Health::kFail;
    if (mine == Health::kFail || mine == Health::kDegraded) out = Health::kDegraded;
  }
  return out;
}

}  // namespace hale
