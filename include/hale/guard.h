// hale::Guard (libhale, SPEC §7): whether one dependency is usable, and the answer a route that
// needs it gives while it is not, exactly as the daemon's GET /guard/NAME:
//   503, {"error":{"code":"<guard_code>","message":"<NAME> not ready"}}, Retry-After: seconds to
//   the next probe (5 when unknown).
// Reads the monitor's snapshot: cheap enough for every request. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hale/monitor.h"

namespace hale {

// An HTTP answer for the service's own server to send.
struct EmbeddedResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After, Cache-Control
};

class Guard {
 public:
  Guard(const Monitor& monitor, std::string dependency);

  // ok or degraded. A dependency the monitor does not have is never usable.
  bool usable() const;
  // 204 (no body) while usable; the 503 answer otherwise.
  EmbeddedResponse answer() const;
  // The 503 body: {"error":{"code":"...","message":"... not ready"}}.
  std::string error_json() const;
  const std::string& dependency() const { return dependency_; }

 private:
  const Monitor& monitor_;
  std::string dependency_;
};

}  // namespace hale
