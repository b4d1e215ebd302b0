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

}  // namespace hale
