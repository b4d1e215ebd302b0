// Issue 15, item 4: faults, against the real daemon. The state directory turning read-only while
// alerts are pending (held in memory, said on /health and in /metrics, each delivered exactly
// once once it is writable again); a hale.db damaged the ways disks damage files (hale starts,
// says so, keeps the damaged file aside byte for byte, and works); and 10,000 idle connections
// with a slowloris crowd while /readyz and /livez keep answering. The full disk is
// alerts_durability_test.cpp's; an empty or foreign hale.db and a read-only state_dir at start
// are state_store_faults_test.cpp's.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/file_text.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

// Built (with hale) under AddressSanitizer or ThreadSanitizer: gcc defines these macros.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// 1. The state directory read-only while alerts are pending.

// Files made immutable (chattr +i, FS_IMMUTABLE_FL) for as long as this lives. The tests run as
// root, where mode bits stop nothing, and a read-only remount is refused (EBUSY) while hale holds
// hale.db open for writing; an immutable file refuses every write, through the descriptors
// already open too (EPERM), which is what a file system remounted read-only after an error
// (EROFS) does to a running hale. The -shm is left alone: it is a memory map, not the record.
class ImmutableFiles {
 public:
  explicit ImmutableFiles(std::vector<std::string> paths) {
    for (const std::string& p : paths) {
      if (!set(p, true)) {
        release();
        return;
      }
      done_.push_back(p);
    }
  }
  ~ImmutableFiles() { release(); }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void release() {
    for (auto it = done_.rbegin(); it != done_.rend(); ++it) set(*it, false);
    done_.clear();
  }

 private:
  bool set(const std::string& path, bool on) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int flags = 0;
    bool ok = fd >= 0 && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    if (ok) {
      flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
      ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    if (!ok && error_.empty()) error_ = path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return ok;
  }
  std::vector<std::string> done_;
  std::string error_;
};

// How many times each key reached `receiver` and was accepted (200).
std::map<std::string, int> keys_received(const TestHttpServer& receiver) {
  std::map<std::string, int> keys;
  for (const nlohmann::json& a : received_alerts(receiver, "/hook", 200)) ++keys[a.value("key", "")];
  return keys;
}

