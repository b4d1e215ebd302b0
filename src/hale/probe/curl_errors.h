// curl_failure: a failed libcurl transfer as a short ProbeResult reason and a stable
// error_code ("timeout", "refused", "dns", "tls", "connect"), and the URL secrets to scrub from
// it first (shared by the http and expiry probes). Pure, unit-tested.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>
#include <vector>

#include "hale/health.h"

namespace hale {

// `os_errno` is CURLINFO_OS_ERRNO (tells "refused" from "unreachable"), `detail` the text of
// CURLOPT_ERRORBUFFER (may be empty: curl_easy_strerror is used then). The caller removes
// secrets from `detail` first: curl may quote the host or URL in it.
ProbeResult curl_failure(CURLcode code, long os_errno, std::string_view detail);

// The password of the URL's userinfo (percent-decoded and as written), to scrub from
// curl's error texts. Empty when the URL has none.
std::vector<std::string> url_secrets(const std::string& url);

// `text` with every occurrence of `secret` replaced by "***" (nothing when secret is empty).
std::string scrub_secret(std::string text, std::string_view secret);

}  // namespace hale
