// eventually(): waits for a condition with a bounded deadline, the tests' one way to wait for
// something another process or thread does (no fixed sleeps).
#pragma once

#include <time.h>

#include <chrono>

namespace hale::testing {

// Polls `condition` every 10 ms until it holds or `within` passes.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    struct timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
  return condition();
}

}  // namespace hale::testing
