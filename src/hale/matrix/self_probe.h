// A check that probes hale's own answer of which it is part (SPEC §7's matrix, issue 13): an
// http check of `http://127.0.0.1:8099/livez` in group live makes /livez 503 when it fails, and
// a 503 /livez keeps it failing: once down, it never comes back (a latch). `hale matrix
// --verify` found one in the demo's config; `hale matrix` and `hale validate` now say so from
// the config alone. Pure.
#pragma once

#include <string>
#include <vector>

#include "hale/config.h"

namespace hale {

// One line per such check: "check hale-self probes /livez, of which it is part: once it fails,
// /livez stays 503 and it never recovers; probe /livez?exclude=hale-self".
std::vector<std::string> self_probe_latches(const Config& config);

}  // namespace hale
