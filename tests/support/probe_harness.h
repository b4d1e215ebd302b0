// ProbeHarness: an io_context, a CurlMulti and a ProbeContext for probe integration tests,
// and run() that drives one attempt to its result under a watchdog, so that no test can
// wait forever.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>

#include "hale/net/curl_multi.h"
#include "hale/probe/probe.h"

namespace hale::testing {

class ProbeHarness {
 public:
  ProbeHarness() : curl_(io_), ctx_{io_, curl_} {}

  boost::asio::io_context& io() { return io_; }
  ProbeContext& ctx() { return ctx_; }

  // Starts one attempt with `timeout` and runs the loop until its result arrives or the
  // watchdog expires (nullopt then: the probe did not finish by itself).
  std::optional<ProbeResult> run(Probe& probe, Duration timeout,
                                 Duration watchdog = std::chrono::seconds(10)) {
    std::optional<ProbeResult> result;
    probe.start(timeout, [&](ProbeResult r) {
      result = std::move(r);
      io_.stop();
    });
    io_.restart();
    io_.run_for(watchdog);
    io_.restart();
    return result;
  }

  // Lets queued work (reaping, closing) happen for a while.
  void run_for(Duration d) {
    io_.restart();
    io_.run_for(d);
    io_.restart();
  }

 private:
  boost::asio::io_context io_;
  CurlMulti curl_;
  ProbeContext ctx_;
};

// An http check of `url` with every other key at its default.
inline HttpCheck http_check(const std::string& url) { return HttpCheck{.url = url}; }

}  // namespace hale::testing
