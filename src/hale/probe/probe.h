// Probe: one attempt at one target. The engine starts it, enforces its timeout and turns the
// ProbeResult into state; a probe only reports what the target did (SPEC §2).
// Every probe runs on the engine's io_context thread and never blocks it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class CurlMulti;

class Probe {
 public:
  using Done = std::function<void(ProbeResult)>;
  virtual ~Probe() = default;

  // Starts one attempt. `done` is called exactly once, on the io_context thread, unless
  // cancel() is called first. The probe should give up by itself at `timeout`, but the engine
  // does not rely on it: at the deadline it calls cancel() and records "timeout after <timeout>".
  // Only `verdict`, `reason` and `error_code` of the result matter: the engine stamps `at`
  // and `latency`.
  virtual void start(Duration timeout, Done done) = 0;

  // Abandons the attempt in flight and frees what it holds (sockets, curl handles; an exec
  // probe kills its whole process group). `done` is never called after cancel() returns.
  // Harmless when nothing is in flight.
  virtual void cancel() = 0;

  // The engine's runner points into the running Config's checks rather than copying them; a
  // reload that leaves a check's probing as it was hands its probe the new Config's spec (equal
  // in all the probe reads), so that the old Config can be freed. A probe that keeps a copy of
  // what it needs (all but the http probe: those are small) ignores it.
  virtual void rebind(std::shared_ptr<const CheckSpec> /*spec*/) {}
};

// What probes share: the loop they run on and libcurl's multi handle bound to it.
// Both must outlive every probe made with them (destroy probes first, then the CurlMulti,
// then the io_context); an exec probe's reaping handlers live in the io_context, so run it
// until they are done, or destroy it, which kills and reaps synchronously.
struct ProbeContext {
  boost::asio::io_context& io;
  CurlMulti& curl;
  // What a probe reads the time from (a tls or expiry check's "now", a dns answer's latency):
  // the production clock unless a test gives its own.
  const Clock& clock = system_clock();
  // A unit test's own probes (scripted results on simulated time); empty: make_probe().
  std::function<std::unique_ptr<Probe>(const CheckSpec&)> factory = {};
};

// What every probe reports, so the rest of hale can rely on it:
// - a probe that gives up at its own timeout reports fail, reason "timeout", code "timeout"
//   (the engine may rewrite it to "timeout after <timeout>");
// - the result of an immediate error (bad target, spawn failure) is still delivered from the
//   loop, never inside start();
// - start() while an attempt is in flight cancels that attempt first.
// Exec probes reap their own children with waitpid(pid): nothing in hale may call
// waitpid(-1) or set SIGCHLD to SIG_IGN, or it would steal those exits.

// SPEC §2: the one way a timeout reads, whoever noticed it (the engine's deadline or the
// probe's own, e.g. curl's CURLOPT_TIMEOUT_MS): "timeout after 1s".
inline std::string timeout_reason(Duration timeout) { return "timeout after " + format_duration(timeout); }

// Builds the probe for a check, from its kind's keys (a probe needs nothing else: the engine
// owns timing and thresholds).
std::unique_ptr<Probe> make_probe(const CheckSpec& spec, ProbeContext& ctx);
// The same, sharing `spec` instead of copying its kind where a probe keeps it (http).
std::unique_ptr<Probe> make_probe(std::shared_ptr<const CheckSpec> spec, ProbeContext& ctx);
std::unique_ptr<Probe> make_http_probe(std::shared_ptr<const CheckSpec> spec, ProbeContext& ctx);

std::unique_ptr<Probe> make_probe(const HttpCheck& http, ProbeContext& ctx);
std::unique_ptr<Probe> make_probe(const TcpCheck& tcp, ProbeContext& ctx);
std::unique_ptr<Probe> make_probe(const ExecCheck& exec, ProbeContext& ctx);
std::unique_ptr<Probe> make_probe(const TlsCheck& tls, ProbeContext& ctx);
std::unique_ptr<Probe> make_probe(const DnsCheck& dns, ProbeContext& ctx);
std::unique_ptr<Probe> make_probe(const ExpiryCheck& expiry, ProbeContext& ctx);
std::unique_ptr<Probe> make_probe(const GrpcCheck& grpc, ProbeContext& ctx);

}  // namespace hale
