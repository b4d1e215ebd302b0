// `hale probe URL|host:port [--timeout D]`: one probe, one line, exit 0 healthy / 1 not.
// A Docker HEALTHCHECK that needs no curl in the image (SPEC §2).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>

#include "hale/text/terminal_text.h"
#include "hale/cli/commands.h"
#include "hale/config.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/probe.h"

namespace hale::cli {

namespace {
bool is_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}
}  // namespace

int cmd_probe(const std::string& target, const std::string& timeout_text) {
  auto timeout = parse_duration(timeout_text);
  if (!timeout || *timeout <= Duration::zero()) {
    std::fprintf(stderr, "hale probe: invalid --timeout \"%s\" (e.g. 500ms, 5s)\n",
                 timeout_text.c_str());
    return 2;
  }
  CheckSpec spec;
  spec.name = "probe";
  spec.timeout = *timeout;
  std::string shown = target;
  if (is_url(target)) {
    spec.kind = HttpCheck{.url = target};
    shown = redact_url(target);
  } else if (target.find(':') != std::string::npos) {
    spec.kind = TcpCheck{.target = target};
  } else {
    std::fprintf(stderr, "hale probe: want http(s)://URL or host:port, not \"%s\"\n",
                 target.c_str());
    return 2;
  }

  boost::asio::io_context io(1);
  CurlMulti curl(io);
  ProbeContext ctx{io, curl};
  std::unique_ptr<Probe> probe = make_probe(spec, ctx);
  std::optional<ProbeResult> result;
  const auto started = std::chrono::steady_clock::now();
  boost::asio::steady_timer deadline(io, *timeout);
  probe->start(*timeout, [&](ProbeResult r) {
    if (r.error == ErrorKind::kTimeout) r.reason = timeout_reason(*timeout);
    result = std::move(r);
    deadline.cancel();
  });
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec || result) return;
    probe->cancel();
    ProbeResult r;
    r.verdict = Verdict::kFail;
    r.reason = timeout_reason(*timeout);
    r.error = ErrorKind::kTimeout;
    result = std::move(r);
  });
  io.run();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started).count();
  const bool healthy = result && result->verdict != Verdict::kFail;
  std::printf("%s %s: %s (%lld ms)\n", healthy ? (result->verdict == Verdict::kWarn ? "warn" : "ok") : "fail",
              terminal_safe(shown).c_str(), result ? terminal_safe(result->reason).c_str() : "no result",
              static_cast<long long>(ms));
  return healthy ? 0 : 1;
}

}  // namespace hale::cli
