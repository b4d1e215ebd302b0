// /api/v1/alerts and /api/v1/silences (see alerts_routes.h).
#include "hale/server/alerts_routes.h"

#include <charconv>

#include <fmt/format.h>

#include "hale/server/alerts_json.h"
#include "hale/server/answers.h"
#include "hale/server/router.h"

namespace hale {

namespace {

constexpr std::size_t kMaxLimit = 1000;

HttpResponse alerting_unavailable() { return json_error(503, "alerting_unavailable", "alerting is not running"); }

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

HttpResponse alerts_list(const RouteCall& c) {
  if (!c.ctx.alerts) return alerting_unavailable();
  return list_alerts(c.target, c.ctx);
}

HttpResponse silences(const RouteCall& c) {
  if (!c.ctx.alerts) return alerting_unavailable();
  if (c.req.method == "POST") return add_silence(c.req, c.ctx);
  return json_answer(200, silences_json(c.ctx.alerts(false)));
}

HttpResponse silence_one(const RouteCall& c) {
  if (!c.ctx.alerts) return alerting_unavailable();
  return one_silence(c.req, c.ctx, c.name);
}

}  // namespace hale
