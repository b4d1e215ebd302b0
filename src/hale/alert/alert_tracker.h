// AlertTracker: the alerting of one subject to one notifier (SPEC §6), as a pure state machine
// on calendar time: the subject's status in, the alerts due out. No I/O, no timers: the caller
// feeds statuses, asks for the next deadline, and calls tick() when it comes.
//
// Keys are (subject, status). A key is announced once the status has lasted `after`, reminded
// every `repeat` while it lasts, and resolved (once, when `resolved`) as soon as the subject is
// better than that status: fail -> ok resolves "fail"; fail -> degraded resolves "fail" and
// announces "degraded"; degraded -> fail announces "fail" and leaves "degraded" open until the
// subject is better than degraded. `unknown` (a check restarted with its service, a job's run
// that has just started, a service starting or stopping) is no news: the last known status
// holds, its `after` keeps counting and its reminders go on. A new key after a resolution is a
// new incident, announced again (flap detection keeps a wavering subject from paging per flip).
//
// Scenario: db fails at 10:00 with after = 2m, repeat = 1h. At 10:02 "check/db/fail" is
// announced; at 11:02 reminded (sequence 1); db recovers at 11:30: one resolution, status ok.
// Had db recovered at 10:01, nothing would have been said at all.
//
// Silences: each alert due is offered to `silenced`; a muted announcement is returned once with
// `silenced = true` (to be recorded, not sent) and is announced for real as soon as a tick finds
// the problem still there and no silence muting it (SPEC §6: it goes out if the problem
// outlives the silence). A muted reminder is skipped. A muted resolution is recorded once and
// its key stays open: it goes out when the silence ends (so a receiver never keeps showing as
// firing what is over), or the incident simply goes on if the problem is back by then. A muted
// flapping alert likewise goes out at the silence's end if the subject is still flapping.
//
// Reminders and a receiver that is down (SPEC §6: a receiver sees each key at most once per
// `repeat`): a reminder falls due while the key's last message to this notifier is still
// undelivered (the receiver is down or slow, the delivery waits for a retry). Made now, it
// would queue behind that message and reach the receiver with it, and with every other reminder
// of the outage, in one burst. So it is held: nothing is made until delivered() says the
// receiver has the earlier message, and the repeat then counts from when it got it.
//
// Scenario: repeat = 1h, db fails at 10:00 while the webhook is down until 12:30. The
// announcement waits in the outbox; the reminders due at 11:00 and 12:00 are held; at 12:30 the
// receiver gets the announcement, and its first reminder at 13:30.
//
// Flapping: more than flapping.max_changes changes of the subject's alerting status within
// flapping.window announce "check/db/flapping" once and mute everything else; a whole window
// without a change announces it stable again (the flapping key resolved), and the tracker then
// announces or resolves whatever the subject's status calls for.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hale/model/alert.h"
#include "hale/alert/alert_routes.h"
#include "hale/alert/flap_detector.h"

namespace hale {

// True when a silence mutes this alert now.
using SilenceCheck = std::function<bool(const Alert&)>;
// True when a message of this key to the route's notifier is still undelivered (in the outbox,
// not yet accepted, refused or given up).
using UndeliveredCheck = std::function<bool(const std::string& key)>;

class AlertTracker {
 public:
  AlertTracker(SubjectId subject, std::string notifier, AlertPolicy policy);

  // A reload may change the rule: open keys stay open under the new policy.
  void set_policy(AlertPolicy policy);
  // What a previous hale saved for this (subject, notifier).
  void restore(const SavedRoute& saved);
  // What to save now (after any call that returned alerts, or changed flapping).
  SavedRoute saved() const;

  // The subject's status: every change, and the first status seen. Alerts due now.
  // `undelivered` holds reminders back (see above); unset: every reminder is made when due.
  std::vector<Alert> observe(const SubjectStatus& status, WallTime now, const SilenceCheck& silenced,
                             const UndeliveredCheck& undelivered = {});
  // Time has passed (a deadline came, a silence ended).
  std::vector<Alert> tick(WallTime now, const SilenceCheck& silenced, const UndeliveredCheck& undelivered = {});
  // A delivery of one of this route's alerts is done at `at`: `accepted` by the receiver, or
  // not (refused for good, given up). A held reminder may now be made; an accepted announcement
  // or reminder starts the repeat from `at`, when the receiver got it. (Kept in memory; the
  // route saved next carries it.)
  void delivered(const Alert& a, bool accepted, WallTime at);
  // The subject is no longer in the configuration: every open key is resolved (status unknown).
  std::vector<Alert> remove(WallTime now, const SilenceCheck& silenced);

  // When tick() may next have something to say; nullopt: nothing pending (a muted announcement
  // waits for the silence to change, which the caller knows about).
  std::optional<WallTime> next_deadline() const;

  const SubjectId& subject() const { return subject_; }
  const std::string& notifier() const { return notifier_; }
  const AlertPolicy& policy() const { return policy_; }
  const std::map<Health, OpenKey>& open() const { return open_; }
  bool flapping() const { return flap_.flapping(); }

 private:
  std::vector<Alert> evaluate(WallTime now, const SilenceCheck& silenced, const UndeliveredCheck& undelivered);
  bool alerts_on(Health h) const;
  Alert make_alert(std::string key, WallTime now) const;
  Alert firing(Health status, WallTime now) const;
  Alert resolution(Health ended, const OpenKey& k, Health now_status, WallTime now, std::string message) const;
  Alert flapping_alert(bool stable, WallTime now) const;

  SubjectId subject_;
  std::string notifier_;
  AlertPolicy policy_;
  std::optional<SubjectStatus> current_;  // unset until the first observe()
  Health previous_ = Health::kUnknown;    // the status before current_
  std::map<Health, OpenKey> open_;         // announced, not yet resolved
  std::set<Health> muted_;                 // announcements recorded as silenced, not yet made
  std::set<Health> muted_resolutions_;     // open keys whose resolution was recorded as silenced
  std::set<Health> held_;                  // open keys whose reminder waits for the last delivery
  // The alerting class of the last known status (a status in `on`, or kOk for "quiet"): a
  // change of it is a flip for flap detection.
  std::optional<Health> last_class_;
  FlapDetector flap_;
  bool flap_announced_ = false;            // the flapping alert went out (not muted)
  bool flap_muted_ = false;                // it was recorded as silenced (once)
  WallTime flap_since_{};                  // when it began flapping
};

}  // namespace hale
