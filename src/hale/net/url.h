// A URL split by libcurl's URL API (CURLU), the one URL parser of hale: config checks, ping
// bases, the targets /health shows and the notifiers' loopback test all read URLs through it.
//
// Two guards stand before CURLU, where libcurl 7.88 (Debian 12) accepts what a config must not
// say: "http:///ping" (curl reads "ping" as the host) has no host, and "http://h:" (curl drops the
// empty port) has a bad port.
//
// Not here: finding a URL's password to mask it (config/secret.cpp, url_userinfo_secret) stays a
// scan of the text, because the redactor must also mask URLs that no parser accepts (an unencoded
// '@' in a password: "https://u:p@ss@host").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hale {

struct Url {
  std::string scheme;  // lower case
  // As written (percent-encoding kept). `user` alone is usually a token ("https://TOKEN@host").
  std::string user;
  std::optional<std::string> password;
  std::string host;  // as written; an IPv6 literal keeps its brackets
  std::string port;  // empty when none was written
  std::string path;  // "/" at least
  std::optional<std::string> query;     // without the '?'
  std::optional<std::string> fragment;  // without the '#'

  // scheme://[userinfo@]host[:port], with `userinfo_shown` in place of the userinfo when the
  // URL has one.
  std::string origin(std::string_view userinfo_shown) const;
};

enum class UrlError { kNoScheme, kNoHost, kBadPort, kInvalid };

struct UrlParse {
  std::optional<Url> url;
  UrlError error = UrlError::kInvalid;  // when !url
  std::string detail;                   // libcurl's words for kInvalid
};

UrlParse parse_url(std::string_view text);

// localhost and *.localhost (RFC 6761, a final '.' too), 127.0.0.0/8, ::1 and ::ffff:127.x.y.z,
// in any case; an IPv6 address with or without its brackets (Url::host keeps them).
bool is_loopback_host(std::string_view host);

}  // namespace hale
