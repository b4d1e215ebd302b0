// The URLs `hale exec` pings (SPEC §5): BASE/ping/NAME/start and BASE/ping/NAME/<exit code>,
// where BASE is hale's base URL (--url, $HALE_URL, or http://127.0.0.1:8099). Pure: parsing
// and building strings, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "hale/status.h"

namespace hale {

inline constexpr std::string_view kDefaultPingBase = "http://127.0.0.1:8099";

struct PingBase {
  std::string url;      // http(s)://host[:port][/prefix], scheme in lower case, no trailing '/'
  std::string display;  // url with a userinfo password as *** (for messages)
  bool loopback = false;  // localhost, 127.0.0.0/8 or ::1: never through a proxy
};

// Checks and normalises a base URL. Errors (the text completes "--url \"x\" ..."):
// "is not an http:// or https:// URL", "has no host", "has a bad port", "must not have a query
// or a fragment". A path prefix (a reverse proxy's /hale) is kept.
StatusOr<PingBase> parse_ping_base(std::string_view base);

// Percent-encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~), so that
// `segment` stays one path segment whatever it holds. A valid heartbeat name is unchanged.
std::string escape_path_segment(std::string_view segment);

// base.url + "/ping/" + escaped name + "/" + what ("start", "0".."255").
std::string ping_url(const PingBase& base, std::string_view name, std::string_view what);

}  // namespace hale
