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
  bool exit_code_over_255 = false;  // /ping/NAME/256 and up: answered 400 (healthchecks.io)
};

// nullopt when `path` is not a ping URL (the caller answers 404): a missing name, an unknown
// suffix (a sign before an exit code), or more segments.
std::optional<PingRequest> parse_ping_path(std::string_view path);

// A POST body is a run's output. It may be any length and is never refused (SPEC §5): only
// its last kMaxPingBody bytes are kept (the end of a job's output says how it ended); the HTTP
// server already drops the rest as it reads.
inline constexpr std::size_t kMaxPingBody = 100 * 1024;

struct PingOutput {
  std::string text;           // what is judged: the end of the body
  std::uint64_t dropped = 0;  // bytes of the body before `text`
};

// The output of a body of `body_bytes` bytes of which `kept` are its last ones. When bytes were
// dropped, `text` starts at a whole line (a cut line could hold the tail of a secret, which the
// redactor cannot recognise, and would only confuse fail_if_output_matches).
PingOutput ping_output(std::string_view kept, std::uint64_t body_bytes);

// The excerpt kept and shown with a run, at most `max` bytes (max > 100): the whole output when
// it fits, else a line saying how much was left out, then the end of the output.
std::string output_excerpt(std::string_view text, std::uint64_t dropped, std::size_t max);

}  // namespace hale
