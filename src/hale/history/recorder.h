// Recorder: the loop's side of the history (SPEC §10). It folds every result and status change
// into the subject's current minute, keeps its incidents open and closed, and gathers events;
// take() hands what is finished to the store as one Batch (the daemon calls it once a second,
// so the store makes at most one write transaction a second, whatever the number of checks).
//
// Time accounting: from each status change on, a subject's seconds count as up (ok, degraded),
// down (fail) or maintenance (fail while a silence or maintenance window mutes it, or forced
// by a drill); unknown (no result yet, hale not running) counts as none of them.
//
// Pure: every call says what time it is; no clock, no I/O. Thread-safety: one thread (the loop).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hale/clock.h"
#include "hale/health.h"
#include "hale/history/records.h"
#include "hale/model/alert.h"

namespace hale::history {

// A subject's status change as the recorder needs it.
struct StatusChange {
  SubjectStatus status;  // its Health, word, reason, drill
  WallTime at{};
  // When its first failing result came (a check's trailing failures in the transition's
  // evidence): the incident started then, and was detected `at`.
  std::optional<WallTime> first_failure;
  std::string data = "{}";  // the transition's details as JSON (evidence, blocked_by, ...)
  // The subject is gone (a check a reload removed): its open incident ends here.
  bool removed = false;
};

class Recorder {
 public:
  // Whether `subject` failing now is muted by a silence or maintenance window.
  using MaintenanceCheck = std::function<bool(const SubjectId&)>;
  explicit Recorder(MaintenanceCheck maintenance = {});

  // After a restart: the incidents the store holds open, and the next free incident id.
  void restore(std::vector<Incident> open, std::int64_t next_incident_id);

  // One result: a probe's (latency), a heartbeat's run (its duration, if known).
  void result(const SubjectId& subject, WallTime at, bool failed, std::optional<double> latency_ms,
              const std::string& reason);
  // A status change (a transition, or the status a reload or restart found).
  void status(const SubjectId& subject, const StatusChange& change);
  // Any other event (a restart, a silence, a drill, a run): kept, and part of the open
  // incident of its subject, if any.
  void event(Event e);
  // An alert delivery made or attempted: an event of the incident of the alert's subject; the
  // first one a receiver accepted is the incident's alerted_at.
  void delivery(const Delivery& d, bool attempt);

  // What is finished by `now`: minutes closed since the last call, events and incident changes.
  Batch take(WallTime now);
  // At a clean stop: the same, and the current minutes as they stand (so that a restart within
  // the minute loses nothing).
  Batch drain(WallTime now);

  // The current (unfinished) minute of `subject` as it stands at `now`, for a live answer;
  // without its latencies unless `latency` (the overview needs only its seconds).
  std::optional<Point> current(const SubjectId& subject, WallTime now, bool latency = true) const;
  // Whether a status of `subject` other than unknown was told.
  bool has_status(const SubjectId& subject) const;
  // The open incident of `subject`, if any.
  const Incident* open_incident(const SubjectId& subject) const;
  std::size_t subjects() const { return subjects_.size(); }

  // At most this many "result" events per incident: a failure that changes its reason on every
  // probe for a day must not fill the disk.
  static constexpr int kMaxResultEvents = 50;

 private:
  enum class Category { kUnknown, kUp, kDown, kMaintenance };
  // A subject's current minute: what was counted so far and how its time is being counted now.
  // Kept small (10,000 checks: about 1.5 MB): the name is the map's key only.
  struct Open {
    SubjectKind kind = SubjectKind::kCheck;
    std::int64_t minute = 0;  // start of the current minute, unix seconds
    std::uint32_t count = 0;
    std::uint32_t failures = 0;
    std::vector<float> latencies;
    float up = 0, down = 0, maintenance = 0;  // seconds of the current minute so far
    Category category = Category::kUnknown;
    Health health = Health::kUnknown;
    bool drill = false;  // its status is forced by a drill
    WallTime since{};    // counted up to here
    const std::string* state = nullptr;  // its own word for the status ("down", "backoff"), interned
  };
  struct OpenIncident {
    Incident incident;
    int result_events = 0;
    std::string last_reason;
  };

  Open& open(const std::string& key, SubjectKind kind, WallTime at);
  // Counts the time up to `to`, closing (into `closed`) each minute that ends by then.
  void advance(const std::string& key, Open& o, WallTime to, std::vector<MinutePoint>* closed);
  static void account(Open& o, WallTime to);
  static void reset(Open& o);
  static bool empty(const Point& p);
  // The point of `o`'s minute starting at `t`; `pending` seconds since `o.since` not counted yet
  // are added to its current category (a live answer).
  Point point_of(const Open& o, std::int64_t t, bool latency = true, double pending = 0) const;
  Category category_of(const std::string& key, const Open& o) const;
  void push_event(Event e);
  void changed(const Incident& i);

  MaintenanceCheck maintenance_;
  std::unordered_map<std::string, Open> subjects_;  // by SubjectId::key()
  std::map<std::string, OpenIncident> incidents_;   // open ones, by SubjectId::key()
  // The incident each subject closed last: its resolution alerts come after it ended.
  std::unordered_map<std::string, std::int64_t> last_closed_;
  std::int64_t next_incident_ = 1;
  std::set<std::string> words_;  // the state words the subjects' `state` point into (a dozen)
  Batch pending_;  // events and incident changes since the last take
};

}  // namespace hale::history
