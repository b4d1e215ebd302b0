// Helpers that build ProbeResults on a FakeClock, so state-machine tests read like the spec.
#pragma once

#include <string>

#include "hale/clock.h"
#include "hale/health.h"

namespace hale::testing {

inline ProbeResult result(Verdict v, SteadyTime at, std::string reason = "") {
  ProbeResult r;
  r.verdict = v;
  r.at = at;
  r.reason = reason.empty() ? std::string(to_string(v)) : std::move(reason);
  if (v == Verdict::kFail) r.error = ErrorKind::kStatus;
  return r;
}

}  // namespace hale::testing
