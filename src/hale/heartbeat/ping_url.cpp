// Base URL parsing and ping URL building (see ping_url.h).
#include "hale/heartbeat/ping_url.h"

#include "hale/config.h"
#include "hale/net/url.h"

namespace hale {

StatusOr<PingBase> parse_ping_base(std::string_view base) {
  const UrlParse parsed = parse_url(base);
  if (!parsed.url) {
    switch (parsed.error) {
      case UrlError::kNoScheme: return Status::error("is not an http:// or https:// URL");
      case UrlError::kNoHost: return Status::error("has no host");
      case UrlError::kBadPort: return Status::error("has a bad port");
      case UrlError::kInvalid: return Status::error("is not a valid URL: " + parsed.detail);
    }
  }
  const Url& u = *parsed.url;
  if (u.scheme != "http" && u.scheme != "https") return Status::error("is not an http:// or https:// URL");
  // Even an empty one ("http://h/?"): the ping's own path and query go after the base.
  if (base.find_first_of("?#") != std::string_view::npos) {
    return Status::error("must not have a query or a fragment");
  }
  const std::string userinfo = u.user + (u.password ? ":" + *u.password : "");
  std::string path = u.path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  PingBase b;
  b.url = u.origin(userinfo) + path;
  b.display = redact_url(b.url);
  b.loopback = is_loopback_host(u.host);
  return b;
}

std::string escape_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string ping_url(const PingBase& base, std::string_view name, std::string_view what) {
  return base.url + "/ping/" + escape_path_segment(name) + "/" + std::string(what);
}

}  // namespace hale
