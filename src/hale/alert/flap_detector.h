// FlapDetector: is a subject flapping? (SPEC §6: a subject that flips more than N times in a
// window is reported once as flapping, then once as stable again, not once per flip.) Pure,
// on calendar time given by the caller.
//
// Scenario: a check with max_changes = 5 and window = 10m goes fail, ok, fail, ok, fail, ok
// within four minutes. The sixth change makes it flapping (one alert); nothing is said about the
// flips after that; ten minutes after the last change it is stable again (one more alert).
#pragma once

#include <deque>
#include <optional>

#include "hale/clock.h"
#include "hale/config.h"

namespace hale {

class FlapDetector {
 public:
  explicit FlapDetector(FlapPolicy policy = {}) : policy_(policy) {}
  void set_policy(FlapPolicy policy) { policy_ = policy; }

  // The subject changed status at `at`. True when this change makes it flapping.
  bool record_change(WallTime at);
  // True when it was flapping and has now gone a whole window without a change: it is stable
  // again (and no longer flapping).
  bool check_stable(WallTime now);

  bool flapping() const { return flapping_; }
  // When check_stable() may next answer true; nullopt when not flapping.
  std::optional<WallTime> next_deadline() const;
  std::optional<WallTime> last_change() const { return last_change_; }

  // Back to what a previous hale saved.
  void restore(bool flapping, std::optional<WallTime> last_change);

 private:
  FlapPolicy policy_;
  std::deque<WallTime> changes_;  // within the window, oldest first
  bool flapping_ = false;
  std::optional<WallTime> last_change_;
};

}  // namespace hale
