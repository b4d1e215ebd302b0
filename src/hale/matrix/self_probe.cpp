// Checks that latch on hale's own answers (see self_probe.h).
#include "hale/matrix/self_probe.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace hale {

namespace {

struct UrlParts {
  std::string host;
  std::string port;
  std::string path;
  std::string query;
};

std::optional<UrlParts> parts_of(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), curl_url_cleanup);
  if (!h || curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto get = [&](CURLUPart part, unsigned flags = 0) {
    char* p = nullptr;
    std::string out;
    if (curl_url_get(h.get(), part, &p, flags) == CURLUE_OK && p != nullptr) out = p;
    curl_free(p);
    return out;
  };
  return UrlParts{get(CURLUPART_HOST), get(CURLUPART_PORT, CURLU_DEFAULT_PORT), get(CURLUPART_PATH),
                  get(CURLUPART_QUERY)};
}

// "127.0.0.1:8099" -> ("127.0.0.1", "8099"); "[::1]:8099" -> ("[::1]", "8099").
std::pair<std::string, std::string> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return {listen, ""};
  return {listen.substr(0, colon), listen.substr(colon + 1)};
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

// Whether `url` is hale's own listener.
bool is_hale(const UrlParts& u, const ServerConfig& server) {
  const auto [host, port] = split_listen(server.listen);
  if (u.port != port) return false;
  const bool wildcard = host == "0.0.0.0" || host == "[::]" || host.empty();
  return u.host == host || (is_loopback(u.host) && (wildcard || is_loopback(host)));
}

bool in_group(const CheckSpec& c, const std::string& group) {
  return std::find(c.groups.begin(), c.groups.end(), group) != c.groups.end();
}

// The answer that `c`'s own failure turns 503, if the path is one; "" otherwise.
bool answer_includes(const CheckSpec& c, const std::string& path) {
  if (path == "/livez" || path == "/healthz") return in_group(c, "live");
  if (path == "/readyz") return in_group(c, "ready");
  if (path == "/health") return c.critical;
  if (path == "/livez/" + c.name || path == "/readyz/" + c.name || path == "/health/" + c.name) return true;
  if (path.rfind("/groupz/", 0) == 0) return in_group(c, path.substr(8));
  return false;
}

}  // namespace

std::vector<std::string> self_probe_latches(const Config& config) {
  std::vector<std::string> out;
  for (const CheckSpec& c : config.checks) {
    const HttpCheck* http = c.as<HttpCheck>();
    if (http == nullptr || http->url_is_secret) continue;
    auto u = parts_of(http->url);
    if (!u || !is_hale(*u, config.server) || !answer_includes(c, u->path)) continue;
    // ?exclude=NAME (kube-apiserver's) leaves it out of the answer it probes.
    if (("&" + u->query + "&").find("&exclude=" + c.name + "&") != std::string::npos) continue;
    out.push_back("check " + c.name + " probes " + u->path + ", of which it is part: once it fails, " + u->path +
                  " stays 503 and it never recovers; probe " + u->path + "?exclude=" + c.name);
  }
  return out;
}

}  // namespace hale
