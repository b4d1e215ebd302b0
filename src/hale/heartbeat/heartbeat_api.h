// What the router and the HeartbeatMonitor exchange for /ping and the heartbeat API: plain
// values, so that the router needs neither the monitor nor Asio.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hale/heartbeat/heartbeat_state.h"
#include "hale/heartbeat_view.h"

namespace hale {

// One ping as the router hands it over.
struct PingCall {
  std::string_view name;
  PingKind kind = PingKind::kSuccess;
  int exit_code = 0;
  bool exit_code_over_255 = false;  // /ping/NAME/256 and up: 400 for a known heartbeat
  std::string_view body;        // the job's output (its tail, for a long one)
  std::uint64_t body_bytes = 0;  // how long the body was on the wire
  std::optional<std::string_view> token;  // from ?token= or `Authorization: Bearer`
};

struct PingAnswer {
  int status = 200;
  std::string body;  // text/plain, one line
};

// POST /api/v1/heartbeats/NAME/pause|resume.
struct HeartbeatActionResult {
  int http_status = 200;
  std::string error_code;
  std::string message;
  HeartbeatStatus state = HeartbeatStatus::kNew;
};

}  // namespace hale
