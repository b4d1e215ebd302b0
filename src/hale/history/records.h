// What the history keeps besides points (SPEC §10): events and incidents, as the Recorder
// hands them to the store and the store hands them to the API. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hale/clock.h"
#include "hale/history/point.h"
#include "hale/model/alert.h"

namespace hale::history {

// One thing that happened to a subject: a transition, a failing result, a restart, an alert
// and each of its delivery attempts, a silence, a drill, a heartbeat's run.
struct Event {
  std::int64_t id = 0;  // the store's row id (0 until stored)
  WallTime at{};
  SubjectId subject;
  std::string type;  // "transition", "result", "run", "alert", "delivery", "silence", "drill"
  std::string text;  // one line a person reads, redacted
  std::string data;  // JSON object with the details ("{}" when none)
  std::int64_t incident = 0;  // the incident it belongs to, 0 for none
};

// An incident (SPEC §10): from a subject leaving `ok` to its return.
struct Incident {
  std::int64_t id = 0;
  SubjectId subject;
  WallTime started_at{};   // the first failing result (checks), else the transition
  WallTime detected_at{};  // the transition out of ok
  std::optional<WallTime> alerted_at;   // the first delivery a receiver accepted
  std::optional<WallTime> resolved_at;  // the return to ok; nullopt while open
  std::string worst;  // "degraded" or "fail"
  std::string cause;  // the reason at detection, redacted
  std::string drill;  // the drill that caused it, "" when real
  bool operator==(const Incident&) const = default;
};

// A message of the status page (SPEC §10): from [[announcements]] or POST /api/v1/announcements
// (kept in history.db).
struct Announcement {
  std::string id;  // "config-N" (the N-th [[announcements]]) or 32 hex digits (the API)
  std::string message;
  std::string level = "info";  // "info", "maintenance", "incident"
  std::optional<WallTime> from;
  std::optional<WallTime> until;
  WallTime created_at{};
  bool operator==(const Announcement&) const = default;
  // Shown at `now`: begun (or no start) and not over (or no end).
  bool shown_at(WallTime now) const { return (!from || *from <= now) && (!until || now < *until); }
};

// A subject's closed minute.
struct MinutePoint {
  SubjectId subject;
  Point point;
};

// What one write transaction stores.
struct Batch {
  std::vector<MinutePoint> minutes;
  std::vector<Event> events;
  std::vector<Incident> incidents;  // inserted or replaced by id
  bool empty() const { return minutes.empty() && events.empty() && incidents.empty(); }
};

}  // namespace hale::history
