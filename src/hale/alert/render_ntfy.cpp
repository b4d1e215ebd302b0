// The ntfy notifier: ntfy's JSON publishing (the message as a JSON object POSTed to the server's
// root URL, the topic inside it), so that a non-ASCII title needs no header encoding.
#include <curl/curl.h>

#include <memory>

#include <fmt/format.h>

#include "hale/alert/render.h"
#include "hale/alert/render_text.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;
using namespace render;

// ntfy turns a longer message into an attachment; kept within it.
constexpr std::size_t kNtfyMessageMaxBytes = 4096;

// ntfy's priorities: 5 max (urgent), 4 high, 3 default.
int priority(const Alert& a) {
  switch (phase(a)) {
    case Phase::kResolved:
    case Phase::kStable: return 3;
    case Phase::kFlapping: return 4;
    case Phase::kFiring: break;
  }
  return a.severity() == "critical" ? 5 : 4;
}

// Tags that are emoji short codes show as emoji before the title; the kind shows as a plain tag.
ojson tags(const Alert& a) {
  std::string emoji;
  switch (phase(a)) {
    case Phase::kResolved:
    case Phase::kStable: emoji = "white_check_mark"; break;
    case Phase::kFlapping: emoji = "repeat"; break;
    case Phase::kFiring: emoji = a.severity() == "critical" ? "rotating_light" : "warning"; break;
  }
  return ojson::array({emoji, std::string(to_string(a.kind))});
}

}  // namespace

NtfyEndpoint ntfy_endpoint(const std::string& topic_url) {
  NtfyEndpoint out{topic_url, ""};
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), curl_url_cleanup);
  if (!h || curl_url_set(h.get(), CURLUPART_URL, topic_url.c_str(), 0) != CURLUE_OK) return out;
  char* raw = nullptr;
  if (curl_url_get(h.get(), CURLUPART_PATH, &raw, 0) != CURLUE_OK || raw == nullptr) return out;
  std::string path = raw;
  curl_free(raw);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash + 1 >= path.size()) return out;  // no topic: left to ntfy to refuse
  const std::string base_path = path.substr(0, slash + 1);
  char* full = nullptr;
  if (curl_url_set(h.get(), CURLUPART_PATH, base_path.c_str(), 0) != CURLUE_OK ||
      curl_url_set(h.get(), CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK ||
      curl_url_get(h.get(), CURLUPART_URL, &full, 0) != CURLUE_OK || full == nullptr) {
    return out;
  }
  out.base = full;
  out.topic = path.substr(slash + 1);
  curl_free(full);
  return out;
}

HttpDeliveryRequest render_ntfy(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
  const Alert& a = d.alert;
  const NtfyEndpoint endpoint = ntfy_endpoint(n.urls.empty() ? std::string() : n.urls.front());
  // The reason first, then where and since when, e.g.
  //   connection refused
  //   fail (was ok) since 2026-04-18T17:58:02Z, on host-1 (hale)
  // or, once it ended, "ok (was fail) after 32m10s, from 2026-04-18T17:58:02Z, on host-1 (hale)".
  // The reason is cut to leave room for the details line.
  std::string details = fmt::format("{} {}, on {}", status_summary(a), when_phrase(a), one_line(ctx.host));
  if (!ctx.service.empty()) details += " (" + one_line(ctx.service) + ")";
  details = cut_bytes(details, kNtfyMessageMaxBytes / 2);
  std::string message = cut_bytes(multi_line(a.message), kNtfyMessageMaxBytes - details.size() - 1);
  if (!message.empty()) message += "\n";
  message += details;

  ojson body;
  body["topic"] = endpoint.topic;
  body["title"] = alert_headline(a);
  body["message"] = message;
  body["priority"] = priority(a);
  body["tags"] = tags(a);

  HttpDeliveryRequest r;
  r.url = endpoint.base;
  r.headers.emplace_back("Content-Type", "application/json");
  if (n.token) r.headers.emplace_back("Authorization", bearer(*n.token));
  r.body = dump(body);
  return r;
}

}  // namespace hale
