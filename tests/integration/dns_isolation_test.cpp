// One name whose DNS lookup hangs delays no other check (SPEC §2), and `hale probe` on it still
// ends at its timeout. The hang comes from an LD_PRELOAD shim: getaddrinfo() of *.slow.test
// sleeps 5 s (SLOW_GETADDRINFO_SECONDS).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/tcp_listener.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

// Sets LD_PRELOAD (and lets a sanitizer build accept it) for the children started meanwhile.
class Preload {
 public:
  Preload() {
    setenv("LD_PRELOAD", SLOW_GETADDRINFO, 1);
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
  }
  ~Preload() {
    unsetenv("LD_PRELOAD");
    unsetenv("ASAN_OPTIONS");
  }
};

TEST(DnsIsolation, AHungLookupDelaysNoOtherCheck) {
  TcpListener up;
  HaleProcess hale(R"([server]
listen = "127.0.0.1:{PORT}"

[checks.far]
type = "tcp"
target = "db.slow.test:5432"
interval = "200ms"
timeout = "300ms"
failure_threshold = 1
critical = false

[checks.near]
type = "tcp"
target = "localhost:)" + std::to_string(up.port()) + R"("
interval = "100ms"
timeout = "300ms"
failure_threshold = 1
)");
  {
    Preload preload;
    ASSERT_TRUE(hale.start()) << hale.log();
  }
  // Several hung lookups pile up for `far` (each one a timeout: three of them in its recent
  // results); `near` keeps resolving localhost meanwhile.
  ASSERT_TRUE(eventually([&] {
    auto j = nlohmann::json::parse(http_get(hale.url("/health/near")).body, nullptr, false);
    return j.is_object() && j["status"] == "ok";
  }));
  nlohmann::json far;
  ASSERT_TRUE(eventually([&] {
    far = nlohmann::json::parse(http_get(hale.url("/health/far")).body, nullptr, false);
    return far.is_object() && far["recent"].size() >= 3;
  }, 20s)) << far.dump();
  EXPECT_EQ(far["status"], "fail");
  EXPECT_EQ(far["error"], "timeout after 300ms");
  auto near = nlohmann::json::parse(http_get(hale.url("/health/near")).body);
  EXPECT_EQ(near["status"], "ok");
  EXPECT_EQ(near["consecutive_failures"], 0);
  for (const auto& r : near["recent"]) EXPECT_EQ(r["verdict"], "pass") << near.dump();
  EXPECT_EQ(http_get(hale.url("/metrics")).body.find("hale_check_probe_errors_total{check=\"near\""),
            std::string::npos);
}

TEST(DnsIsolation, CliProbeEndsAtItsTimeout) {
  Preload preload;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_hale({"probe", "db.slow.test:5432", "--timeout", "300ms"}, 30s, {{"SLOW_GETADDRINFO_SECONDS", "60"}});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("timeout after 300ms"), std::string::npos) << r.out;
  // Its 300 ms timeout ended it, not the lookup, which hangs for 60 s here: a ceiling far from
  // both, generous for a sanitized hale starting on a loaded 2-core machine.
  EXPECT_LT(took, 20s);
}

}  // namespace
}  // namespace hale::testing
