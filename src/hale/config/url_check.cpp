// URL checks through libcurl's URL API (see url_check.h).
#include "hale/config/url_check.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "hale/net/url.h"
#include "hale/text/ascii.h"

namespace hale::config {

std::optional<std::string> url_problem(std::string_view url, std::initializer_list<std::string_view> schemes) {
  std::string wanted;
  for (std::string_view s : schemes) wanted += (wanted.empty() ? "" : " or ") + std::string(s) + "://";
  // The scheme is judged first, even of a URL that does not parse: it is the likeliest slip.
  const auto sep = url.find("://");
  const std::string scheme = sep == std::string_view::npos ? "" : ascii_lower(url.substr(0, sep));
  if (std::none_of(schemes.begin(), schemes.end(), [&](std::string_view s) { return s == scheme; })) {
    return "must start with " + wanted;
  }
  const UrlParse parsed = parse_url(url);
  if (!parsed.url) {
    switch (parsed.error) {
      case UrlError::kNoScheme: return "must start with " + wanted;
      case UrlError::kNoHost: return std::string("has no host");
      case UrlError::kBadPort: return std::string("has a port that is not a number from 1 to 65535");
      case UrlError::kInvalid: return "is not a valid URL: " + parsed.detail;
    }
  }
  if (const std::string& port = parsed.url->port; !port.empty()) {
    const long n = std::strtol(port.c_str(), nullptr, 10);
    if (n < 1 || n > 65535) return "has port " + port + ", not one from 1 to 65535";
  }
  return std::nullopt;
}

}  // namespace hale::config
