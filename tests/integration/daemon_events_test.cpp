// GET /api/v1/events against the real daemon (SPEC §7): 1,000 Server-Sent Events clients on
// hale's one I/O thread each get a check's transitions as they happen, /readyz keeps answering,
// and a client that reconnects with Last-Event-ID gets what it missed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A raw SSE client: connects, sends the GET, and collects what arrives.
struct SseClient {
  int fd = -1;
  std::string got;
  SseClient(std::uint16_t port, const std::string& last_event_id = "") {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    if (!last_event_id.empty()) req += "Last-Event-ID: " + last_event_id + "\r\n";
    req += "\r\n";
    (void)!::write(fd, req.data(), req.size());
  }
  ~SseClient() {
    if (fd >= 0) ::close(fd);
  }
  SseClient(const SseClient&) = delete;
  // Reads what is there now, without waiting.
  void drain() {
    char buf[4096];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) return;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  // Waits (bounded) until what arrived contains `needle`.
  bool wait_for(const std::string& needle, std::chrono::milliseconds within = 10s) {
    return eventually(
        [&] {
          drain();
          return got.find(needle) != std::string::npos;
        },
        within);
  }
};

long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(DaemonEvents, AThousandClientsEachGetEveryTransitionAndReadyzKeepsAnswering) {
  // This test holds 1,000 sockets itself: up to the hard limit, as hale does for its own.
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  lim.rlim_cur = lim.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);
  ASSERT_GE(lim.rlim_cur, 1100u) << "the hard limit of open files is too low for 1,000 clients";
  TcpListener db;
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\nmax_connections = 1200\n" + tcp_check("db", db.port(), "100ms"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));
  const long rss_before = rss_kb(hale.pid());

  constexpr int kClients = 1000;
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<SseClient>(hale.port()));
  auto all_have = [&](const std::string& needle) {
    int with = 0;
    for (auto& c : clients) {
      c->drain();
      with += c->got.find(needle) != std::string::npos ? 1 : 0;
    }
    return with;
  };
  ASSERT_TRUE(eventually([&] { return all_have("retry: 2000\n\n") == kClients; }, 20s)) << "not every stream opened";
  const long rss_held = rss_kb(hale.pid());

  db.close();
  int with_event = 0;
  ASSERT_TRUE(eventually(
      [&] {
        with_event = all_have("\"name\":\"db\",\"from\":\"ok\",\"to\":\"fail\"");
        return with_event == kClients;
      },
      20s))
      << with_event << " of " << kClients << " clients got the transition";
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 503) << "the endpoints answer while 1,000 streams are open";
  db.reopen();
  ASSERT_TRUE(eventually([&] { return all_have("\"from\":\"fail\",\"to\":\"ok\"") == kClients; }, 20s));
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  std::printf("[ figures ] %d SSE clients held; hale RSS %ld kB before, %ld kB with them: %.1f kB per client\n",
              kClients, rss_before, rss_held, static_cast<double>(rss_held - rss_before) / kClients);

  // One client reconnects from the first event it saw: it gets the rest again, in order.
  const std::string& first = clients.front()->got;
  const auto id_at = first.find("id: ");
  ASSERT_NE(id_at, std::string::npos);
  const std::string first_id = first.substr(id_at + 4, first.find('\n', id_at) - id_at - 4);
  SseClient again(hale.port(), first_id);
  ASSERT_TRUE(again.wait_for("\"from\":\"fail\",\"to\":\"ok\"")) << again.got;
  EXPECT_EQ(again.got.find("\"from\":\"ok\",\"to\":\"fail\""), std::string::npos) << "it had seen that one";
}

TEST(DaemonEvents, AlertDeliveriesAreEventsToo) {
  // An outbox of its own (the HaleProcess's state dir): nothing of another test's is delivered again.
  TcpListener db;
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port(), "100ms") + hook.notifier("hook") +
                   alert_rule("*", "hook"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));
  SseClient client(hale.port());
  ASSERT_TRUE(client.wait_for("retry: 2000"));
  db.close();
  ASSERT_TRUE(client.wait_for("\"state\":\"sent\"")) << client.got;
  const auto made = client.got.find("event: alert\ndata: {\"kind\":\"alert\"");
  ASSERT_NE(made, std::string::npos) << client.got;
  EXPECT_NE(client.got.find("\"notifier\":\"hook\",\"key\":\"check/db/fail\",\"state\":\"pending\""), std::string::npos)
      << client.got;
  EXPECT_LT(client.got.find("\"state\":\"pending\""), client.got.find("\"state\":\"sent\""));
  EXPECT_LT(client.got.find("event: check"), made) << "the transition, then its alert";
}

TEST(DaemonEvents, ADrillIsAnEventAndEverythingItCausesIsMarked) {
  TcpListener db;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port(), "100ms") +
                   "\n[drills.db-down]\nforce = { db = \"fail\" }\nduration = \"300ms\"\nexpect = { readyz = 503 }\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; }));
  SseClient client(hale.port());
  ASSERT_TRUE(client.wait_for("retry: 2000"));
  ASSERT_EQ(admin_request("POST", hale.url("/api/v1/drills/db-down/run")).status, 202);
  ASSERT_TRUE(client.wait_for("\"state\":\"passed\"", 5s)) << client.got;
  const auto started = client.got.find("event: drill\ndata: ");
  ASSERT_NE(started, std::string::npos) << client.got;
  EXPECT_NE(client.got.find("\"state\":\"running\"", started), std::string::npos);
  // The forced failure and the recovery after the drill, both the drill's.
  ASSERT_TRUE(client.wait_for("\"to\":\"ok\"", 5s)) << client.got;
  EXPECT_NE(client.got.find("\"name\":\"db\",\"from\":\"ok\",\"to\":\"fail\""), std::string::npos) << client.got;
  // The event line that holds `needle`.
  auto line_with = [&](const std::string& needle) {
    const auto at = client.got.find(needle);
    if (at == std::string::npos) return std::string();
    const auto begin = client.got.rfind('\n', at) + 1;
    return client.got.substr(begin, client.got.find('\n', at) - begin);
  };
  EXPECT_THAT(line_with("\"to\":\"fail\""), ::testing::HasSubstr("\"drill\":\"db-down\"")) << client.got;
  EXPECT_THAT(line_with("\"to\":\"ok\""), ::testing::HasSubstr("\"drill\":\"db-down\"")) << "the recovery is the drill's";
}

}  // namespace
}  // namespace hale::testing
