// Silences (SPEC §6): one-off silences made through the API (matchers, start, end, comment,
// author) and the maintenance windows of [[silences]] in the config (a cron schedule and a
// duration). Pure apart from the cron arithmetic: what is muted at a given instant, and when
// that next changes (so the alerter can look again right then).
//
// Scenario: [[silences]] match = ["db"], schedule = "0 2 * * 0", duration = "2h": db's alerts
// made on Sundays between 02:00 and 04:00 are recorded as silenced; one still failing at 04:00
// is announced then.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hale/model/alert.h"
#include "hale/config.h"
#include "hale/status.h"

namespace hale {

// True when every matcher matches: subject (the name), kind, status (the key's status: "fail",
// "degraded" or "flapping"; for a resolution, the status that ended) and key, each a glob.
bool silence_matches(const Silence& s, const Alert& a);
bool silence_active(const Silence& s, WallTime now);
// "pending" (not started yet), "active" or "expired", as Alertmanager says it.
std::string_view silence_state(const Silence& s, WallTime now);

// A matcher list as the API takes it: at least one matcher, names among kSilenceMatcherNames,
// values not empty. The error says what is wrong.
Status validate_matchers(const std::vector<SilenceMatcher>& matchers);

class SilenceSet {
 public:
  // The maintenance windows of the config; an entry whose schedule or zone cannot be read is
  // skipped (the loader has already refused such a file).
  void set_windows(const std::vector<SilenceSpec>& specs);
  // The API's silences (restored from the store, or the whole set).
  void set_silences(std::vector<Silence> silences) { silences_ = std::move(silences); }
  // Adds or replaces (by id) an API silence.
  void put(Silence s);
  // Ends an API silence now (kept, as Alertmanager keeps expired silences); false when unknown
  // or already over.
  bool expire(std::string_view id, WallTime now, Silence* expired = nullptr);
  // Forgets API silences that ended before `before`.
  void forget_ended_before(WallTime before);

  bool muted(const Alert& a, WallTime now) const;
  // The earliest start or end of a silence or window after `now`; nullopt when none.
  std::optional<WallTime> next_change(WallTime now) const;

  const std::vector<Silence>& silences() const { return silences_; }
  // A maintenance window of [[silences]] that covers some instant.
  struct ActiveWindow {
    std::size_t index = 0;  // in [[silences]], 0-based
    SilenceSpec spec;
    WallTime starts_at{};
    WallTime ends_at{};
  };
  // The windows active at `now`, for the API.
  std::vector<ActiveWindow> active_windows(WallTime now) const;

 private:
  struct Window {
    std::size_t index;  // in [[silences]]
    SilenceSpec spec;
  };
  // The window of `w` that covers `now`, as [start, end).
  std::optional<std::pair<WallTime, WallTime>> window_at(const Window& w, WallTime now) const;

  std::vector<Window> windows_;
  std::vector<Silence> silences_;
};

}  // namespace hale
