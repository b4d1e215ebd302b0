// EventHub (see event_hub.h).
#include "hale/server/event_hub.h"

#include <charconv>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace hale {

std::string EventHub::make_run_id() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

void EventHub::publish(std::string_view type, std::string_view json) {
  const std::uint64_t id = next_id_++;
  auto frame = std::make_shared<const std::string>(fmt::format("id: {}-{}\nevent: {}\ndata: {}\n\n", run_, id, type, json));
  kept_.emplace_back(id, frame);
  if (kept_.size() > kKept) kept_.pop_front();
  deliver(frame);
}

void EventHub::deliver(const Frame& f) {
  std::vector<Subscriber*> full;
  for (Subscriber* s : subscribers_) {
    if (!s->push(f)) full.push_back(s);
  }
  for (Subscriber* s : full) {
    subscribers_.erase(s);
    ++dropped_;
  }
}

const EventHub::Frame& EventHub::reset_frame() {
  static const Frame kReset = std::make_shared<const std::string>("event: reset\ndata: {}\n\n");
  return kReset;
}

bool EventHub::subscribe(Subscriber* s, std::string_view last_event_id) {
  std::size_t from = kept_.size();  // nothing to replay
  if (!last_event_id.empty()) {
    std::uint64_t n = 0;
    const auto dash = last_event_id.rfind('-');
    const bool ours = dash != std::string_view::npos && last_event_id.substr(0, dash) == run_;
    const std::string_view digits = dash == std::string_view::npos ? std::string_view{} : last_event_id.substr(dash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    const bool number = ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
    const std::uint64_t oldest = kept_.empty() ? next_id_ : kept_.front().first;
    if (ours && number && n + 1 >= oldest && n < next_id_) {
      from = static_cast<std::size_t>(n + 1 - oldest);
    } else {
      // The id is not one this run can resume from: the client reads the whole state again.
      if (!s->push(reset_frame())) return false;
    }
  }
  // A backlog that would fill half a client's queue is not replayed: the client could never
  // catch up that way. It gets a reset and reads the state whole instead.
  std::size_t backlog = 0;
  for (std::size_t i = from; i < kept_.size(); ++i) backlog += kept_[i].second->size();
  if (backlog > kMaxQueuedBytes / 2) {
    if (!s->push(reset_frame())) return false;
    from = kept_.size();
  }
  for (std::size_t i = from; i < kept_.size(); ++i) {
    if (!s->push(kept_[i].second)) return false;
  }
  subscribers_.insert(s);
  return true;
}

void EventHub::keepalive() {
  static const Frame kKeepalive = std::make_shared<const std::string>(": keepalive\n\n");
  deliver(kKeepalive);
}

}  // namespace hale
