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
    if (what.front() < '0' || what.front() > '9') return std::nullopt;  // no sign: "-0" is not an exit code
    int code = -1;
    auto [end, ec] = std::from_chars(what.data(), what.data() + what.size(), code);
    if (ec != std::errc() || end != what.data() + what.size() || code < 0 || code > 255 || what.size() > 3) {
      return std::nullopt;
    }
    r.kind = PingKind::kExitCode;
    r.exit_code = code;
  }
  return r;
}

std::string bounded_output(std::string_view body) { return bounded_output(body, body.size()); }

std::string bounded_output(std::string_view kept, std::uint64_t body_bytes) {
  if (kept.size() > kMaxPingBody) kept = kept.substr(kept.size() - kMaxPingBody);
  if (body_bytes <= kept.size()) return std::string(kept);
  std::string out = fmt::format("[hale: output truncated: first {} bytes dropped, last {} kept]\n",
                                body_bytes - kept.size(), kept.size());
  out.append(kept);
  return out;
}

}  // namespace hale
