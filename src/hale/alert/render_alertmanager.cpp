// The alertmanager notifier: one Alertmanager v2 alert (POST /api/v2/alerts, a JSON array) sent to
// every member of a cluster. Alertmanager identifies an alert by its labels, so a firing alert and
// its resolution carry the same labels and differ in endsAt.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "hale/alert/render.h"
#include "hale/alert/render_text.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;
using namespace render;

// Without a repeat, an alert is held open this long (it is not re-sent to renew it).
constexpr auto kEndsAtWithoutRepeat = std::chrono::hours(24 * 7);
// With one, it is re-sent every `repeat`; endsAt leaves room for two re-sends to be late or lost
// before Alertmanager resolves it by itself.
constexpr int kRepeatsBeforeEnd = 3;

// `a`: the delivery's alert, or one member of a digest (held like the alert it would have been).
WallTime ends_at(const Alert& a, const Delivery& d) {
  const Phase p = phase(a);
  if (p == Phase::kResolved || p == Phase::kStable) return a.at;  // the alert ended now
  // Held from this attempt, not from when the alert was made: an alert that reaches
  // Alertmanager late (it was down longer than the hold) must not arrive already ended, which
  // Alertmanager would take as resolved.
  const WallTime from = d.last_attempt_at ? std::max(a.at, *d.last_attempt_at) : a.at;
  // (A repeat of years is held a year at a time: no overflow.)
  const Duration repeat = std::min<Duration>(a.repeat, std::chrono::hours(24 * 365));
  const Duration hold = repeat > Duration::zero() ? kRepeatsBeforeEnd * repeat : Duration(kEndsAtWithoutRepeat);
  return from + std::chrono::duration_cast<WallTime::duration>(hold);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> alertmanager_labels(const Alert& a, const RenderContext& ctx) {
  const std::string status = problem_status(a);
  std::vector<std::pair<std::string, std::string>> labels{
      {"alertname", "Hale" + capitalised(to_string(a.kind)) + capitalised(status)},
      {"kind", std::string(to_string(a.kind))},
      {"subject", valid_utf8(a.subject)},
      {"status", status},
      {"severity", a.severity()},
      {"service", valid_utf8(ctx.service)},
      {"instance", valid_utf8(ctx.host)},
  };
  // SPEC §7: a drill's alert is another alert than a real one (its own fingerprint), and says so.
  if (!a.drill.empty()) labels.emplace_back("drill", valid_utf8(a.drill));
  return labels;
}

std::string alertmanager_endpoint(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), curl_url_cleanup);
  if (!h || curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return url;
  char* path = nullptr;
  if (curl_url_get(h.get(), CURLUPART_PATH, &path, 0) != CURLUE_OK) return url;
  const bool bare = path == nullptr || std::string_view(path).empty() || std::string_view(path) == "/";
  curl_free(path);
  if (!bare) return url;  // a URL with a path (a proxy, a prefix) is the endpoint as written
  if (curl_url_set(h.get(), CURLUPART_PATH, "/api/v2/alerts", 0) != CURLUE_OK) return url;
  char* full = nullptr;
  if (curl_url_get(h.get(), CURLUPART_URL, &full, 0) != CURLUE_OK || full == nullptr) return url;
  std::string out = full;
  curl_free(full);
  return out;
}

std::vector<HttpDeliveryRequest> render_alertmanager(const NotifierSpec& n, const Delivery& d,
                                                     const RenderContext& ctx) {
  // Alertmanager takes a list and groups by itself: a digest (SPEC §7) is its members, each
  // the alert it would have been on its own.
  ojson list = ojson::array();
  for (const Alert& a : carried_alerts(d.alert)) {
    ojson labels = ojson::object();
    for (auto& [name, value] : alertmanager_labels(a, ctx)) labels[name] = value;
    ojson annotations;
    annotations["summary"] = alert_headline(a);
    annotations["description"] = valid_utf8(a.message);
    annotations["hale_key"] = valid_utf8(a.key);
    annotations["hale_delivery_id"] = d.id;
    ojson alert;
    alert["labels"] = std::move(labels);
    alert["annotations"] = std::move(annotations);
    alert["startsAt"] = iso(a.since);
    alert["endsAt"] = iso(ends_at(a, d));
    list.push_back(std::move(alert));
  }
  const std::string body = dump(list);

  std::vector<HttpDeliveryRequest> out;
  for (const std::string& url : n.urls) {
    HttpDeliveryRequest r;
    r.url = alertmanager_endpoint(url);
    r.headers.emplace_back("Content-Type", "application/json");
    if (n.token) r.headers.emplace_back("Authorization", bearer(*n.token));
    r.body = body;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace hale
