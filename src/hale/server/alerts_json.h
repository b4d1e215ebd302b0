// JSON of alerting for the API (SPEC §6): GET /api/v1/alerts (deliveries and notifiers),
// GET /api/v1/silences, and the body of POST /api/v1/silences. Pure; no secret is in an
// AlertsView, so none can be in these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/alert/alerts_view.h"
#include "hale/status.h"

namespace hale {

// Which deliveries GET /api/v1/alerts lists: `state` (pending, sent, failed, silenced; empty =
// every state) and at most `limit` of them (pending first, oldest first; then the finished,
// newest first).
// A delivery's state as the API shows it: pending, accepted, sent, failed or silenced.
// "accepted" is a sent one not yet recorded as such (AlertsView::recording).
inline constexpr std::string_view kAcceptedState = "accepted";
bool is_shown_delivery_state(std::string_view s);

struct AlertsQuery {
  std::optional<std::string> state;  // one of the shown states
  std::size_t limit = 100;
};

// Both carry "timestamp": the view's `now` (the daemon's clock), which ages are measured from.
std::string alerts_json(const AlertsView& v, const AlertsQuery& q);
std::string silences_json(const AlertsView& v);
std::string silence_json(const Silence& s, WallTime now);

// The body of POST /api/v1/silences:
//   {"matchers": [{"name": "subject", "value": "db*"}], "starts_at": "2026-04-18T18:00:00Z",
//    "ends_at": "2026-04-18T20:00:00Z" | "duration": "2h", "comment": "...", "author": "..."}
// starts_at defaults to `now`; exactly one of ends_at and duration; ends_at after starts_at and
// after now; comment required. The error names what is wrong.
StatusOr<Silence> parse_silence_request(std::string_view body, WallTime now);

}  // namespace hale
