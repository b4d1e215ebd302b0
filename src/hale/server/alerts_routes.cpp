// /api/v1/alerts and /api/v1/silences (see alerts_routes.h).
#include "hale/server/alerts_routes.h"

#include <charconv>

#include <fmt/format.h>

#include "hale/server/alerts_json.h"
#include "hale/server/answers.h"
#include "hale/server/router.h"

namespace hale {

namespace {

constexpr std::string_view kAlerts = "/api/v1/alerts";
constexpr std::string_view kSilences = "/api/v1/silences";
constexpr std::size_t kMaxLimit = 1000;

HttpResponse list_alerts(const ParsedTarget& t, const RouterContext& ctx) {
  AlertsQuery q;
  if (auto states = t.all("state"); !states.empty()) {
    if (!is_shown_delivery_state(states.front())) {
      return json_error(400, "bad_request", "`state` is one of pending, accepted, sent, failed, silenced");
    }
    q.state = states.front();
  }
  if (auto limits = t.all("limit"); !limits.empty()) {
    const std::string& v = limits.front();
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n == 0 || n > kMaxLimit) {
      return json_error(400, "bad_request", fmt::format("`limit` is a number from 1 to {}", kMaxLimit));
    }
    q.limit = n;
  }
  return json_answer(200, alerts_json(ctx.alerts(true), q));
}

HttpResponse add_silence(const HttpRequest& req, const RouterContext& ctx) {
  if (auto refused = refuse_unauthorized(req, ctx.admin_token)) return *refused;
  auto s = parse_silence_request(req.body, ctx.now);
  if (!s) return json_error(400, "bad_request", s.status().message());
  const Silence added = ctx.add_silence(std::move(s).value());
  return json_answer(201, silence_json(added, ctx.now));
}

HttpResponse one_silence(const HttpRequest& req, const RouterContext& ctx, std::string_view id) {
  if (req.method == "DELETE") {
    if (auto refused = refuse_unauthorized(req, ctx.admin_token)) return *refused;
    if (!ctx.expire_silence(id)) {
      return json_error(404, "not_found", fmt::format("no active or pending silence with id \"{}\"", id));
    }
  }
  const AlertsView v = ctx.alerts(false);
  for (const Silence& s : v.silences) {
    if (s.id == id) return json_answer(200, silence_json(s, v.now));
  }
  return json_error(404, "not_found", fmt::format("no silence with id \"{}\"", id));
}

}  // namespace

std::optional<HttpResponse> route_alerts(const HttpRequest& req, const ParsedTarget& t, const RouterContext& ctx) {
  const std::string_view path = t.path;
  const bool read = req.method == "GET" || req.method == "HEAD";
  if (path == kAlerts) {
    if (!read) return method_not_allowed("GET, HEAD");
    if (!ctx.alerts) return json_error(503, "alerting_unavailable", "alerting is not running");
    return list_alerts(t, ctx);
  }
  if (path == kSilences) {
    if (!read && req.method != "POST") return method_not_allowed("GET, HEAD, POST");
    if (!ctx.alerts) return json_error(503, "alerting_unavailable", "alerting is not running");
    if (req.method == "POST") return add_silence(req, ctx);
    return json_answer(200, silences_json(ctx.alerts(false)));
  }
  if (path.starts_with(kSilences) && path.size() > kSilences.size() + 1 && path[kSilences.size()] == '/') {
    const std::string_view id = path.substr(kSilences.size() + 1);
    if (!read && req.method != "DELETE") return method_not_allowed("GET, HEAD, DELETE");
    if (!ctx.alerts) return json_error(503, "alerting_unavailable", "alerting is not running");
    return one_silence(req, ctx, id);
  }
  return std::nullopt;
}

}  // namespace hale