TEST(Faults, AReadOnlyStateDirHoldsPendingAlertsInMemoryAndEachIsDeliveredOnceWhenWritableAgain) {
  std::vector<std::unique_ptr<TcpListener>> listeners;
  std::string checks;
  std::map<std::string, int> once;  // what each receiver must end with: each key exactly once
  for (int i = 1; i <= 3; ++i) {
    listeners.push_back(std::make_unique<TcpListener>());
    checks += tcp_check("c" + std::to_string(i), listeners.back()->port(), "100ms");
    once["check/c" + std::to_string(i) + "/fail"] = 1;
  }
  // Two receivers, both refusing at first so that every delivery stays pending: `early` comes
  // back while the state dir is still read-only (the delivery finishes from memory, and its
  // "sent" must be written later), `late` only once it is writable again (the rows themselves
  // must be written, then sent).
  WebhookReceiver early("/hook", TestResponse::with_status(503, "busy"));
  WebhookReceiver late("/hook", TestResponse::with_status(503, "busy"));
  const std::string retry = "retry = { base = \"200ms\", max = \"1s\" }\n";
  const std::string config = alert_server_section() + checks + early.notifier("early", retry) +
                             late.notifier("late", retry) + alert_rule("*", "early") + alert_rule("*", "late");
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(wait_for_check(hale, "c" + std::to_string(i), "ok")) << hale.log();
  ASSERT_EQ(get_json(hale, "/api/v1/alerts")["durable"], true);

  const std::string db = (fs::path(hale.state_dir()) / "hale.db").string();
  ASSERT_TRUE(fs::exists(db + "-wal")) << "hale.db is not in WAL mode: which file to freeze?";
  ImmutableFiles read_only({db, db + "-wal", hale.state_dir()});
  if (!read_only.ok()) {
    std::printf("[ no chattr ] cannot make the state dir immutable here (%s): this case is not run\n",
                read_only.error().c_str());
    GTEST_SKIP() << "needs FS_IMMUTABLE_FL (root, and a file system that has it): " << read_only.error();
  }
  for (auto& l : listeners) l->close();  // three checks fail: six deliveries, none can be written

  nlohmann::json alerts;
  ASSERT_TRUE(eventually([&] {
    alerts = get_json(hale, "/api/v1/alerts");
    return alerts["memory_only"].is_number() && alerts["memory_only"].get<int>() == 6;
  }, 15s)) << alerts.dump() << hale.log();
  EXPECT_EQ(alerts["durable"], false);
  ASSERT_TRUE(alerts["outbox_error"].is_string()) << alerts.dump();
  EXPECT_FALSE(alerts["outbox_error"].get<std::string>().empty());
  const nlohmann::json health = get_json(hale, "/health");
  EXPECT_EQ(health["alerting"]["durable"], false) << health.dump();
  EXPECT_EQ(health["alerting"]["memory_only"], 6) << health.dump();
  EXPECT_TRUE(health["alerting"]["outbox_error"].is_string()) << health.dump();
  const std::string metrics = http_get(hale.url("/metrics")).body;
  EXPECT_EQ(metric_value(metrics, "hale_alert_outbox_durable"), 0.0);
  EXPECT_EQ(metric_value(metrics, "hale_alert_outbox_memory_only"), 6.0);
  EXPECT_GE(metric_value(metrics, "hale_alert_outbox_write_failures_total").value_or(0), 1.0);
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"alert_outbox_write_failed\"")) << hale.log();

  // `early` accepts while nothing can be written: each key once, from memory.
  early.set("/hook", TestResponse::ok());
  ASSERT_TRUE(eventually([&] { return keys_received(early).size() == 3; }, 10s)) << hale.log();
  EXPECT_EQ(get_json(hale, "/api/v1/alerts")["durable"], false) << "its \"sent\" cannot have been written";

  // Writable again: within a recommit period (5 s) or two, what was in memory is on disk.
  read_only.release();
  ASSERT_TRUE(eventually([&] {
    alerts = get_json(hale, "/api/v1/alerts");
    return alerts["durable"] == true && alerts["memory_only"] == 0;
  }, 20s)) << alerts.dump() << hale.log();
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"alert_outbox_recommitted\"")) << hale.log();
  EXPECT_EQ(metric_value(http_get(hale.url("/metrics")).body, "hale_alert_outbox_durable"), 1.0);

  late.set("/hook", TestResponse::ok());
  ASSERT_TRUE(eventually([&] { return keys_received(late).size() == 3; }, 10s)) << hale.log();
  ASSERT_TRUE(wait_for_delivery_states(hale, "late", "", {"sent", "sent", "sent"})) << hale.log();

  // Exactly once, also across a kill -9: had a row or a "sent" stayed in memory only, the next
  // hale would send it again. It is given several retry periods (1 s) and the check's interval
  // many times over to do so.
  hale.signal(SIGKILL);
  ASSERT_TRUE(hale.wait_exit().has_value());
  ASSERT_TRUE(hale.start()) << hale.log();
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(wait_for_check(hale, "c" + std::to_string(i), "fail")) << hale.log();
  quiet_period(3s);
  EXPECT_EQ(keys_received(early), once) << hale.log();
  EXPECT_EQ(keys_received(late), once) << hale.log();
  EXPECT_EQ(get_json(hale, "/api/v1/alerts")["durable"], true);
}

// ---------------------------------------------------------------------------------------------
// 2. A damaged hale.db at start.

constexpr std::size_t kPage = 4096;  // SQLite's default page size, which hale keeps

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

struct Damage {
  const char* name;
  std::function<std::string(std::string)> apply;  // the file's bytes, damaged
};

