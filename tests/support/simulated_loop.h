// SimulatedLoop: an event loop whose timers run on a FakeClock (time/fake_timers.h), for tests of
// the engine, the supervisor and alerting on simulated time. advance() moves the clock and fires
// what falls due, each at its own instant; what a callback posts to the loop runs right after it.
// Real I/O (a process's exit, a socket) still needs the loop to run in real time: poll() or
// io.run_for().
#pragma once

#include <boost/asio/io_context.hpp>

#include "hale/clock.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/probe.h"
#include "hale/time/fake_timers.h"

namespace hale::testing {

struct SimulatedLoop {
  void poll() {
    io.restart();
    io.poll();
  }
  void advance(Duration d) { timers.advance(d); }

  FakeClock clock;
  boost::asio::io_context io;
  FakeTimers timers{clock, [this] { poll(); }};
  CurlMulti curl{io};
  ProbeContext probes{io, curl, clock};  // as the engine's; set `probes.factory` for scripted probes
};

}  // namespace hale::testing
