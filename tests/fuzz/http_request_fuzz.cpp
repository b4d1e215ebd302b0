// The HTTP request path (SPEC §3, §8): raw bytes from a client, through the parser the server
// runs (Beast's request_parser with the server's header limit and per-route body rule, the
// TailBody that keeps a ping's tail) and then route(), the function every request reaches. No
// socket: the bytes are put to the parser as one buffer, as HttpServer's session does with what
// a read brought, and up to four pipelined requests are answered in turn.
//
// The context is the daemon's (src/hale/daemon.cpp) on a fixed world built once: checks,
// services and heartbeats in several states, an admin token, a Host allow list, drills whose
// JSON requests go to the real parse_drill_request. Callbacks that would change the world
// answer as the daemon's would, without changing it, so that every input replays alone.
//
// Properties: every answer has a status from 100 to 599 and a content type, and no header of an
// answer holds a CR or LF (response splitting).
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "hale/aggregate.h"
#include "hale/config.h"
#include "hale/drill/drill_request.h"
#include "hale/heartbeat/heartbeat_monitor.h"
#include "hale/heartbeat/ping_request.h"
#include "hale/server/host_allow.h"
#include "hale/server/request_parse.h"
#include "hale/server/router.h"
#include "support/fake_views.h"

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAdminToken = "fuzz-admin-token";

const char* const kConfig = R"([server]
listen = "127.0.0.1:8099"
allowed_hosts = ["hale.example"]

[checks.db]
type = "tcp"
target = "127.0.0.1:5432"
groups = ["ready", "live"]

[checks.web]
type = "http"
url = "http://127.0.0.1:8081/"

[checks.cache]
type = "tcp"
target = "127.0.0.1:6379"
critical = false

[heartbeats.backup]
schedule = "0 3 * * *"
tz = "Europe/Berlin"
token = "fuzz-ping-token"

[drills.db-down]
force = { db = "fail" }
duration = "10s"
expect = { readyz = 503 }
)";

struct World {
  hale::Config config;
  hale::FakeClock clock;
  hale::Snapshot snapshot;
  hale::ServicesSnapshot services;
  std::shared_ptr<const hale::HeartbeatsSnapshot> heartbeats;
  std::unique_ptr<hale::HostAllowList> hosts;
};

const World& world() {
  static const World* w = [] {
    hale::fuzz::quiet_logging();
    auto* w = new World;
    hale::LoadResult r = hale::load_config_string(kConfig, "http_request_fuzz.toml");
    if (!r.config) hale::fuzz::fail();
    w->config = std::move(*r.config);
    w->snapshot.started_at = w->clock.wall_now() - 1234s;
    using hale::testing::fake_check_view;
    w->snapshot.checks = {fake_check_view("cache", hale::Health::kDegraded, false, {"ready"}),
                          fake_check_view("db", hale::Health::kFail, true, {"ready", "live"}),
                          fake_check_view("web", hale::Health::kOk, true, {"ready"})};
    hale::finalize(w->snapshot);
    auto web = std::make_shared<hale::ServiceView>();
    web->name = "web";
    web->state = hale::ServiceState::kRunning;
    web->pid = 4242;
    web->restarts = 2;
    web->since = w->clock.wall_now() - 60s;
    w->services.services = {web};
    hale::finalize(w->services);
    static boost::asio::io_context io;  // never run: the monitor only gives its first snapshot
    static hale::HeartbeatMonitor monitor(io, w->clock);
    monitor.apply(w->config.heartbeats);
    w->heartbeats = monitor.snapshot();
    w->hosts = std::make_unique<hale::HostAllowList>(w->config.server.listen, w->config.server.allowed_hosts);
    return w;
  }();
  return *w;
}

std::optional<hale::ProcessStats> process_stats() {
  hale::ProcessStats s;
  s.resident_bytes = 4096 * 1000;
  s.threads = 3;
  return s;
}

