// URL checks through libcurl's URL API (see url_check.h).
#include "hale/config/url_check.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace hale::config {

namespace {

struct UrlHandle {
  CURLU* h = curl_url();
  ~UrlHandle() { curl_url_cleanup(h); }
};

struct CurlText {
  char* p = nullptr;
  ~CurlText() { curl_free(p); }
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::optional<std::string> url_problem(std::string_view url, std::initializer_list<std::string_view> schemes) {
  std::string wanted;
  for (std::string_view s : schemes) wanted += (wanted.empty() ? "" : " or ") + std::string(s) + "://";
  const auto sep = url.find("://");
  const std::string scheme = sep == std::string_view::npos ? "" : lower(url.substr(0, sep));
  if (std::none_of(schemes.begin(), schemes.end(), [&](std::string_view s) { return s == scheme; })) {
    return "must start with " + wanted;
  }
  const std::size_t host_at = sep + 3;
  if (host_at >= url.size() || std::string_view("/?#").find(url[host_at]) != std::string_view::npos) {
    return std::string("has no host");
  }
  UrlHandle u;
  if (!u.h) return std::string("cannot be checked (out of memory)");
  const std::string text(url);
  // NON_SUPPORT_SCHEME: smtp and ntfy's https are known to curl, but the check should not depend
  // on which protocols this libcurl was built with.
  const CURLUcode rc = curl_url_set(u.h, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc == CURLUE_BAD_PORT_NUMBER) return std::string("has a port that is not a number from 1 to 65535");
  if (rc != CURLUE_OK) return std::string("is not a valid URL: ") + curl_url_strerror(rc);
  CurlText port;
  if (curl_url_get(u.h, CURLUPART_PORT, &port.p, 0) == CURLUE_OK && port.p != nullptr) {
    const long n = std::strtol(port.p, nullptr, 10);
    if (n < 1 || n > 65535) return "has port " + std::string(port.p) + ", not one from 1 to 65535";
  }
  return std::nullopt;
}

}  // namespace hale::config
