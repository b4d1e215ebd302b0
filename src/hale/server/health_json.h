// JSON bodies of /health (SPEC §3 shape and the IETF health+json draft), /health/NAME and
// /api/v1/checks. They hold no secret: CheckView is already redacted.
#pragma once

#include <string>

#include "hale/clock.h"
#include "hale/snapshot.h"

namespace hale {

struct HealthDocContext {
  std::string_view service;
  std::string_view version;
  WallTime now{};
};

std::string health_json(const Snapshot& snap, const HealthDocContext& ctx);
std::string health_ietf_json(const Snapshot& snap, const HealthDocContext& ctx);
std::string check_detail_json(const CheckView& c);
std::string checks_list_json(const Snapshot& snap);

}  // namespace hale
