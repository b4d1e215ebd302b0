// What the fuzz targets share: silence for hale's logger, and the one way a target cuts its
// input in two. Header-only: each target is one translation unit plus libhale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <utility>

#include "hale/log/json_log.h"

namespace hale::fuzz {

// hale logs one JSON line per event to stderr; millions of inputs would bury libFuzzer's own
// report in them. Errors only, into a stream that discards them (a null streambuf).
inline void quiet_logging() {
  static std::ostream nowhere(nullptr);
  init_logging(LogLevel::kError, &nowhere);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// (the first line, the rest): targets whose parser takes two strings (a cron line and a zone,
// a ping path and its body) read them as "FIRST\nREST". No newline: (everything, "").
inline std::pair<std::string_view, std::string_view> split_line(std::string_view in) {
  const std::size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return {in, {}};
  return {in.substr(0, nl), in.substr(nl + 1)};
}

// A broken property: abort, so that libFuzzer keeps the input and reports it as a crash.
[[noreturn]] inline void fail() { __builtin_trap(); }

}  // namespace hale::fuzz
