// FakeTimers (see fake_timers.h).
#include "hale/time/fake_timers.h"

namespace hale {

class FakeTimers::FakeTimer final : public Timer {
 public:
  explicit FakeTimer(FakeTimers& owner) : owner_(owner), queue_(owner.queue_) {}
  ~FakeTimer() override { cancel(); }

  void start(Duration after, std::function<void()> fire) override {
    cancel();
    key_ = Key{owner_.clock_.now() + after, ++owner_.started_};
    (*queue_)[*key_] = std::move(fire);
  }

  void cancel() override {
    if (key_) queue_->erase(*key_);
    key_.reset();
  }

 private:
  FakeTimers& owner_;
  std::shared_ptr<Queue> queue_;
  std::optional<Key> key_;  // stale once fired: erasing it then is a no-op
};

FakeTimers::FakeTimers(FakeClock& clock, std::function<void()> settle) : clock_(clock), settle_(std::move(settle)) {}

std::unique_ptr<Timer> FakeTimers::make() { return std::make_unique<FakeTimer>(*this); }

void FakeTimers::advance(Duration d) {
  const SteadyTime until = clock_.now() + d;
  while (!queue_->empty() && queue_->begin()->first.first <= until) {
    auto first = queue_->begin();
    const SteadyTime due = first->first.first;
    std::function<void()> fire = std::move(first->second);
    queue_->erase(first);
    if (due > clock_.now()) clock_.advance(due - clock_.now());
    fire();
    if (settle_) settle_();
  }
  if (until > clock_.now()) clock_.advance(until - clock_.now());
}

std::optional<Duration> FakeTimers::next_due() const {
  if (queue_->empty()) return std::nullopt;
  const SteadyTime due = queue_->begin()->first.first;
  return due > clock_.now() ? due - clock_.now() : Duration::zero();
}

}  // namespace hale
