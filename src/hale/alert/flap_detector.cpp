// Flap detection over a sliding window of status changes (see flap_detector.h).
#include "hale/alert/flap_detector.h"

namespace hale {

bool FlapDetector::record_change(WallTime at) {
  last_change_ = at;
  if (policy_.max_changes <= 0) return false;
  changes_.push_back(at);
  while (!changes_.empty() && changes_.front() <= at - policy_.window) changes_.pop_front();
  if (flapping_ || static_cast<int>(changes_.size()) <= policy_.max_changes) return false;
  flapping_ = true;
  return true;
}

bool FlapDetector::check_stable(WallTime now) {
  if (!flapping_) return false;
  if (last_change_ && now < *last_change_ + policy_.window) return false;
  flapping_ = false;
  changes_.clear();
  return true;
}

std::optional<WallTime> FlapDetector::next_deadline() const {
  if (!flapping_) return std::nullopt;
  return last_change_ ? *last_change_ + policy_.window : WallTime{};
}

void FlapDetector::restore(bool flapping, std::optional<WallTime> last_change) {
  flapping_ = flapping;
  last_change_ = last_change;
  changes_.clear();
}

}  // namespace hale
