// Maps libcurl transfer errors to ProbeResult reasons and codes (see curl_errors.h).
#include "hale/net/curl_errors.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "hale/version.h"

namespace hale {

namespace {

constexpr std::size_t kMaxDetail = 200;

bool is_tls_error(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

}  // namespace

ProbeResult curl_failure(CURLcode code, long os_errno, std::string_view detail) {
  std::string text(detail.empty() ? std::string_view(curl_easy_strerror(code)) : detail);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > kMaxDetail) text.resize(kMaxDetail);

  if (code == CURLE_OPERATION_TIMEDOUT) return probe_failure("timeout", ErrorKind::kTimeout);
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY) {
    return probe_failure("dns: " + text, ErrorKind::kDns);
  }
  if (is_tls_error(code)) return probe_failure("tls: " + text, ErrorKind::kTls);
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) {
    switch (os_errno) {
      case ECONNREFUSED: return probe_failure("connection refused", ErrorKind::kRefused);
      case ECONNRESET: return probe_failure("connection reset", ErrorKind::kConnect);
      case EHOSTUNREACH: return probe_failure("host unreachable", ErrorKind::kConnect);
      case ENETUNREACH: return probe_failure("network unreachable", ErrorKind::kConnect);
      case ETIMEDOUT: return probe_failure("timeout", ErrorKind::kTimeout);
      default: break;
    }
  }
  if (code == CURLE_GOT_NOTHING) return probe_failure("empty reply from server", ErrorKind::kConnect);
  return probe_failure(text, ErrorKind::kConnect);
}

std::vector<std::string> url_secrets(const std::string& url) {
  std::vector<std::string> out;
  CURLU* h = curl_url();
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    for (unsigned flags : {0u, static_cast<unsigned>(CURLU_URLDECODE)}) {
      char* pw = nullptr;
      if (curl_url_get(h, CURLUPART_PASSWORD, &pw, flags) == CURLUE_OK && pw && *pw) {
        out.emplace_back(pw);
      }
      curl_free(pw);
    }
  }
  curl_url_cleanup(h);
  return out;
}

std::string scrub_secret(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  std::size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

bool set_probe_transfer_options(CURL* e, const std::string& url, Duration timeout, char* error_buffer,
                                bool keepalive) {
  static const std::string user_agent = "hale/" + version();
  const long ms = static_cast<long>(
      std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  bool ok = true;
  auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_URL, url.c_str()));
  // Only http(s): a URL must not reach file://, gopher:// and the like.
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));  // a redirect is an answer to judge
  // Removing a transfer whose name lookup hangs would otherwise join curl's resolver thread and
  // block the loop until getaddrinfo() returns; this detaches it instead.
  set(curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L));
  if (keepalive) {
    // A kept connection is reused while the target keeps it open, but never one older than
    // kMaxConnectionAge: a target that stops accepting new connections (its listener gone, its
    // backlog full) is still found out within that time.
    set(curl_easy_setopt(e, CURLOPT_MAXLIFETIME_CONN, static_cast<long>(kMaxConnectionAge.count())));
  } else {
    set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
    set(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
  }
  set(curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str()));
  // A probe reads a status line, headers and at most kMaxHttpBody of body: a 4 KB receive buffer
  // (curl's default is 16 KB) does, and 512 transfers in flight at start-up hold 6 MB less.
  set(curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 4096L));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer));
  return ok;
}

ProbeResult transfer_failure(CURL* easy, CURLcode code, const char* error_buffer,
                             const std::vector<std::string>& secrets) {
  long os_errno = 0;
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  std::string detail = error_buffer;
  for (const auto& s : secrets) detail = scrub_secret(std::move(detail), s);
  ProbeResult r = curl_failure(code, os_errno, detail);
  for (const auto& s : secrets) r.reason = scrub_secret(std::move(r.reason), s);
  return r;
}

}  // namespace hale
