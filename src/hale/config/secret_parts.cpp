// The parts of a secret worth masking on their own (see secret_parts.h).
#include "hale/config/secret_parts.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

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

// The path segments of `url` (between the authority and the query).
std::vector<std::string_view> path_segments(std::string_view url) {
  std::vector<std::string_view> out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return out;
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return out;
  rest.remove_prefix(slash + 1);
  while (!rest.empty()) {
    const auto next = rest.find('/');
    out.push_back(rest.substr(0, next));
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return out;
}

// The password of `url`'s user info (https://user:PASSWORD@host/...), as written.
std::string_view userinfo_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  return colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
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
    // A webhook URL carries its secret in a long path segment (Slack's .../T0/B0/XXXX, Discord's
    // .../ID/TOKEN, Telegram's /bot<TOKEN>/...), in its password, or in a credential query key;
    // its other parts (/services, ?channel=ops) are everyday words the log must keep.
    for (std::string_view segment : path_segments(secret)) {
      if (segment.size() < kMinSecretPathSegment) continue;
      keep(out, std::string(segment), secret);
      keep(out, url_decode(segment), secret);
      if (segment.starts_with("bot")) keep(out, url_decode(segment.substr(3)), secret);  // Telegram
    }
    keep(out, std::string(userinfo_password(secret)), secret);
    keep(out, url_decode(userinfo_password(secret)), secret);
    for (std::string& v : credential_query_values(secret)) keep(out, std::move(v), secret);
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

bool is_credential_query_key(std::string_view key) {
  // Lower case, separators dropped: api_key, api-key, apiKey and APIKEY are one key.
  std::string k;
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.') continue;
    k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // Whole names, not substrings: `sort_key`, `author` and `monkey` are not credentials, and
  // masking their values would hide everyday words from the log.
  static constexpr std::array<std::string_view, 22> kNames{
      "key",       "apikey",     "auth",       "sig",          "signature",       "secret",
      "password",  "passwd",     "pwd",        "pass",         "credential",      "credentials",
      "accesskey", "secretkey",  "privatekey", "appkey",       "xamzsignature",   "xamzcredential",
      "xgoogsignature", "xgoogcredential", "hmac", "jwt"};
  if (std::find(kNames.begin(), kNames.end(), k) != kNames.end()) return true;
  // ...and any name that ends like one: access_token, client_secret, db_password, x_api_key.
  for (std::string_view suffix : {"token", "secret", "password", "apikey", "signature"}) {
    if (k.size() >= suffix.size() && k.ends_with(suffix)) return true;
  }
  return false;
}

std::vector<std::string> credential_query_values(std::string_view url) {
  std::vector<std::string> out;
  for (const auto& [key, value] : query_pairs(url)) {
    if (!is_credential_query_key(key)) continue;
    keep(out, std::string(value), url);
    keep(out, url_decode(value), url);
  }
  return out;
}

}  // namespace hale::config