std::vector<Damage> damages() {
  return {
      // A run of pages in the middle overwritten with garbage (a torn or misdirected write).
      {"garbage pages in the middle",
       [](std::string b) {
         std::mt19937 rng(15);
         const std::size_t pages = b.size() / kPage;
         for (std::size_t i = pages / 2 - 1; i <= pages / 2 + 1; ++i) {
           for (std::size_t j = 0; j < kPage; ++j) b[i * kPage + j] = static_cast<char>(rng());
         }
         return b;
       }},
      // Cut off in the middle of a page (a file system that lost its tail).
      {"truncated mid-page", [](std::string b) { return b.substr(0, (b.size() / kPage / 2) * kPage + kPage / 2); }},
      // The header's page size (bytes 16-17, big-endian) with one bit flipped: 4096 -> 4608, not
      // a power of two.
      {"page size bit flipped", [](std::string b) {
         if (b.size() < 100) return b;  // (no SQLite header to damage; the test checks the size first)
         b.replace(16, 1, 1, static_cast<char>(b[16] ^ 0x02));
         return b;
       }},
      // The header's page size doubled (8192, valid): every page but the first is read askew.
      {"page size doubled", [](std::string b) {
         if (b.size() < 100) return b;
         b.replace(16, 2, std::string("\x20\x00", 2));
         return b;
       }},
  };
}

// The file hale kept aside in `dir` ("hale.db.corrupt-<time>"), "" when none.
std::string kept_aside(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("hale.db.corrupt-", 0) == 0 && name.find("-wal") == std::string::npos &&
        name.find("-shm") == std::string::npos) {
      return e.path().string();
    }
  }
  return "";
}

TEST(Faults, ADamagedHaleDbAtStartIsKeptAsideSaidAndHaleWorks) {
  for (const Damage& damage : damages()) {
    SCOPED_TRACE(damage.name);
    TcpListener up;  // "up" is ok until the test closes it
    WebhookReceiver hook("/hook");
    // "down" has nothing listening: it fails at once, so the first run leaves an outbox with a
    // sent row and a route in it, the tables a restart reads.
    const std::string config = alert_server_section() + tcp_check("up", up.port(), "100ms") +
                               tcp_check("down", 1, "100ms") + hook.notifier("hook") + alert_rule("*", "hook");
    HaleProcess hale(config);
    ASSERT_TRUE(hale.start()) << hale.log();
    ASSERT_TRUE(eventually([&] { return keys_received(hook).contains("check/down/fail"); }, 10s)) << hale.log();
    ASSERT_TRUE(wait_for_delivery_states(hale, "hook", "check/down/fail", {"sent"})) << hale.log();
    hale.signal(SIGTERM);
    ASSERT_EQ(hale.wait_exit(), std::optional<int>(0)) << hale.log();

    const std::string db = (fs::path(hale.state_dir()) / "hale.db").string();
    // A clean stop checkpoints the -wal into hale.db: what is damaged below is all there is.
    ASSERT_FALSE(fs::exists(db + "-wal") && fs::file_size(db + "-wal") > 0) << "the -wal was not checkpointed";
    const std::string original = read_bytes(db);
    ASSERT_EQ(original.rfind("SQLite format 3", 0), 0u);
    ASSERT_GE(original.size(), 8 * kPage) << "too small a file to damage in the middle";
    ASSERT_EQ((static_cast<unsigned char>(original[16]) << 8) | static_cast<unsigned char>(original[17]), 4096);
    const std::string damaged = damage.apply(original);
    write_bytes(db, damaged);

    ASSERT_TRUE(hale.start()) << "hale did not start on a damaged hale.db\n" << hale.log();
    const nlohmann::json h = get_json(hale, "/health");
    EXPECT_EQ(h["state_store"]["status"], "recreated") << h.dump() << hale.log();
    EXPECT_NE(h["status"], "ok") << h.dump();  // degraded at least ("down" makes it fail)
    const std::string aside = kept_aside(hale.state_dir());
    ASSERT_FALSE(aside.empty()) << "the damaged file was not kept aside\n" << hale.log();
    // Named where an operator looks: /health and the log.
    const std::string message = h["state_store"]["message"].is_string() ? h["state_store"]["message"].get<std::string>() : "";
    EXPECT_NE(message.find(aside), std::string::npos) << message;
    EXPECT_NE(message.find("is not restored"), std::string::npos) << message;
    EXPECT_TRUE(hale.wait_for_log("\"event\":\"state_store_condition\"")) << hale.log();
    EXPECT_NE(hale.log().find(fs::path(aside).filename().string()), std::string::npos) << hale.log();
    // Kept as it was found: whoever recovers it gets the damaged bytes, not a "repaired" file.
    EXPECT_TRUE(read_bytes(aside) == damaged) << "the file kept aside is not the one that was there";

    // And hale works on the new file: a new problem is announced and durably recorded.
    up.close();
    EXPECT_TRUE(eventually([&] { return keys_received(hook).contains("check/up/fail"); }, 10s)) << hale.log();
    EXPECT_TRUE(eventually([&] { return keys_received(hook).contains("hale/state_store/degraded"); }, 10s))
        << hale.log();
    EXPECT_EQ(get_json(hale, "/api/v1/alerts")["durable"], true);
    std::printf("[ damaged db ] %s: %zu bytes, kept as %s\n", damage.name, damaged.size(),
                fs::path(aside).filename().string().c_str());
  }
}

