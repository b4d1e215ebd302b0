// Aggregation of checks into one answer (SPEC §3), pure functions over a Snapshot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hale/health.h"
#include "hale/snapshot.h"

namespace hale {

// Which question is asked: readiness treats a critical `unknown` as not ready (SPEC §3);
// liveness and /health only fail on `fail`.
enum class Question { kLive, kReady, kHealth };

// SPEC §3: `fail` if any critical check is `fail` (and, for readiness, a critical `unknown`
// that is not `joining`: added by a reload); else `degraded` if any check is `degraded` or any
// non-critical check is `fail`; else `ok`. An empty set is `ok`.
Health aggregate(const std::vector<const CheckView*>& checks, Question q);

// Whether one check counts as failing for this question (the `[-]` lines of ?verbose).
bool counts_as_failing(const CheckView& c, Question q);

// The checks of `group` in `snap` minus `excluded` ("" = every check).
std::vector<const CheckView*> select(const Snapshot& snap, std::string_view group,
                                     const std::vector<std::string>& excluded);

// Fills the precomputed live/ready/overall answers of a snapshot that is about to be published.
void finalize(Snapshot& snap);

}  // namespace hale
