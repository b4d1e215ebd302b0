// What the http and expiry probes share about a libcurl transfer: the options every probe
// transfer gets, and a failed transfer as a short ProbeResult reason and an ErrorKind (timeout,
// refused, dns, tls, connect) with the URL secrets scrubbed from it.
// curl_failure, url_secrets and scrub_secret are pure and unit-tested.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
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

// Sets what every probe transfer needs on `easy`: the URL (http and https only), `timeout` for
// the whole transfer and for the connect, no redirects (a redirect is an answer to judge),
// hale's User-Agent, and `error_buffer` (CURL_ERROR_SIZE bytes) for curl's error text. With
// `keepalive`, a connection the target left open is reused (see HttpCheck::keepalive); without,
// a new connection each time, closed after the transfer. False when libcurl refused an option.
bool set_probe_transfer_options(CURL* easy, const std::string& url, Duration timeout, char* error_buffer,
                                bool keepalive = false);

// The oldest a reused connection may be (CURLOPT_MAXLIFETIME_CONN).
inline constexpr std::chrono::seconds kMaxConnectionAge{60};

// A transfer that ended with `code`: curl_failure() with its OS errno and its error text, every
// secret of `secrets` scrubbed from the reason.
ProbeResult transfer_failure(CURL* easy, CURLcode code, const char* error_buffer,
                             const std::vector<std::string>& secrets);

}  // namespace hale
