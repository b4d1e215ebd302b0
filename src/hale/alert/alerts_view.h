// AlertsView: what the API, /metrics and `hale alerts` show of alerting (SPEC §6): the
// deliveries pending and the recent finished ones with their state, each notifier's counters,
// and the silences. Built on the loop on request (requests are handled on the loop); plain
// values, no secret (no URL, token or password: a notifier is shown by name and type only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hale/model/alert.h"
#include "hale/alert/delivery_queue.h"
#include "hale/alert/silences.h"
#include "hale/clock.h"

namespace hale {

struct AlertsView {
  WallTime now{};
  // What survives a crash (issue 17: reported as it is): false when there is no outbox
  // (state_dir unusable), when its last write failed (a full disk), or while a pending delivery
  // could not be written and is in memory only.
  bool durable = true;
  std::string outbox_error;       // the last outbox write's failure ("" after a write succeeds)
  std::size_t memory_only = 0;    // pending deliveries that are not in the outbox
  std::uint64_t outbox_write_failures = 0;  // since hale started
  std::vector<Delivery> pending;  // oldest first
  std::vector<Delivery> recent;   // finished (sent, failed, silenced), newest first
  // Ids among `recent` that the receiver accepted but whose "sent" is not committed to the
  // outbox yet (a few milliseconds): a crash now would have the next hale send them again, so
  // they are shown as "accepted", and "sent" means the same before and after a crash.
  std::set<std::string> recording;
  std::map<std::string, NotifierStats> notifiers;      // by name, every configured notifier
  std::map<std::string, std::string> notifier_types;   // name -> "webhook", "slack", ...
  std::vector<Silence> silences;                        // API silences, any state
  std::vector<SilenceSet::ActiveWindow> windows;        // config maintenance windows active now
};

}  // namespace hale
