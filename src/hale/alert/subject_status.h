// A check's, a service's and a heartbeat's status in the words of alerting (SPEC §6): its
// Health (fail, degraded, ok, unknown), its own name for the state, the reason, and whether it
// is critical. Pure.
//  - check: its Health as the transition says; or, for a route a reload has just made, as the
//    check's snapshot says now (an unchanged check has no transition to tell it).
//  - service: ServiceView::overall_health() (failed or an exited failure: fail; unhealthy,
//    backoff: degraded; starting: unknown), but stopping is unknown (no news: an operator's
//    restart, a reload, hale stopping); its `critical` from its readiness check.
//  - heartbeat: down fail, late degraded, up ok, new unknown; paused is ok (an operator paused
//    it: whatever was announced is resolved, and nothing more is said); running is unknown, no
//    news either way: a job that failed last night is resolved when a run succeeds, not when
//    the next run merely starts.
#pragma once

#include "hale/model/alert.h"
#include "hale/health.h"
#include "hale/heartbeat_view.h"
#include "hale/service_view.h"
#include "hale/snapshot.h"

namespace hale {

SubjectStatus check_subject_status(const Transition& t, bool critical);
SubjectStatus check_subject_status(const CheckView& v);
SubjectStatus service_subject_status(const ServiceView& v);
SubjectStatus heartbeat_subject_status(HeartbeatStatus state, const std::string& reason, bool critical, WallTime since);

}  // namespace hale
