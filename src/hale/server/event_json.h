// The data of each GET /api/v1/events frame (SPEC §7): one line of JSON per transition, with
// the status a client keeps (`to`) and why. Reasons are redacted. Pure.
#pragma once

#include <string>

#include "hale/model/alert.h"
#include "hale/health.h"
#include "hale/heartbeat/heartbeat_state.h"
#include "hale/service_view.h"

namespace hale {

// {"kind":"check","name","from","to","reason","at"[,"blocked_by"]}
std::string check_event_json(const Transition& t);
// {"kind":"service","name","from","to","reason","at"}
std::string service_event_json(const ServiceTransition& t);
// {"kind":"heartbeat","name","from","to","reason","at"}
std::string heartbeat_event_json(const HeartbeatTransition& t);
// {"kind":"alert","id","notifier","key","state","resolved","message"}: a delivery made
// (pending, silenced) or ended (sent, failed). The message is the alert's headline.
std::string alert_event_json(const Delivery& d);

}  // namespace hale
