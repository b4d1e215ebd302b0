// The vocabulary of alerting (SPEC §6): a subject's status as alerting sees it, one Alert (a
// message about one key), one Delivery of it to one notifier (an outbox row), what a
// (subject, notifier) route remembers across restarts, and a Silence. Plain values, no I/O.
//
// No secret is ever in these: messages are redacted before they get here, and URLs, tokens
// and passwords live only in NotifierSpec, which is read at delivery time and never stored.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"

namespace hale {

// Which subject: `check/db`, `service/web`, `heartbeat/backup`.
struct SubjectId {
  SubjectKind kind = SubjectKind::kCheck;
  std::string name;
  std::string key() const;  // "check/db"
  auto operator<=>(const SubjectId&) const = default;
};

// A subject's status as alerting sees it, at one moment.
struct SubjectStatus {
  Health status = Health::kUnknown;
  std::string state;   // the subject's own word: "fail" (check), "down" (heartbeat), "failed" (service)
  std::string reason;  // redacted
  bool critical = true;
  WallTime since{};    // when `status` began
  // SPEC §7 depends_on (checks): the parent whose failure blocks this one (it is then not
  // announced on its own), and the children this one blocks (its own message lists them).
  std::string blocked_by;
  std::vector<std::string> blocking;
  // SPEC §7: the drill that caused this status, "" when it is real.
  std::string drill;
};

// One message about one key. A key is (subject, status) as text: "check/db/fail"; flapping has
// its own key, "check/db/flapping".
struct Alert {
  std::string key;
  SubjectKind kind = SubjectKind::kCheck;
  std::string subject;
  Health status = Health::kUnknown;    // the status now; for a resolution, the one recovered to
  Health previous = Health::kUnknown;  // the status before; for a resolution, the one that ended
  std::string state;                   // the subject's own word for `status`
  bool resolved = false;
  bool flapping = false;  // true on the "is flapping" alert, false on everything else
  bool critical = true;
  WallTime since{};        // when the problem began
  WallTime at{};           // when this alert was made
  std::string message;     // the reason, redacted
  int sequence = 0;        // 0: the first announcement; n: the n-th reminder (`repeat`)
  Duration repeat{};       // the rule's repeat (Alertmanager's endsAt follows from it)
  bool silenced = false;   // recorded, not sent: a silence matched it when it was made
  // SPEC §7: the drill that caused it ("" when real): "[drill]" before its headline and
  // "drill" in the webhook payload.
  std::string drill;
  // SPEC §7 digest: the alerts of one group_wait window for one notifier, sent as one message.
  // A digest's own fields sum them up (see make_digest()); empty for every other alert.
  std::vector<Alert> members;

  // "critical" for a critical subject's fail; "warning" for everything else (degraded, a
  // non-critical subject, flapping). A resolution keeps the severity of what it resolves.
  std::string severity() const;
  bool operator==(const Alert&) const = default;
};

// The alerts `a` stands for: a digest's members, or `a` itself. A view into `a`.
inline std::span<const Alert> carried_alerts(const Alert& a) {
  return a.members.empty() ? std::span<const Alert>(&a, 1) : std::span<const Alert>(a.members);
}

// The key of `status` for `subject`: "check/db/fail"; kFlappingSuffix for flapping.
std::string alert_key(const SubjectId& subject, Health status);
std::string flapping_key(const SubjectId& subject);

// Where a delivery stands. pending: not accepted yet (first attempt or a retry waits);
// sent: the receiver accepted it (2xx, SMTP 250, exit 0); failed: permanently refused (a 4xx
// other than 408/429) or given up; silenced: recorded and not sent.
enum class DeliveryState { kPending, kSent, kFailed, kSilenced };
std::string_view to_string(DeliveryState s);
std::optional<DeliveryState> parse_delivery_state(std::string_view s);

// One alert for one notifier: one outbox row.
struct Delivery {
  std::int64_t seq = 0;  // the outbox row's id: creation order (0 until committed)
  std::string id;        // idempotency key, 32 hex digits: the same on every retry and after a restart
  std::string notifier;
  Alert alert;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  WallTime created_at{};
  std::optional<WallTime> last_attempt_at;
  std::optional<WallTime> next_attempt_at;  // pending: not before this
  std::optional<WallTime> done_at;          // sent, failed or silenced
  std::string last_error;                   // why the last attempt was not accepted; no secret
  bool operator==(const Delivery&) const = default;
};

// A key announced to a notifier and not yet resolved.
struct OpenKey {
  Health previous = Health::kUnknown;  // the status before it began
  WallTime since{};       // when the status began
  WallTime first_sent{};  // when it was first announced
  WallTime last_sent{};   // when it was last announced (the first time, or the last reminder)
  int sequence = 0;       // reminders sent so far
  bool critical = true;
  std::string state;
  std::string message;
  std::string drill;      // SPEC §7: opened by this drill ("" when real); its resolution is the drill's too
  bool operator==(const OpenKey&) const = default;
};

// What one (subject, notifier) route remembers across a restart of hale: the keys announced
// and not resolved (so that a recovery while hale was down still gets its resolution), and
// whether it was reported flapping.
struct SavedRoute {
  std::string subject;   // SubjectId::key(): "check/db"
  std::string notifier;
  std::map<Health, OpenKey> open;
  bool flapping = false;
  std::optional<WallTime> last_change;  // the last status change seen (flap detection)
  bool operator==(const SavedRoute&) const = default;
};

// One matcher of a silence: `name` is subject, kind, status or key; `value` a glob.
struct SilenceMatcher {
  std::string name;
  std::string value;
  bool operator==(const SilenceMatcher&) const = default;
};

// A silence made through the API (POST /api/v1/silences) or a maintenance window of the config.
struct Silence {
  std::string id;  // 32 hex digits (API) or "config-N-<start>" (a window of [[silences]] N)
  std::vector<SilenceMatcher> matchers;  // all must match
  WallTime starts_at{};
  WallTime ends_at{};
  std::string comment;
  std::string author;
  WallTime created_at{};
  bool operator==(const Silence&) const = default;
};

// The names a SilenceMatcher may use.
inline constexpr std::string_view kSilenceMatcherNames[] = {"subject", "kind", "status", "key"};

// Alert and SavedRoute as the outbox keeps them in a JSON column: every field, times as
// milliseconds since the epoch, so that they round-trip exactly. (What receivers get is
// rendered from an Alert by render.h, in their formats.)
nlohmann::json to_json(const Alert& a);
std::optional<Alert> alert_from_json(const nlohmann::json& j);
nlohmann::json to_json(const SavedRoute& r);
std::optional<SavedRoute> saved_route_from_json(const nlohmann::json& j);

// Health from its name ("ok", "degraded", "fail", "unknown").
std::optional<Health> parse_health(std::string_view s);

}  // namespace hale
