// GET /guard/NAME (see guard_route.h).
#include "hale/server/guard_route.h"

#include <algorithm>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "hale/config.h"
#include "hale/server/answers.h"
#include "hale/server/router.h"

namespace hale {

namespace {

// When hale does not know when it will look again (a heartbeat waits for its job's next ping; a
// check whose retries ran out waits for a reload), a caller is told to ask again this soon.
constexpr Duration kDefaultRetryAfter = std::chrono::seconds(5);

struct GuardVerdict {
  bool usable = false;
  std::string_view code;
  std::optional<WallTime> next_look;  // when hale will know more: the next probe, the next restart
};

// "Usable" is SPEC §7's word: ok or degraded. Unknown is not usable: a guard fails closed until
// the first result says otherwise.
bool usable(Health h) { return h == Health::kOk || h == Health::kDegraded; }

// A service is usable while it is up and nothing says it is not: ready, or running without a
// readiness check to wait for, and not held by a requirement (on_require_fail = "unready").
bool usable(const ServiceView& s) {
  if (!s.held.empty()) return false;
  return s.state == ServiceState::kReady || (s.state == ServiceState::kRunning && s.readiness.empty());
}

std::optional<GuardVerdict> judge(std::string_view name, const RouterContext& ctx) {
  if (const CheckView* c = ctx.snapshot.find(name)) return GuardVerdict{usable(c->status), c->guard_code, c->next_check};
  if (const HeartbeatView* h = ctx.heartbeats ? ctx.heartbeats->find(name) : nullptr) {
    // A paused heartbeat is not judged (an operator paused it, say for maintenance): its guard
    // stays open rather than turning every guarded route 503.
    const bool paused = h->state == HeartbeatStatus::kPaused;
    return GuardVerdict{paused || usable(h->health()), h->guard_code, std::nullopt};
  }
  if (const ServiceView* s = ctx.services ? ctx.services->find(name) : nullptr) {
    return GuardVerdict{usable(*s), s->guard_code, s->next_restart_at};
  }
  return std::nullopt;
}

// Whole seconds until `next_look` (rounded up, at least 1), else the default.
std::string retry_after(const std::optional<WallTime>& next_look, WallTime now) {
  Duration wait = kDefaultRetryAfter;
  if (next_look && *next_look > now) wait = *next_look - now;
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
  return std::to_string(std::max<std::int64_t>(1, seconds));
}

}  // namespace

HttpResponse guard_answer(std::string_view name, const RouterContext& ctx) {
  const std::optional<GuardVerdict> v = judge(name, ctx);
  if (!v) return json_error(404, "not_found", fmt::format("no check, heartbeat or service named \"{}\"", name));
  if (v->usable) {
    HttpResponse r;
    r.status = 204;
    return r;
  }
  HttpResponse r = json_error(503, v->code, fmt::format("{} not ready", name));
  r.headers.emplace_back("Retry-After", retry_after(v->next_look, ctx.now));
  return r;
}

}  // namespace hale