hale::HttpResponse answer(const hale::HttpRequest& req) {
  const World& w = world();
  hale::RouterContext ctx{w.snapshot};
  ctx.version = "fuzz";
  ctx.admin_token = kAdminToken;
  ctx.now = w.clock.wall_now();
  ctx.process_stats = process_stats;
  ctx.reload = [] { return hale::ReloadOutcome{false, {"hale.toml:1:1: bad"}, 0}; };
  ctx.services = &w.services;
  // As Supervisor::act and HeartbeatMonitor::act answer, without starting or pausing anything:
  // 404 for a name they do not have (only configured names, all ASCII, reach the answer that
  // echoes the name; a stub that took any name would report crashes the daemon cannot have).
  ctx.service_action = [&w](std::string_view name, std::string_view) {
    if (!w.services.find(name)) {
      return hale::ServiceActionResult{404, "not_found", "no service named \"" + std::string(name) + "\""};
    }
    return hale::ServiceActionResult{200, "", "", hale::ServiceState::kRunning};
  };
  ctx.heartbeats = w.heartbeats.get();
  ctx.ping = [](const hale::PingCall& call) {
    const hale::PingOutput out = hale::ping_output(call.body, call.body_bytes);
    if (out.text.size() > call.body.size()) hale::fuzz::fail();
    return hale::PingAnswer{200, "OK\n"};
  };
  ctx.heartbeat_action = [&w](std::string_view name, std::string_view action) {
    if (!w.heartbeats->find(name)) {
      return hale::HeartbeatActionResult{404, "not_found", "no heartbeat named \"" + std::string(name) + "\""};
    }
    return hale::HeartbeatActionResult{200, "", "", action == "pause" ? hale::HeartbeatStatus::kPaused
                                                                       : hale::HeartbeatStatus::kNew};
  };
  ctx.alerts = [&w](bool) {
    hale::AlertsView v;
    v.now = w.clock.wall_now();
    return v;
  };
  ctx.add_silence = [](hale::Silence s) {
    s.id = "0123456789abcdef0123456789abcdef";
    return s;
  };
  ctx.expire_silence = [](std::string_view) { return false; };
  ctx.hosts = w.hosts.get();
  ctx.drills = [](std::string_view) { return hale::DrillAnswer{200, "{\"drills\":[]}"}; };
  ctx.run_drill = [](std::string_view) { return hale::DrillAnswer{404, "{}"}; };
  ctx.run_drill_request = [&w](std::string_view body) {
    auto spec = hale::parse_drill_request(body, w.config);
    return spec ? hale::DrillAnswer{202, "{}"} : hale::DrillAnswer{400, spec.status().message()};
  };
  return hale::route(req, ctx);
}

void check_response(const hale::HttpResponse& r) {
  if (r.status < 100 || r.status > 599 || r.content_type.empty()) hale::fuzz::fail();
  for (const auto& [name, value] : r.headers) {
    if (name.find_first_of("\r\n") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
      hale::fuzz::fail();
    }
  }
}

// One request from the front of `in`, as HttpServer's session parses it; false when there is
// none to answer (incomplete, or refused with 400, 413 or 431 before routing).
bool one_request(std::string_view& in) {
  const hale::ServerConfig& limits = world().config.server;
  hale::RequestParser parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  bool body_limit_set = false;
  std::size_t route_body_limit = 0;
  while (!parser.is_done()) {
    boost::beast::error_code ec;
    const std::size_t n = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    in.remove_prefix(n);
    if (ec) return false;  // need_more at the end of the input: the client stopped sending
    if (parser.is_header_done() && !body_limit_set) {
      body_limit_set = true;
      const auto& h = parser.get();
      const hale::BodyRule rule = hale::body_rule_for(h.method_string(), h.target(), limits.max_body_bytes);
      const std::optional<std::size_t> limit = hale::apply_body_rule(parser, rule, limits.max_body_bytes);
      if (!limit) return false;  // 413
      route_body_limit = *limit;
    }
    if (n == 0 && !parser.is_done()) return false;
  }
  if (parser.get().body().received > route_body_limit) return false;  // 413
  check_response(answer(hale::request_view(parser.get())));
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)world();
  std::string_view in = hale::fuzz::as_text(data, size);
  for (int i = 0; i < 4 && !in.empty() && one_request(in); ++i) {
  }
  return 0;
}
