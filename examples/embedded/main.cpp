// embedded-service: a small C++ HTTP service whose /jobs route needs a container runner, with
// hale's engine inside (libhale, docs/libhale.md). The runner down at start-up does not crash it:
// /jobs answers 503 {"error":{"code":"docker_runner_not_ready",...}} with Retry-After until the
// runner is back, without a restart, and /livez, /readyz and /health say why.
//
//   embedded-service PORT RUNNER_PORT
//
// The HTTP server is a few lines of POSIX sockets (one request per connection), so that the
// example shows libhale and nothing else: hale::Monitor runs on a thread of its own and no
// Boost header is included here.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <hale/endpoints.h>
#include <hale/guard.h>
#include <hale/monitor.h>

namespace {

std::string http_answer(const hale::EmbeddedResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + (r.status < 300 ? " OK" : " Error") + "\r\n";
  if (!r.content_type.empty() && r.status != 204) out += "Content-Type: " + r.content_type + "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  if (r.status != 204) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  return out + "Connection: close\r\n\r\n" + (r.status == 204 ? "" : r.body);
}

// "GET /jobs HTTP/1.1" -> method and target.
bool request_line(const std::string& head, std::string& method, std::string& target) {
  const auto sp1 = head.find(' ');
  const auto sp2 = head.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
  method = head.substr(0, sp1);
  target = head.substr(sp1 + 1, sp2 - sp1 - 1);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: embedded-service PORT RUNNER_PORT\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  const int port = std::atoi(argv[1]);
  const std::string runner = std::string("127.0.0.1:") + argv[2];

  // The dependency, written as in hale.toml: the same keys, the same semantics.
  auto monitor = hale::Monitor::from_toml(R"(
[checks.docker-runner]
type = "tcp"
target = ")" + runner + R"("
interval = "200ms"
timeout = "500ms"
failure_threshold = 2
backoff = { base = "200ms", max = "1s" }
)");
  if (!monitor) {
    std::fprintf(stderr, "%s\n", monitor.status().message().c_str());
    return 2;
  }
  hale::Monitor& m = **monitor;
  m.on_transition([](const hale::DependencyStatus& d, hale::Health from) {
    std::printf("%s: %s -> %s %s\n", d.name.c_str(), std::string(hale::to_string(from)).c_str(),
                std::string(hale::to_string(d.health)).c_str(), d.last_error.c_str());
    std::fflush(stdout);
  });
  m.start();
  const hale::Guard runner_guard(m, "docker-runner");
  const hale::Endpoints endpoints(m, "embedded-service");

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    std::perror("embedded-service: listen");
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d, docker-runner at %s\n", port, runner.c_str());
  std::fflush(stdout);

  for (;;) {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    std::string method, target;
    hale::EmbeddedResponse r;
    if (!request_line(head, method, target)) {
      r = {400, "text/plain", "bad request\n", {}};
    } else if (auto hale_answer = endpoints.handle(method, target)) {
      r = *hale_answer;  // /livez /readyz /health[/NAME]
    } else if (target == "/jobs") {
      // The route that needs the runner asks first: fail fast with the 503 JSON, never hang.
      r = runner_guard.usable() ? hale::EmbeddedResponse{200, "application/json", R"({"jobs":[]})", {}}
                                : runner_guard.answer();
    } else {
      r = {404, "text/plain", "not found\n", {}};
    }
    const std::string out = http_answer(r);
    (void)!::write(c, out.data(), out.size());
    ::close(c);
  }
}
