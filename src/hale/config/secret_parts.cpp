// The parts of a secret worth masking on their own (see secret_parts.h).
#include "hale/config/secret_parts.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "hale/config/credential_headers.h"

namespace hale::config {

namespace {

std::string url_decode(std::string_view s) {
  int n = 0;
  char* out = curl_easy_unescape(nullptr, std::string(s).c_str(), static_cast<int>(s.size()), &n);
  if (out == nullptr) return std::string(s);
  std::string decoded(out, static_cast<std::size_t>(n));
  curl_free(out);
  return decoded;
}

void keep(std::vector<std::string>& out, std::string part, std::string_view whole) {
  if (part.size() < kMinSecretPart || part == whole) return;
  if (std::find(out.begin(), out.end(), part) == out.end()) out.push_back(std::move(part));
}

// key=value pairs of the query of `url` (everything after the first '?', up to a '#').
std::vector<std::pair<std::string_view, std::string_view>> query_pairs(std::string_view url) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  const auto q = url.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos) out.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string base64_decode(std::string_view s) {
  std::string out(3 * (s.size() / 4 + 1), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return "";
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // the padding decodes as NULs
  return out;
}

bool is_scheme_word(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

std::vector<std::string> secret_parts(std::string_view secret) {
  std::vector<std::string> out;
  if (secret.find("://") != std::string_view::npos) {
    for (const auto& [key, value] : query_pairs(secret)) {
      keep(out, std::string(value), secret);
      keep(out, url_decode(value), secret);
    }
    return out;
  }
  // "Scheme credentials": one word, spaces, one token.
  const auto space = secret.find(' ');
  if (space == std::string_view::npos || !is_scheme_word(secret.substr(0, space))) return out;
  std::string_view credentials = secret.substr(space);
  credentials.remove_prefix(std::min(credentials.find_first_not_of(' '), credentials.size()));
  if (credentials.empty() || credentials.find(' ') != std::string_view::npos) return out;
  keep(out, std::string(credentials), secret);
  std::string scheme(secret.substr(0, space));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme == "basic") {
    const std::string user_password = base64_decode(credentials);
    const auto colon = user_password.find(':');
    if (colon != std::string::npos) {
      keep(out, user_password, secret);
      keep(out, user_password.substr(colon + 1), secret);
    }
  }
  return out;
}

std::vector<std::string> credential_query_values(std::string_view url) {
  std::vector<std::string> out;
  for (const auto& [key, value] : query_pairs(url)) {
    if (!is_credential_header(key) && key != "sig") continue;
    keep(out, std::string(value), url);
    keep(out, url_decode(value), url);
  }
  return out;
}

}  // namespace hale::config
