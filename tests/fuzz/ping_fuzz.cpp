// Heartbeat pings (SPEC §5): the URLs and bodies a job sends, as the HeartbeatMonitor takes
// them. The input is up to four pings separated by a form feed, each "PATH\nBODY": the path
// as parse_ping_path reads it (/ping/NAME[/start|/fail|/log|/CODE]) and the job's output. Ten
// minutes pass between pings from the night of 2026-03-29 (Berlin skips 02:00-03:00), so runs start, end, come late and time out. Every input gets a
// fresh monitor on the same three heartbeats (a schedule in a DST zone with a pattern and a
// token, a period with a minimum run, a bare one): an input replays alone.
// Also the other way in: the first path as `hale exec --url`'s base URL (parse_ping_base).
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>

#include "fuzz_support.h"
#include "hale/config.h"
#include "hale/heartbeat/heartbeat_monitor.h"
#include "hale/heartbeat/ping_request.h"
#include "hale/heartbeat/ping_url.h"

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kToken = "fuzz-ping-token";

const char* const kConfig = R"([heartbeats.backup]
schedule = "30 2 * * *"
tz = "Europe/Berlin"
grace = "30m"
max_duration = "2h"
require_output = true
fail_if_output_matches = "(?i)401|unauthorized|error"
token = "fuzz-ping-token"

[heartbeats.report]
period = "1h"
grace = "5m"
min_duration = "1m"
max_duration = "20m"
critical = false
groups = ["ready"]

[heartbeats.x]
period = "10m"
)";

const hale::Config& config() {
  static const hale::Config c = [] {
    hale::fuzz::quiet_logging();
    hale::LoadResult r = hale::load_config_string(kConfig, "ping_fuzz.toml");
    if (!r.config) hale::fuzz::fail();
    return std::move(*r.config);
  }();
  return c;
}

void ping(hale::HeartbeatMonitor& monitor, std::string_view path, std::string_view body) {
  const std::optional<hale::PingRequest> p = hale::parse_ping_path(path);
  if (!p) return;
  hale::PingCall call;
  call.name = p->name;
  call.kind = p->kind;
  call.exit_code = p->exit_code;
  call.exit_code_over_255 = p->exit_code_over_255;
  call.body = body;
  call.body_bytes = body.size();
  call.token = kToken;
  const hale::PingAnswer a = monitor.ping(call);
  if (a.body.empty()) hale::fuzz::fail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const hale::Config& c = config();
  std::string_view in = hale::fuzz::as_text(data, size);

  if (auto base = hale::parse_ping_base(hale::fuzz::split_line(in).first)) {
    if (base->url.empty() || base->url.back() == '/') hale::fuzz::fail();
    (void)hale::ping_url(*base, in, "start");
  }

  boost::asio::io_context io;
  hale::FakeClock clock;  // 2026-01-01T00:00:00Z
  clock.advance(std::chrono::days(87));  // 2026-03-29, the night Berlin skips 02:30
  {
    hale::HeartbeatMonitor monitor(io, clock);
    monitor.apply(c.heartbeats);
    for (int i = 0; i < 4 && !in.empty(); ++i) {
      const std::size_t ff = in.find('\f');
      const std::string_view record = in.substr(0, ff);
      in = ff == std::string_view::npos ? std::string_view() : in.substr(ff + 1);
      const auto [path, body] = hale::fuzz::split_line(record);
      ping(monitor, path, body);
      const hale::PingOutput out = hale::ping_output(body, body.size() + 3 * hale::kMaxPingBody);
      if (hale::output_excerpt(out.text, out.dropped, 1000).size() > 1000) hale::fuzz::fail();
      clock.advance(10min);
      monitor.tick();
    }
    (void)monitor.snapshot();
  }
  io.poll();  // the monitor's cancelled timer waits: run, so that nothing stays queued
  return 0;
}
