// The ping URLs of SPEC §5, compatible with healthchecks.io's: /ping/NAME (success),
// /ping/NAME/start, /ping/NAME/fail, /ping/NAME/log, /ping/NAME/<exit code 0-255>. Pure
// parsing of the path; the body (the job's output) and the token are the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hale/heartbeat/heartbeat_state.h"

namespace hale {

struct PingRequest {
  std::string name;
  PingKind kind = PingKind::kSuccess;
  int exit_code = 0;  // kExitCode only
};

// nullopt when `path` is not a ping URL (the caller answers 404): a missing name, an unknown
// suffix, an exit code out of 0-255, or more segments.
std::optional<PingRequest> parse_ping_path(std::string_view path);

// A POST body kept as a run's output: at most kMaxPingBody bytes; a longer body keeps its last
// kMaxPingBody bytes (the end of a job's output says how it ended) after a line saying how much
// was cut. Never rejected (SPEC §5).
inline constexpr std::size_t kMaxPingBody = 100 * 1024;
std::string bounded_output(std::string_view body);
// The same for a body of which only the last bytes arrived here (`kept`): the HTTP server
// keeps the tail of a long ping body, and `body_bytes` is how long it was on the wire.
std::string bounded_output(std::string_view kept, std::uint64_t body_bytes);

}  // namespace hale
