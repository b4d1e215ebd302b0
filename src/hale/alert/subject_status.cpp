// Subjects' statuses for alerting (see subject_status.h).
#include "hale/alert/subject_status.h"

#include "hale/log/redactor.h"

namespace hale {

namespace {

// SPEC §7: a parent's message lists the failing children it blocks: "connection refused
// (blocking api, web)".
void note_blocking(SubjectStatus& s, const std::string& blocked_by, const std::vector<std::string>& blocking) {
  s.blocked_by = blocked_by;
  s.blocking = blocking;
  if (blocking.empty() || s.status != Health::kFail) return;
  std::string list;
  for (const std::string& c : blocking) list += (list.empty() ? "" : ", ") + c;
  s.reason += " (blocking " + list + ")";
}

}  // namespace

SubjectStatus check_subject_status(const Transition& t, bool critical) {
  SubjectStatus s;
  s.status = t.to;
  s.state = std::string(to_string(t.to));
  s.reason = Redactor::global().redact(t.reason);
  s.critical = critical;
  s.since = t.wall_at;
  s.drill = t.drill;
  note_blocking(s, t.blocked_by, t.blocking);
  return s;
}

SubjectStatus check_subject_status(const CheckView& v) {
  SubjectStatus s;
  s.status = v.status;
  s.state = std::string(to_string(v.status));
  // What a transition to this status would have said: the failure while not ok.
  s.reason = Redactor::global().redact(v.status == Health::kOk || v.error.empty() ? v.message : v.error);
  s.critical = v.critical;
  s.since = v.since;
  s.drill = v.drill;
  note_blocking(s, v.blocked_by, v.blocking);
  return s;
}

SubjectStatus service_subject_status(const ServiceView& v) {
  SubjectStatus s;
  // Stopping is no news: an operator's stop or restart, a reload that changed or removed the
  // service, hale itself stopping. What made it stop (a crash, a liveness failure) is news of
  // its own, and a stop that fails ends in a state that says so.
  s.status = v.state == ServiceState::kStopping ? Health::kUnknown : v.overall_health();
  s.state = std::string(to_string(v.state));
  s.reason = Redactor::global().redact(v.reason);
  s.critical = v.critical;
  s.since = v.since;
  return s;
}

SubjectStatus heartbeat_subject_status(HeartbeatStatus state, const std::string& reason, bool critical, WallTime since) {
  SubjectStatus s;
  switch (state) {
    case HeartbeatStatus::kPaused: s.status = Health::kOk; break;
    case HeartbeatStatus::kRunning: s.status = Health::kUnknown; break;
    default: s.status = to_health(state); break;
  }
  s.state = std::string(to_string(state));
  s.reason = Redactor::global().redact(reason);
  s.critical = critical;
  s.since = since;
  return s;
}

}  // namespace hale