// ---------------------------------------------------------------------------------------------
// 3. 10,000 idle connections and a slowloris crowd while /readyz keeps answering.

// A connected TCP socket to 127.0.0.1:port that the test writes to by hand; -1 when refused.
int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer has closed `fd` (EOF or reset), without waiting.
bool peer_closed(int fd) {
  char b;
  const ssize_t r = ::recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST(Faults, TenThousandIdleConnectionsAndASlowlorisCrowdNeverStopReadyzAnswering) {
  // 10,000 sockets here, and what the crowd and the probes add: the soft limit is raised to the
  // hard one, and hale (started below) inherits it.
  rlimit nofile{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &nofile), 0);
  if (nofile.rlim_max < 12000) {
    GTEST_SKIP() << "needs RLIMIT_NOFILE >= 12,000 for 10,000 connections; the hard limit is " << nofile.rlim_max;
  }
  const rlim_t old_soft = nofile.rlim_cur;
  nofile.rlim_cur = nofile.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &nofile), 0);

  // The default limits (max_connections 1024, header_timeout 5 s). hale never holds more than
  // max_connections: each newcomer is taken and an older connection closed to make room (the
  // slowest half-sent request first, then the oldest that has sent nothing; docs/config.md). So
  // of the 10,000 idle sockets, hale closes all but about a thousand, and what the test proves is
  // that this churn and the crowd never keep a health checker's fresh connection waiting.
  HaleProcess hale("[server]\nlisten = \"127.0.0.1:{PORT}\"\n\n[checks.self]\ntype = \"tcp\"\ntarget = \"127.0.0.1:{PORT}\"\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  // Ready before the crowd comes: "self" has been probed.
  ASSERT_TRUE(eventually([&] { return http_get(hale.url("/readyz")).status == 200; })) << hale.log();
  const std::uint16_t port = hale.port();

  constexpr int kIdle = 10000;
  constexpr int kSlow = 300;
  const auto crowd_for = 20s;
  std::atomic<bool> done{false};
  std::atomic<int> idle_open{0}, idle_refused{0}, slow_reconnects{0}, slow_bytes{0};
  std::vector<int> idle(kIdle, -1);

  // The idle ones connect and send nothing, ever: 100 every 50 ms, all 10,000 within ~5 s. (Not
  // as fast as one thread can: a burst puts thousands in the kernel's accept queue at once, and a
  // probe that arrives behind them waits until hale has taken every one, FIFO; on this loaded
  // 2-core machine, running other tests beside, that once took over 2 s. A crowd that grows
  // over seconds is what this test is about, not how fast hale drains a 4,096-deep backlog.)
  std::thread idle_thread([&] {
    for (int i = 0; i < kIdle && !done; ++i) {
      idle[i] = connect_to(port);
      (idle[i] >= 0 ? idle_open : idle_refused)++;
      // Under a sanitizer hale takes connections several times slower: the same crowd grows
      // over ~15 s instead of ~5 s, so that the queue it builds stays the size it is here.
      if (i % 100 == 99) std::this_thread::sleep_for(kSanitized ? 150ms : 50ms);
    }
  });
  // The slowloris crowd: each drips its request head a byte a second and never ends it; one
  // that hale closes (header_timeout, or to make room) is replaced at once.
  std::thread slow_thread([&] {
    const std::string head = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    std::vector<std::pair<int, std::size_t>> slow(kSlow, {-1, 0});  // fd, bytes sent
    const auto end = std::chrono::steady_clock::now() + crowd_for;
    while (!done && std::chrono::steady_clock::now() < end) {
      for (auto& [fd, sent] : slow) {
        if (fd >= 0 && peer_closed(fd)) {
          ::close(fd);
          fd = -1;
          ++slow_reconnects;
        }
        if (fd < 0) {
          fd = connect_to(port);
          sent = 0;
          if (fd < 0) continue;
        }
        const char c = sent < head.size() ? head[sent] : 'a';
        if (::send(fd, &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
          ++sent;
          ++slow_bytes;
        }
      }
      std::this_thread::sleep_for(1s);
    }
    for (auto& [fd, sent] : slow) {
      if (fd >= 0) ::close(fd);
    }
  });

  // A fresh client each time, as kubelet's probes are. 2 s per request: an answer on this
  // loopback takes milliseconds even on a loaded 2-core machine; a connection that waited for a
  // free slot, a full accept queue (SYN retried after 1 s, then 3 s) or a header timeout (5 s)
  // would take longer or fail. Under a sanitizer hale runs 5 to 15 times slower (ThreadSanitizer
  // most), and while the 10,000 connections arrive its accept queue is seconds long: 7 of 144
  // answers took over 2 s there (2026-12-07). 10 s still fails a refused connection, one left to
  // a header timeout, or one never answered.
  const long ceiling_ms = kSanitized ? 10000 : 2000;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + crowd_for;
  std::map<int, int> by_status;
  int answers = 0;
  double slowest_ms = 0;
  std::string first_error;
  while (std::chrono::steady_clock::now() < end) {
    for (const char* path : {"/readyz", "/livez"}) {
      const auto t0 = std::chrono::steady_clock::now();
      const HttpReply r = http_request("GET", hale.url(path), {}, "", ceiling_ms);
      slowest_ms = std::max(slowest_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      ++by_status[r.status];
      ++answers;
      if (r.status != 200 && first_error.empty()) {
        first_error = std::string(path) + " after " +
                      std::to_string(std::chrono::duration<double>(t0 - start).count()) + " s: " +
                      std::to_string(r.status) + " " + r.error + " " + r.body;
      }
    }
    std::this_thread::sleep_for(50ms);  // the prober's pace, not a wait
  }
  done = true;
  idle_thread.join();
  slow_thread.join();

  int closed_by_hale = 0;
  for (int fd : idle) {
    if (fd >= 0 && peer_closed(fd)) ++closed_by_hale;
  }
  std::printf("[ 10k idle ] %d idle connections made (%d refused), %d closed by hale to make room; %d slowloris "
              "connections (%d replaced, %d bytes dripped) for %.0f s: %d answers, %d of them 200, slowest %.1f ms\n",
              idle_open.load(), idle_refused.load(), closed_by_hale, kSlow, slow_reconnects.load(), slow_bytes.load(),
              std::chrono::duration<double>(crowd_for).count(), answers, by_status[200], slowest_ms);
  EXPECT_EQ(idle_open.load(), kIdle) << "hale refused connections (a full accept queue?): " << idle_refused.load();
  // hale holds no more than max_connections of them: the rest it closed.
  EXPECT_GE(closed_by_hale, kIdle - 1024);
  EXPECT_GT(answers, 100);
  EXPECT_EQ(by_status[200], answers) << "first failure: " << first_error;
  EXPECT_EQ(http_get(hale.url("/readyz")).status, 200);
  for (int fd : idle) {
    if (fd >= 0) ::close(fd);
  }
  nofile.rlim_cur = old_soft;
  ::setrlimit(RLIMIT_NOFILE, &nofile);
}

}  // namespace
}  // namespace hale::testing
