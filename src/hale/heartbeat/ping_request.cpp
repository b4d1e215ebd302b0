// Ping URL parsing and output bounding (see ping_request.h).
#include "hale/heartbeat/ping_request.h"

#include <charconv>

#include <fmt/format.h>

namespace hale {

std::optional<PingRequest> parse_ping_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/ping/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);  // /ping/NAME/ as /ping/NAME
  const auto slash = rest.find('/');
  PingRequest r;
  r.name = std::string(rest.substr(0, slash));
  if (r.name.empty()) return std::nullopt;
  if (slash == std::string_view::npos) return r;
  const std::string_view what = rest.substr(slash + 1);
  if (what.empty() || what.find('/') != std::string_view::npos) return std::nullopt;
  if (what == "start") {
    r.kind = PingKind::kStart;
  } else if (what == "fail") {
    r.kind = PingKind::kFail;
  } else if (what == "log") {
    r.kind = PingKind::kLog;
  } else {
    // Digits only, as healthchecks.io's <int:exitstatus> route: no sign ("-0", "+3" are not
    // exit codes), leading zeros read as the number ("0003" is 3).
    if (what.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    r.kind = PingKind::kExitCode;
    unsigned long long code = 0;
    auto [end, ec] = std::from_chars(what.data(), what.data() + what.size(), code);
    if (ec != std::errc() || code > 255) {
      r.exit_code_over_255 = true;  // a ping URL, but a bad one: 400, as healthchecks.io answers
      return r;
    }
    r.exit_code = static_cast<int>(code);
  }
  return r;
}

PingOutput ping_output(std::string_view kept, std::uint64_t body_bytes) {
  PingOutput out;
  if (kept.size() > kMaxPingBody) kept = kept.substr(kept.size() - kMaxPingBody);
  out.dropped = body_bytes > kept.size() ? body_bytes - kept.size() : 0;
  if (out.dropped > 0) {
    const auto newline = kept.find('\n');
    if (newline != std::string_view::npos && newline + 1 < kept.size()) {
      out.dropped += newline + 1;
      kept.remove_prefix(newline + 1);
    }
  }
  out.text = std::string(kept);
  return out;
}

std::string output_excerpt(std::string_view text, std::uint64_t dropped, std::size_t max) {
  if (dropped == 0 && text.size() <= max) return std::string(text);
  // The note's length depends on the numbers in it; reserve room for the longest.
  constexpr std::size_t kNoteRoom = 64;
  const std::size_t keep = std::min(text.size(), max - kNoteRoom);
  std::string out = fmt::format("[hale: output truncated: first {} bytes left out]\n",
                                dropped + (text.size() - keep));
  out.append(text.substr(text.size() - keep));
  return out;
}

}  // namespace hale
