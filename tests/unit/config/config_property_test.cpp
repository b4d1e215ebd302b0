// A property test (seeded mutations; the libFuzzer target is tests/fuzz/config_fuzz.cpp): a few
// hundred truncated and mutated versions of a valid config, from a fixed seed. Whatever the input, the loader must not throw, and must answer
// either a config or at least one error that points into the file (line >= 1).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "hale/config.h"

namespace hale {
namespace {

const char* const kValidConfig = R"([server]
listen = "127.0.0.1:8099"
service = "hale"
admin_token = "inline-token"
state_dir = ".hale"
max_connections = 64
read_timeout = "5s"

[defaults]
interval = "10s"
timeout = "1s"
failure_threshold = 3
success_threshold = 1
jitter = "10%"
headers = { User-Agent = "hale" }

[groups.deps]
description = "dependencies"

[checks.db]
type = "tcp"
target = "[::1]:5432"
groups = ["ready", "deps"]

[checks.runner]
type = "http"
url = "http://u:p@127.0.0.1:7071/v1/ready"
expect_status = ["200-399", 418]
expect_body = "ok|ready"
expect_json = { status = "ok", nested = { list = [1, 2.5, true, "x"] } }
max_latency = "300ms"
method = "GET"
start_period = "30s"
failure_duration = "2m"
backoff = { base = "500ms", max = "30s", jitter = "250ms", max_retries = 0 }

[checks.disk]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_disk", "-w", "20%"]
critical = false

[services.api]
command = ["./api-server", "--port", "8080"]
env = { RUST_LOG = "info", MODE = "demo" }
cwd = "/"
restart = "on-failure"
backoff = { base = "1s", max = "5m", multiplier = 2, jitter = "10%" }
restart_budget = { max = 5, window = "10m" }
stability_period = "60s"
liveness = "runner"
readiness = "db"
pre_start = ["./refresh-token"]
stop_signal = "SIGTERM"
stop_timeout = "10s"
depends_on = { worker = "started", db = "healthy" }

[services.worker]
command = ["./worker"]
ready = "notify"
watchdog = "30s"
log_max_bytes = 1048576
log_keep = 5

[heartbeats.backup]
schedule = "0 3 * * *"
tz = "Europe/Berlin"
grace = "30m"

[notifiers.ops]
type = "webhook"
url = "https://u:p@hooks.internal/hale"
secret = "inline-hmac-key"
headers = { X-Team = "sre" }
timeout = "5s"
retry = { base = "1s", max = "5m", jitter = "20%", give_up_after = "24h" }

[notifiers.am]
type = "alertmanager"
urls = ["http://am1:9093", "http://am2:9093"]
token = "am-token"

[notifiers.mail]
type = "email"
url = "smtp://mail.internal:587"
from = "hale@example.com"
to = ["ops@example.com"]
username = "hale"
password = "smtp-password"
tls = "starttls"

[notifiers.page]
type = "exec"
command = ["/usr/local/bin/page", "--team", "sre"]

[[alerts]]
match = ["db", "runner", "api*"]
kind = ["check", "service"]
notify = ["ops", "am"]
on = ["fail", "degraded"]
after = "2m"
repeat = "1h"
resolved = true
flapping = { max_changes = 5, window = "10m" }

[[alerts]]
match = "backup"
notify = "mail"

[[silences]]
match = ["db"]
kind = "check"
schedule = "0 2 * * 0"
tz = "UTC"
duration = "2h"
comment = "weekly maintenance"
)";

// SplitMix64: small, deterministic, good enough to pick mutations.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

// Characters that matter to TOML and to the loader's own parsers.
// A literal with a NUL inside: the _sv suffix keeps its length.
using namespace std::string_view_literals;
constexpr std::string_view kInteresting = "[]{}=\"'\n#.,:%-0123456789msdhx \\\t@/\x00\xff"sv;

std::string mutate(std::string text, Rng& rng) {
  const int edits = 1 + static_cast<int>(rng.below(4));
  for (int i = 0; i < edits && !text.empty(); ++i) {
    const std::size_t at = rng.below(text.size());
    switch (rng.below(6)) {
      case 0: text.resize(at); break;                                         // truncate
      case 1: text.erase(at, 1 + rng.below(8)); break;                        // delete a run
      case 2: text[at] = kInteresting[rng.below(kInteresting.size())]; break;  // replace a byte
      case 3: text.insert(at, 1, kInteresting[rng.below(kInteresting.size())]); break;
      case 4: text.insert(at, text.substr(rng.below(text.size()), rng.below(40))); break;  // duplicate
      case 5: text[at] = static_cast<char>(rng.below(256)); break;           // any byte
    }
  }
  return text;
}

TEST(ConfigProperty, ValidConfigLoads) {
  const LoadResult r = load_config_string(kValidConfig, "property.toml");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->checks.size(), 3u);
  EXPECT_EQ(r.config->services.size(), 2u);
  EXPECT_EQ(r.config->heartbeats.size(), 1u);
  EXPECT_EQ(r.config->notifiers.size(), 4u);
  EXPECT_EQ(r.config->alerts.size(), 2u);
  EXPECT_EQ(r.config->silences.size(), 1u);
}

TEST(ConfigProperty, MutatedConfigsNeverThrowAndAlwaysAnswer) {
  Rng rng(20260418);
  int loaded = 0;
  int rejected = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string text = mutate(kValidConfig, rng);
    LoadResult r;
    ASSERT_NO_THROW(r = load_config_string(text, "property.toml")) << "case " << i;
    if (r.config) {
      EXPECT_TRUE(r.errors.empty()) << "case " << i;
      ++loaded;
      continue;
    }
    ++rejected;
    ASSERT_FALSE(r.errors.empty()) << "case " << i << ":\n" << text;
    for (const ConfigError& e : r.errors) {
      EXPECT_GE(e.line, 1) << "case " << i << ": " << e.to_string();
      EXPECT_GE(e.column, 1) << "case " << i << ": " << e.to_string();
      EXPECT_EQ(e.file, "property.toml");
      EXPECT_FALSE(e.message.empty());
    }
  }
  // Both outcomes occur, or the mutations are not exercising anything.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 300);
}

TEST(ConfigProperty, EveryPrefixOfAValidConfigIsHandled) {
  const std::string text = kValidConfig;
  for (std::size_t n = 0; n <= text.size(); ++n) {
    LoadResult r;
    ASSERT_NO_THROW(r = load_config_string(text.substr(0, n), "property.toml")) << n;
    ASSERT_TRUE(r.config.has_value() || !r.errors.empty()) << n;
    for (const ConfigError& e : r.errors) ASSERT_GE(e.line, 1) << n << ": " << e.to_string();
  }
}

}  // namespace
}  // namespace hale
