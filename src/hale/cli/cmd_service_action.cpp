// `hale start|stop|restart NAME [--no-wait] [--timeout D]`: POST the action to the running
// daemon, then poll GET /api/v1/services/NAME every 100 ms until the service settles.
// Exit 0 settled as asked, 1 failed / timed out / refused / no daemon, 2 bad usage, bad config
// or a service the daemon does not know.
#include <time.h>

#include <chrono>
#include <cstdio>

#include "hale/cli/commands.h"
#include "hale/cli/daemon_client.h"
#include "hale/cli/service_info.h"
#include "hale/config.h"

namespace hale::cli {

namespace {

enum class Outcome { kPending, kDone, kFailed };

Outcome judge(const std::string& action, const ServiceInfo& s) {
  if (action == "stop") {
    // Anything without a process that stays down counts as stopped.
    if (s.state == "stopped" || s.state == "exited" || s.state == "failed") return Outcome::kDone;
    return Outcome::kPending;
  }
  if (s.state == "running" || s.state == "ready") return Outcome::kDone;
  if (s.state == "failed" || s.state == "exited" || s.state == "backoff") return Outcome::kFailed;
  if (s.state == "stopped" && s.wanted == "stop") return Outcome::kFailed;  // stopped meanwhile
  return Outcome::kPending;
}

// "api: ready (pid 1234)", "api: stopped (signal SIGTERM)".
void print_settled(const ServiceInfo& s, const std::string& name) {
  std::string detail;
  if (s.pid && s.state != "stopped") {
    detail = "pid " + std::to_string(*s.pid);
  } else if (!s.last_exit.empty() && s.state != "running" && s.state != "ready") {
    detail = s.last_exit;
  }
  std::printf("%s: %s%s\n", name.c_str(), s.state.c_str(), detail.empty() ? "" : (" (" + detail + ")").c_str());
}

std::string with_reason(const ServiceInfo& s) {
  return s.reason.empty() ? s.state : s.state + ": " + s.reason;
}

// The one-line explanation of a refused action; returns the exit code.
int report_refusal(const DaemonClient& c, const HttpAnswer& a, const ServiceActionArgs& args) {
  const std::string msg = api_error_message(a.body);
  const std::string code = api_error_code(a.body);
  const char* at = c.address().c_str();
  switch (a.status) {
    case 401:
      if (c.has_token()) {
        std::fprintf(stderr,
                     "hale: the daemon at %s refused the admin token from %s (401); does server.admin_token "
                     "match the daemon's?\n",
                     at, args.config.c_str());
      } else {
        std::fprintf(stderr,
                     "hale: %s has no server.admin_token, and the daemon at %s wants one for %s (401)\n",
                     args.config.c_str(), at, args.action.c_str());
      }
      return 1;
    case 403:
      if (code == "api_disabled" || code.empty()) {
        std::fprintf(stderr,
                     "hale: the daemon at %s has no admin_token, so start, stop and restart are disabled (403); "
                     "set server.admin_token in its config\n",
                     at);
      } else {
        std::fprintf(stderr, "hale: the daemon at %s refused to %s %s: %s (403)\n", at, args.action.c_str(),
                     args.name.c_str(), msg.c_str());
      }
      return 1;
    case 404:
      if (code == "not_found") {
        std::fprintf(stderr, "hale: no service named \"%s\" (the daemon at %s does not know it)\n",
                     args.name.c_str(), at);
        return 2;
      }
      std::fprintf(stderr, "hale: the daemon at %s has no services API (404); is it an older hale?\n", at);
      return 1;
    case 409:
      std::fprintf(stderr, "hale: cannot %s %s: %s\n", args.action.c_str(), args.name.c_str(),
                   msg.empty() ? "not now (409)" : msg.c_str());
      return 1;
    default:
      std::fprintf(stderr, "hale: the daemon at %s answered %d to %s %s%s%s\n", at, a.status,
                   args.action.c_str(), args.name.c_str(), msg.empty() ? "" : ": ", msg.c_str());
      return 1;
  }
}

void sleep_100ms() {
  struct timespec ts{0, 100'000'000};
  nanosleep(&ts, nullptr);
}

}  // namespace

int cmd_service_action(const ServiceActionArgs& args) {
  const auto timeout = parse_duration(args.timeout);
  if (!timeout || *timeout <= Duration::zero()) {
    std::fprintf(stderr, "hale %s: invalid --timeout \"%s\" (e.g. 10s, 2m)\n", args.action.c_str(),
                 args.timeout.c_str());
    return 2;
  }
  if (args.name.empty()) {
    std::fprintf(stderr, "hale %s: NAME must not be empty\n", args.action.c_str());
    return 2;
  }
  int exit_code = 0;
  auto client = DaemonClient::from_config(args.config, exit_code);
  if (!client) return exit_code;

  const std::string path = "/api/v1/services/" + url_escape(args.name);
  const HttpAnswer posted = client->post(path + "/" + args.action);
  if (posted.status == 0) return client->report_unreachable(posted);
  if (posted.status != 200) return report_refusal(*client, posted, args);
  auto body = client->parse_body(posted);
  if (!body) return 1;
  if (args.no_wait) {
    std::printf("%s: %s\n", args.name.c_str(), json_string(*body, "state").c_str());
    return 0;
  }

  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  ServiceInfo last;
  last.state = json_string(*body, "state");
  while (true) {
    const HttpAnswer a = client->get(path);
    if (a.status == 0) return client->report_unreachable(a);
    if (a.status == 404) {
      std::fprintf(stderr, "hale: %s disappeared while waiting (the daemon no longer knows it)\n",
                   args.name.c_str());
      return 1;
    }
    if (a.status != 200) return report_refusal(*client, a, args);
    auto j = client->parse_body(a);
    if (!j) return 1;
    last = service_from_json(*j);
    switch (judge(args.action, last)) {
      case Outcome::kDone:
        print_settled(last, args.name);
        return 0;
      case Outcome::kFailed:
        std::fprintf(stderr, "hale: %s did not %s: %s\n", args.name.c_str(), args.action.c_str(),
                     with_reason(last).c_str());
        return 1;
      case Outcome::kPending:
        break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    sleep_100ms();
  }
  std::fprintf(stderr, "hale: %s is still %s after %s\n", args.name.c_str(), with_reason(last).c_str(),
               args.timeout.c_str());
  return 1;
}

}  // namespace hale::cli
