// The tcp probe against real loopback sockets: open, refused, names and bad targets.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "support/free_port.h"
#include "support/probe_harness.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;
using testing::ProbeHarness;

TcpCheck tcp_check(const std::string& target) { return TcpCheck{target}; }

class TcpProbeTest : public ::testing::Test {
 protected:
  // A listener on the harness's own loop: the kernel completes the handshake from the
  // backlog, nobody needs to accept.
  std::uint16_t listen_on(const char* address) {
    listener_.emplace(harness_.io(), tcp::endpoint(boost::asio::ip::make_address(address), 0));
    return listener_->local_endpoint().port();
  }

  ProbeResult probe(const std::string& target, Duration timeout = 2s) {
    auto p = make_probe(tcp_check(target), harness_.ctx());
    auto r = harness_.run(*p, timeout);
    EXPECT_TRUE(r.has_value()) << "the probe did not finish within the watchdog";
    return r.value_or(ProbeResult{});
  }

  ProbeHarness harness_;
  std::optional<tcp::acceptor> listener_;
};

TEST_F(TcpProbeTest, OpenPortPasses) {
  std::uint16_t port = listen_on("127.0.0.1");
  ProbeResult r = probe("127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_EQ(r.reason, "connected");
  EXPECT_EQ(to_string(r.error), "");
}

TEST_F(TcpProbeTest, RefusedPortFails) {
  ProbeResult r = probe("127.0.0.1:" + std::to_string(testing::closed_loopback_port()));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.reason, "connection refused");
  EXPECT_EQ(to_string(r.error), "refused");
}

TEST_F(TcpProbeTest, LocalhostNameResolves) {
  // localhost may resolve to ::1 first; the probe goes on to 127.0.0.1.
  std::uint16_t port = listen_on("127.0.0.1");
  ProbeResult r = probe("localhost:" + std::to_string(port));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
}

TEST_F(TcpProbeTest, BracketedIpv6Literal) {
  boost::system::error_code ec;
  tcp::acceptor v6(harness_.io());
  v6.open(tcp::v6(), ec);
  if (!ec) v6.bind(tcp::endpoint(boost::asio::ip::make_address("::1"), 0), ec);
  if (!ec) v6.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  ProbeResult r = probe("[::1]:" + std::to_string(v6.local_endpoint().port()));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
}

TEST_F(TcpProbeTest, UnknownHostIsADnsFailure) {
  ProbeResult r = probe("no-such-host.invalid:80", 5s);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "dns") << r.reason;
  EXPECT_EQ(r.reason.rfind("dns: ", 0), 0u) << r.reason;
}

TEST_F(TcpProbeTest, BadTargetFails) {
  ProbeResult r = probe("no-port-here");
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(to_string(r.error), "connect");
}

TEST_F(TcpProbeTest, CancelledProbeNeverReports) {
  std::uint16_t port = listen_on("127.0.0.1");
  auto p = make_probe(tcp_check("127.0.0.1:" + std::to_string(port)), harness_.ctx());
  bool called = false;
  p->start(2s, [&](ProbeResult) { called = true; });
  p->cancel();
  harness_.run_for(100ms);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace hale
