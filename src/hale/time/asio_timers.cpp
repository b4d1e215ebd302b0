// asio_timers() (see timer.h): the one translation unit of time/ with Asio's timer.
#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hale/time/timer.h"

namespace hale {

namespace {

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io) : timer_(io), generation_(std::make_shared<std::uint64_t>(0)) {}
  ~AsioTimer() override { ++*generation_; }

  void start(Duration after, std::function<void()> fire) override {
    const std::uint64_t mine = ++*generation_;
    timer_.expires_after(after);
    // A completion already queued when the wait was replaced or cancelled comes with no error:
    // the generation tells it apart.
    timer_.async_wait([generation = generation_, mine, fire = std::move(fire)](const boost::system::error_code& ec) {
      if (ec || *generation != mine) return;
      fire();
    });
  }

  void cancel() override {
    ++*generation_;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<std::uint64_t> generation_;  // shared with the waits in flight
};

class AsioTimers final : public Timers {
 public:
  explicit AsioTimers(boost::asio::io_context& io) : io_(io) {}
  std::unique_ptr<Timer> make() override { return std::make_unique<AsioTimer>(io_); }

 private:
  boost::asio::io_context& io_;
};

}  // namespace

std::unique_ptr<Timers> asio_timers(boost::asio::io_context& io) { return std::make_unique<AsioTimers>(io); }

}  // namespace hale
