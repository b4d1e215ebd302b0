// JSON bodies of /health (SPEC §3 shape and the IETF health+json draft), /health/NAME and
// /api/v1/checks. They hold no secret: CheckView is already redacted.
#pragma once

#include <optional>
#include <string>

#include "hale/clock.h"
#include "hale/heartbeat_view.h"
#include "hale/service_view.h"
#include "hale/snapshot.h"

namespace hale {

// Alerting's durability, as /health shows it under "alerting" (issue 17).
struct AlertingHealth {
  bool durable = true;
  std::string outbox_error;
  std::size_t memory_only = 0;
};

// hale's state store (issue 17), as /health shows it under "state_store": "ok", "read_only",
// "recreated" (an empty or corrupt file kept aside) or "unavailable", and what that means.
struct StateStoreHealth {
  std::string status = "ok";
  std::string message;
};

struct HealthDocContext {
  std::string_view service;
  std::string_view version;
  WallTime now{};
  std::optional<AlertingHealth> alerting;  // unset: no notifier configured, no "alerting" member
  std::optional<StateStoreHealth> state_store;  // unset: nothing needs a store
};

// `services` and `heartbeats` may be null (none configured): then there is no "services" or
// "heartbeats" member. The status is the worst of the checks', the services' and the
// heartbeats' (Health order ok < degraded < fail).
std::string health_json(const Snapshot& snap, const HealthDocContext& ctx,
                        const ServicesSnapshot* services = nullptr,
                        const HeartbeatsSnapshot* heartbeats = nullptr);
// Services and heartbeats (when given) count in the status and appear as components
// "NAME:state" and "NAME:heartbeat".
std::string health_ietf_json(const Snapshot& snap, const HealthDocContext& ctx,
                             const ServicesSnapshot* services = nullptr,
                             const HeartbeatsSnapshot* heartbeats = nullptr);
// The /health status: the worst of the three (null ones left out).
Health overall_health(const Snapshot& snap, const ServicesSnapshot* services, const HeartbeatsSnapshot* heartbeats);
std::string check_detail_json(const CheckView& c);
std::string checks_list_json(const Snapshot& snap);
// One service as GET /api/v1/services/NAME and /health/services/NAME answer it (SPEC §4).
std::string service_json(const ServiceView& s);
// GET /api/v1/services: {"services": [...]}.
std::string services_list_json(const ServicesSnapshot& services);
// The worse of two answers (unknown counts as ok: only /readyz treats it as failing).
Health worse(Health a, Health b);

}  // namespace hale
