// Maps libcurl transfer errors to ProbeResult reasons and codes (see curl_errors.h).
#include "hale/probe/curl_errors.h"

#include <cerrno>
#include <string>
#include <vector>

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

  if (code == CURLE_OPERATION_TIMEDOUT) return probe_failure("timeout", "timeout");
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY) {
    return probe_failure("dns: " + text, "dns");
  }
  if (is_tls_error(code)) return probe_failure("tls: " + text, "tls");
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) {
    switch (os_errno) {
      case ECONNREFUSED: return probe_failure("connection refused", "refused");
      case ECONNRESET: return probe_failure("connection reset", "connect");
      case EHOSTUNREACH: return probe_failure("host unreachable", "connect");
      case ENETUNREACH: return probe_failure("network unreachable", "connect");
      case ETIMEDOUT: return probe_failure("timeout", "timeout");
      default: break;
    }
  }
  if (code == CURLE_GOT_NOTHING) return probe_failure("empty reply from server", "connect");
  return probe_failure(text, "connect");
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

}  // namespace hale
