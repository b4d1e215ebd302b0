// `hale exec --heartbeat NAME [--url BASE] -- CMD ARGS...` (SPEC §5): a cron job's wrapper.
// Sends /ping/NAME/start, runs the job (job_runner.h), sends /ping/NAME/<exit code> with the
// last 100 KB of its output, and exits with the job's code.
//
// The job matters more than the ping: whatever hale answers (nothing, 404, 401, 500), the job
// runs and its exit code is hale exec's; what went wrong with hale is one line on stderr. Only
// a mistake in the command line itself (no command, no or a malformed heartbeat name or URL)
// stops it before the job, with exit 2, as for every subcommand.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "hale/cli/commands.h"
#include "hale/cli/http_call.h"
#include "hale/cli/job_runner.h"
#include "hale/config.h"
#include "hale/config/names.h"
#include "hale/heartbeat/ping_url.h"

namespace hale::cli {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// /start is sent before the job, so it may delay the job: a dead hale (an address that drops
// packets) costs at most 3 s, a refused connection nothing. Not retried.
constexpr milliseconds kStartConnectTimeout = seconds(1);
constexpr milliseconds kStartTotalTimeout = seconds(3);
// The exit code is the run's record: more time, and one retry 1 s later when the request never
// left (refused, DNS, connect or TLS timeout: hale restarting). A request that was sent is not
// retried, so that a slow hale never records the run twice.
constexpr milliseconds kResultConnectTimeout = seconds(2);
constexpr milliseconds kResultTotalTimeout = seconds(10);
constexpr milliseconds kResultRetryPause = seconds(1);

constexpr const char* kTokenEnv = "HALE_PING_TOKEN";

// What went wrong with one ping; the same problem at /start and at the end is said once.
enum class PingProblem { kNone, kUnreachable, kUnknownHeartbeat, kUnauthorized, kUnexpectedStatus };

struct PingResult {
  PingProblem problem = PingProblem::kNone;
  HttpAnswer answer;
};

class Pinger {
 public:
  Pinger(PingBase base, std::string name, std::optional<std::string> token)
      : base_(std::move(base)), name_(std::move(name)), token_(std::move(token)) {}

  PingResult send(const std::string& what, const std::string& body, milliseconds connect_timeout,
                  milliseconds total_timeout) const {
    HttpCall call;
    call.method = "POST";
    call.url = ping_url(base_, name_, what);
    call.headers.push_back("Content-Type: text/plain");  // the bytes as the job wrote them
    // Only ever in this header: never in the URL (logs) nor in argv (ps).
    if (token_) call.headers.push_back("Authorization: Bearer " + *token_);
    call.body = body;
    call.connect_timeout = connect_timeout;
    call.total_timeout = total_timeout;
    call.allow_env_proxy = !base_.loopback;  // a remote hale may sit behind $https_proxy
    PingResult r;
    r.answer = http_call(call);
    const int status = r.answer.status;
    if (status == 0) {
      r.problem = PingProblem::kUnreachable;
    } else if (status == 404) {
      r.problem = PingProblem::kUnknownHeartbeat;
    } else if (status == 401 || status == 403) {
      r.problem = PingProblem::kUnauthorized;
    } else if (status < 200 || status > 299) {
      r.problem = PingProblem::kUnexpectedStatus;
    }
    return r;
  }

  // "could not reach hale at http://127.0.0.1:8099 (Failed to connect ...)", never the token.
  std::string describe(const PingResult& r, const std::string& what) const {
    const std::string at = "hale at " + base_.display;
    switch (r.problem) {
      case PingProblem::kNone:
        return "";
      case PingProblem::kUnreachable:
        // Sent but unanswered (a timeout, a closed connection) is not the same as never sent.
        return (r.answer.request_sent ? "no answer from " : "could not reach ") + at + " (" + r.answer.error + ")";
      case PingProblem::kUnknownHeartbeat:
        return at + " has no heartbeat named \"" + name_ + "\"";
      case PingProblem::kUnauthorized:
        return token_ ? at + " refused " + kTokenEnv + " for heartbeat \"" + name_ + "\""
                      : at + " wants a token for heartbeat \"" + name_ + "\" (set " + kTokenEnv + ")";
      case PingProblem::kUnexpectedStatus:
        return at + " answered HTTP " + std::to_string(r.answer.status) + " to /ping/" + name_ + "/" + what;
    }
    return "";
  }

 private:
  PingBase base_;
  std::string name_;
  std::optional<std::string> token_;
};

void say(const std::string& line) { std::fprintf(stderr, "hale exec: %s\n", line.c_str()); }

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

}  // namespace

int cmd_exec(const ExecArgs& args) {
  if (args.command.empty()) {
    say("no command to run: hale exec --heartbeat NAME -- COMMAND [ARGS...]");
    return 2;
  }
  // The same rule as the config's [heartbeats.NAME]: a name hale could not have.
  if (auto problem = config::name_problem("heartbeat", args.heartbeat)) {
    say(*problem);
    return 2;
  }
  std::string base_text = args.url, source = "--url";
  if (base_text.empty()) {
    if (auto from_env = env("HALE_URL")) {
      base_text = *from_env;
      source = "HALE_URL";
    } else {
      base_text = std::string(kDefaultPingBase);
    }
  }
  auto base = parse_ping_base(base_text);
  if (!base) {
    say(source + " \"" + redact_url(base_text) + "\" " + base.status().message());
    return 2;
  }

  // Read once, then out of the environment: the job (and anything it runs) does not need it.
  const std::optional<std::string> token = env(kTokenEnv);
  ::unsetenv(kTokenEnv);

  const Pinger pinger(*base, args.heartbeat, token);
  const std::string& program = args.command.front();

  // Idle -> started
  const PingResult start = pinger.send("start", "", kStartConnectTimeout, kStartTotalTimeout);
  if (start.problem != PingProblem::kNone) say(pinger.describe(start, "start") + "; running " + program + " anyway");

  // Started -> ran
  JobOutcome job = run_job(args.command);
  std::string body = job.output;
  if (!job.started) {
    say(job.error);
    body = "hale exec: " + job.error + "\n";  // the heartbeat's record says why it failed
  }

  // Ran -> reported
  const std::string code = std::to_string(job.exit_code);
  PingResult result = pinger.send(code, body, kResultConnectTimeout, kResultTotalTimeout);
  if (result.problem == PingProblem::kUnreachable && !result.answer.request_sent) {
    std::this_thread::sleep_for(kResultRetryPause);
    result = pinger.send(code, body, kResultConnectTimeout, kResultTotalTimeout);
  }
  const bool said_before = result.problem == start.problem && result.answer.status == start.answer.status;
  if (result.problem != PingProblem::kNone && !said_before) {
    say(pinger.describe(result, code) + "; exit code " + code + " not recorded");
  }
  return job.exit_code;
}

}  // namespace hale::cli
