// URLs through libcurl's CURLU (see url.h).
#include "hale/net/url.h"
#include "hale/text/ascii.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace hale {

namespace {

struct UrlHandleDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};

// One part of the URL, as written; nullopt when the URL has none.
std::optional<std::string> part(CURLU* h, CURLUPart which) {
  char* p = nullptr;
  if (curl_url_get(h, which, &p, 0) != CURLUE_OK || p == nullptr) return std::nullopt;
  std::string value(p);
  curl_free(p);
  return value;
}

UrlParse failed(UrlError e, std::string detail = {}) {
  UrlParse r;
  r.error = e;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

std::string Url::origin(std::string_view userinfo_shown) const {
  std::string out = scheme + "://";
  if (!user.empty() || password) {
    out += userinfo_shown;
    out += '@';
  }
  out += host;
  if (!port.empty()) out += ":" + port;
  return out;
}

UrlParse parse_url(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return failed(UrlError::kNoScheme);
  // The guards of url.h: nothing between "//" and the path, or a ':' with no port after it.
  const std::size_t authority = sep + 3;
  const std::size_t authority_end = std::min(text.find_first_of("/?#", authority), text.size());
  if (authority == authority_end) return failed(UrlError::kNoHost);
  if (text[authority_end - 1] == ':') return failed(UrlError::kBadPort);

  std::unique_ptr<CURLU, UrlHandleDeleter> h(curl_url());
  if (!h) return failed(UrlError::kInvalid, "out of memory");
  const std::string copy(text);
  // NON_SUPPORT_SCHEME: which schemes this libcurl was built with must not change what hale reads;
  // PATH_AS_IS: a path is shown and used as written (no "/a/../b" folded).
  switch (const CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, copy.c_str(), CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS)) {
    case CURLUE_OK: break;
    case CURLUE_NO_HOST:
    case CURLUE_BAD_IPV6: return failed(UrlError::kNoHost);
    case CURLUE_BAD_PORT_NUMBER: return failed(UrlError::kBadPort);
    case CURLUE_BAD_SCHEME:
    case CURLUE_NO_SCHEME:
    case CURLUE_BAD_SLASHES: return failed(UrlError::kNoScheme);
    default: return failed(UrlError::kInvalid, curl_url_strerror(rc));
  }
  Url u;
  u.scheme = ascii_lower(part(h.get(), CURLUPART_SCHEME).value_or(""));
  u.user = part(h.get(), CURLUPART_USER).value_or("");
  u.password = part(h.get(), CURLUPART_PASSWORD);
  u.host = part(h.get(), CURLUPART_HOST).value_or("");
  u.port = part(h.get(), CURLUPART_PORT).value_or("");
  u.path = part(h.get(), CURLUPART_PATH).value_or("/");
  u.query = part(h.get(), CURLUPART_QUERY);
  u.fragment = part(h.get(), CURLUPART_FRAGMENT);
  if (u.host.empty()) return failed(UrlError::kNoHost);
  UrlParse r;
  r.url = std::move(u);
  return r;
}

bool is_loopback_host(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string h = ascii_lower(host);
  if (h == "localhost" || h == "localhost." || h.ends_with(".localhost") || h.ends_with(".localhost.")) return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;  // ::ffff:127.x.y.z
  }
  return false;
}

}  // namespace hale
