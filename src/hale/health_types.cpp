// Names of verdicts and health states, as they appear in JSON, logs and metrics.
#include "hale/health.h"

namespace hale {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kWarn: return "warn";
    case Verdict::kFail: return "fail";
  }
  return "fail";
}

std::string_view to_string(Health h) {
  switch (h) {
    case Health::kUnknown: return "unknown";
    case Health::kOk: return "ok";
    case Health::kDegraded: return "degraded";
    case Health::kFail: return "fail";
  }
  return "unknown";
}

std::optional<Health> parse_health(std::string_view s) {
  if (s == "unknown") return Health::kUnknown;
  if (s == "ok") return Health::kOk;
  if (s == "degraded") return Health::kDegraded;
  if (s == "fail") return Health::kFail;
  return std::nullopt;
}

}  // namespace hale
