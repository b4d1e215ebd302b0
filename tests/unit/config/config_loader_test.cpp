// The loader on valid files: a config with every key (every field asserted), built-in
// defaults, the precedence built-in < [defaults] < [checks.NAME], ordering and lookups.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hale/config.h"
#include "support/config_errors.h"
#include "support/temp_file.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::error_lines;
using hale::testing::TempFile;

const Config& loaded(const LoadResult& r) {
  EXPECT_EQ(error_lines(r), std::vector<std::string>{});
  if (!r.config) {
    static const Config kEmpty;
    ADD_FAILURE() << "no config";
    return kEmpty;
  }
  return *r.config;
}

TEST(ConfigLoader, EmptyFileGivesBuiltInDefaults) {
  const LoadResult r = load_config_string("", "hale.toml");
  const Config& c = loaded(r);
  EXPECT_EQ(c.path, "hale.toml");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8099");
  EXPECT_EQ(c.server.service, "hale");
  EXPECT_EQ(c.server.admin_token, std::nullopt);
  EXPECT_EQ(c.server.state_dir, ".hale");
  EXPECT_EQ(c.server.max_connections, 1024);
  EXPECT_EQ(c.server.max_header_bytes, 8u * 1024);
  EXPECT_EQ(c.server.max_body_bytes, 1024u * 1024);
  EXPECT_EQ(c.server.read_timeout, 10s);
  EXPECT_EQ(c.server.idle_timeout, 60s);
  EXPECT_EQ(c.server.containment, ContainmentSetting::kAuto);
  EXPECT_TRUE(c.checks.empty());
  EXPECT_TRUE(c.groups.empty());
  EXPECT_TRUE(c.secrets.empty());
}

TEST(ConfigLoader, SpecExampleLoads) {
  // SPEC §1, verbatim but for the admin token's variable.
  ::setenv("HALE_TEST_SPEC_TOKEN", "spec-token", 1);
  const std::string toml = R"([server]
listen = "127.0.0.1:8099"      # health, metrics, API, dashboard. Loopback by default.
service = "hale"                # the "service" field of /health
admin_token = "env:HALE_TEST_SPEC_TOKEN"
state_dir = ".hale"             # SQLite database, service logs

[defaults]                      # applied to every check unless it overrides them
interval = "10s"
timeout = "1s"
failure_threshold = 3
success_threshold = 1
jitter = "10%"

[checks.db]
type = "tcp"
target = "127.0.0.1:5432"
critical = true
groups = ["ready"]

[checks.runner]
type = "http"
url = "http://127.0.0.1:7071/v1/ready"
expect_status = "200-399"
start_period = "30s"
failure_duration = "2m"
backoff = { base = "500ms", max = "30s", jitter = "250ms", max_retries = 0 }

[checks.disk]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_disk", "-w", "20%", "-c", "10%", "-p", "/"]
)";
  const LoadResult r = load_config_string(toml, "hale.toml");
  const Config& c = loaded(r);
  ASSERT_EQ(c.checks.size(), 3u);
  EXPECT_EQ(c.checks[0].name, "db");
  EXPECT_EQ(c.checks[1].name, "disk");
  EXPECT_EQ(c.checks[2].name, "runner");
  EXPECT_EQ(c.server.admin_token, "spec-token");
  EXPECT_EQ(c.secrets, std::vector<std::string>{"spec-token"});
  const CheckSpec* runner = c.find_check("runner");
  ASSERT_NE(runner, nullptr);
  EXPECT_EQ(runner->backoff, (BackoffPolicy{500ms, 30s, 250ms, 0}));
  EXPECT_EQ(runner->failure_duration, 2min);
  EXPECT_EQ(std::get<ExecCheck>((*c.find_check("disk")).kind).command.size(), 7u);
  ::unsetenv("HALE_TEST_SPEC_TOKEN");
}

TEST(ConfigLoader, EveryKeyIsReadIntoItsField) {
  TempFile ca("-----BEGIN CERTIFICATE-----\n", ".pem");
  const std::string toml = R"([server]
listen = "[::]:9000"
service = "edge"
admin_token = "inline-admin-token"
state_dir = "/var/lib/hale"
max_connections = 256
max_header_bytes = 16384
max_body_bytes = 0
read_timeout = "5s"
idle_timeout = "2m"
containment = "subreaper"

[defaults]
interval = "30s"
timeout = "2s"
failure_threshold = 5
success_threshold = 2
failure_duration = "1m"
start_period = "10s"
jitter = "5%"
critical = false
groups = ["live", "ready"]
backoff = { base = "1s", max = "1m", jitter = "100ms", max_retries = 3 }
expect_status = [200, 204]
max_latency = "1500ms"
method = "HEAD"
headers = { User-Agent = "hale-probe", X-Env = "prod" }
ca_file = ")" + ca.path() + R"("
insecure_skip_verify = true

[groups.deps]
description = "External dependencies"

[groups.batch]

[checks.api]
type = "https"
url = "https://user:pw@api.internal:8443/health"
interval = "15s"
timeout = "3s"
failure_threshold = 2
success_threshold = 3
failure_duration = "30s"
start_period = "1m"
jitter = "500ms"
critical = true
groups = ["ready", "deps", "ready"]
backoff = { base = "250ms", max = "10s" }
expect_status = ["200-299", 304, "4xx"]
expect_body = '"status":\s*"ok"'
expect_json = { status = "ok", checks = { db = 1, ok = true, ratio = 0.5, tags = ["a"] } }
max_latency = "750ms"
method = "post"
headers = { Authorization = "Bearer abc", x-env = "staging" }
ca_file = ")" + ca.path() + R"("
insecure_skip_verify = false

[checks.db]
type = "tcp"
target = "[::1]:5432"

[checks.disk]
type = "exec"
command = ["/usr/lib/nagios/plugins/check_disk", "-w", "20%"]
timeout = "5s"
groups = []
)";
  const LoadResult r = load_config_string(toml, "hale.toml");
  const Config& c = loaded(r);

  EXPECT_EQ(c.server.listen, "[::]:9000");
  EXPECT_EQ(c.server.service, "edge");
  EXPECT_EQ(c.server.admin_token, "inline-admin-token");
  EXPECT_EQ(c.server.state_dir, "/var/lib/hale");
  EXPECT_EQ(c.server.max_connections, 256);
  EXPECT_EQ(c.server.max_header_bytes, 16384u);
  EXPECT_EQ(c.server.max_body_bytes, 0u);
  EXPECT_EQ(c.server.read_timeout, 5s);
  EXPECT_EQ(c.server.idle_timeout, 2min);
  EXPECT_EQ(c.server.containment, ContainmentSetting::kSubreaper);

  ASSERT_EQ(c.groups.size(), 2u);  // sorted by name
  EXPECT_EQ(c.groups[0].name, "batch");
  EXPECT_EQ(c.groups[0].description, "");
  EXPECT_EQ(c.groups[1].name, "deps");
  EXPECT_EQ(c.groups[1].description, "External dependencies");

  ASSERT_EQ(c.checks.size(), 3u);
  const CheckSpec& api = c.checks[0];
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.type(), CheckType::kHttp);  // https is an alias
  ASSERT_NE(api.as<HttpCheck>(), nullptr);
  const HttpCheck& http = *api.as<HttpCheck>();
  EXPECT_EQ(api.pos.line, 36);
  EXPECT_EQ(api.pos.column, 1);
  EXPECT_EQ(http.url, "https://user:pw@api.internal:8443/health");
  EXPECT_EQ(api.interval, 15s);
  EXPECT_EQ(api.timeout, 3s);
  EXPECT_EQ(api.failure_threshold, 2);
  EXPECT_EQ(api.success_threshold, 3);
  EXPECT_EQ(api.failure_duration, 30s);
  EXPECT_EQ(api.start_period, 1min);
  EXPECT_FALSE(api.jitter.is_fraction);
  EXPECT_EQ(api.jitter.absolute, 500ms);
  EXPECT_TRUE(api.critical);
  EXPECT_EQ(api.groups, (std::vector<std::string>{"ready", "deps"}));  // duplicates dropped
  EXPECT_EQ(api.backoff, (BackoffPolicy{250ms, 10s, 0ms, 0}));         // replaces the default one whole
  EXPECT_EQ(http.expect_status, (std::vector<StatusRange>{{200, 299}, {304, 304}, {400, 499}}));
  EXPECT_EQ(http.expect_body, R"("status":\s*"ok")");
  EXPECT_EQ(http.expect_json, R"({"checks":{"db":1,"ok":true,"ratio":0.5,"tags":["a"]},"status":"ok"})");
  EXPECT_EQ(http.max_latency, 750ms);
  EXPECT_EQ(http.method, "POST");
  // Check headers override [defaults] headers of the same name, whatever the case.
  EXPECT_EQ(http.headers, (std::vector<std::pair<std::string, std::string>>{
                             {"User-Agent", "hale-probe"}, {"x-env", "staging"}, {"Authorization", "Bearer abc"}}));
  EXPECT_EQ(http.ca_file, ca.path());
  EXPECT_FALSE(http.insecure_skip_verify);

  const CheckSpec& db = c.checks[1];
  EXPECT_EQ(db.name, "db");
  EXPECT_EQ(db.type(), CheckType::kTcp);
  // ...except the http-only keys, which a tcp check does not have: its kind is its target alone.
  EXPECT_EQ(db.kind, CheckKind(TcpCheck{.target = "[::1]:5432"}));
  // Everything else from [defaults]...
  EXPECT_EQ(db.interval, 30s);
  EXPECT_EQ(db.timeout, 2s);
  EXPECT_EQ(db.failure_threshold, 5);
  EXPECT_EQ(db.success_threshold, 2);
  EXPECT_EQ(db.failure_duration, 1min);
  EXPECT_EQ(db.start_period, 10s);
  EXPECT_TRUE(db.jitter.is_fraction);
  EXPECT_DOUBLE_EQ(db.jitter.fraction, 0.05);
  EXPECT_FALSE(db.critical);
  EXPECT_EQ(db.groups, (std::vector<std::string>{"live", "ready"}));
  EXPECT_EQ(db.backoff, (BackoffPolicy{1s, 1min, 100ms, 3}));

  const CheckSpec& disk = c.checks[2];
  EXPECT_EQ(disk.kind, CheckKind(ExecCheck{{"/usr/lib/nagios/plugins/check_disk", "-w", "20%"}}));
  EXPECT_EQ(disk.timeout, 5s);
  EXPECT_TRUE(disk.groups.empty());  // probed, aggregated nowhere

  // admin_token always; the URL's password and the Authorization value because they carry
  // credentials even inline.
  EXPECT_THAT(c.secrets, ::testing::UnorderedElementsAre("inline-admin-token", "pw", "Bearer abc"));
}

TEST(ConfigLoader, PrecedenceIsBuiltInThenDefaultsThenCheck) {
  const std::string toml = R"([defaults]
timeout = "2s"
failure_threshold = 4

[checks.a]
type = "tcp"
target = "a:1"

[checks.b]
type = "tcp"
target = "b:1"
failure_threshold = 1
)";
  const LoadResult r = load_config_string(toml, "hale.toml");
  const Config& c = loaded(r);
  const CheckSpec* a = c.find_check("a");
  const CheckSpec* b = c.find_check("b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->interval, 10s);          // built-in
  EXPECT_EQ(a->timeout, 2s);            // [defaults]
  EXPECT_EQ(a->failure_threshold, 4);   // [defaults]
  EXPECT_EQ(b->failure_threshold, 1);   // [checks.b]
  EXPECT_EQ(a->success_threshold, 1);   // built-in
  EXPECT_TRUE(a->jitter.is_fraction);   // built-in 10%
  EXPECT_DOUBLE_EQ(a->jitter.fraction, 0.10);
  EXPECT_EQ(a->groups, std::vector<std::string>{"ready"});
  EXPECT_TRUE(a->critical);
  EXPECT_EQ(a->backoff, std::nullopt);
}

TEST(ConfigLoader, ChecksAreSortedAndFoundByName) {
  const std::string toml =
      "[checks.zeta]\ntype = \"tcp\"\ntarget = \"z:1\"\n"
      "[checks.alpha]\ntype = \"tcp\"\ntarget = \"a:1\"\n"
      "[checks.Mid]\ntype = \"tcp\"\ntarget = \"m:1\"\n";
  const LoadResult r = load_config_string(toml, "hale.toml");
  const Config& c = loaded(r);
  ASSERT_EQ(c.checks.size(), 3u);
  EXPECT_EQ(c.checks[0].name, "Mid");
  EXPECT_EQ(c.checks[1].name, "alpha");
  EXPECT_EQ(c.checks[2].name, "zeta");
  EXPECT_EQ(c.find_check("zeta")->pos.line, 1);
  EXPECT_EQ(c.find_check("alpha")->pos.line, 4);
  EXPECT_EQ(c.find_check("nope"), nullptr);
}

TEST(ConfigLoader, AcceptsNamesWithDotsDashesAndUnderscores) {
  const LoadResult r = load_config_string("[checks.\"api-v1.internal_x\"]\ntype = \"tcp\"\ntarget = \"a:1\"\n", "h");
  EXPECT_NE(loaded(r).find_check("api-v1.internal_x"), nullptr);
}

TEST(ConfigLoader, ExpectStatusForms) {
  const struct {
    const char* value;
    std::vector<StatusRange> expect;
  } cases[] = {
      {"200", {{200, 200}}},
      {"\"200\"", {{200, 200}}},
      {"\"200-399\"", {{200, 399}}},
      {"\"2xx\"", {{200, 299}}},
      {"\"5XX\"", {{500, 599}}},
      {"[200, 204]", {{200, 200}, {204, 204}}},
      {"[\"200-204\", 301]", {{200, 204}, {301, 301}}},
  };
  for (const auto& c : cases) {
    const std::string toml = std::string("[checks.w]\ntype = \"http\"\nurl = \"http://w\"\nexpect_status = ") +
                             c.value + "\n";
    const LoadResult r = load_config_string(toml, "hale.toml");
    ASSERT_TRUE(r.config) << c.value;
    EXPECT_EQ(std::get<HttpCheck>(r.config->checks[0].kind).expect_status, c.expect) << c.value;
  }
}

TEST(ConfigLoader, JitterForms) {
  const struct {
    const char* value;
    Jitter expect;
  } cases[] = {
      {"\"0ms\"", {false, 0, 0ms}},
      {"\"0%\"", {true, 0, 0ms}},
      {"\"100%\"", {true, 1.0, 0ms}},
      {"\"12.5%\"", {true, 0.125, 0ms}},
      {"\"2s\"", {false, 0, 2s}},
  };
  for (const auto& c : cases) {
    const std::string toml = std::string("[defaults]\njitter = ") + c.value + "\n";
    const LoadResult r = load_config_string(toml + "[checks.a]\ntype = \"tcp\"\ntarget = \"a:1\"\n", "hale.toml");
    ASSERT_TRUE(r.config) << c.value;
    EXPECT_EQ(r.config->checks[0].jitter, c.expect) << c.value;
  }
}

TEST(ConfigLoader, ExpectJsonAsStringIsStoredAsJson) {
  const std::string toml =
      "[checks.w]\ntype = \"http\"\nurl = \"http://w\"\nexpect_json = '{ \"status\" : \"ok\", \"n\": [1,2] }'\n";
  const LoadResult r = load_config_string(toml, "hale.toml");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(std::get<HttpCheck>(r.config->checks[0].kind).expect_json, R"({"n":[1,2],"status":"ok"})");
}

TEST(ConfigLoader, RelativeCaFileIsResolvedAgainstTheConfigDirectory) {
  TempFile ca("pem", ".pem");
  const std::string dir = ca.path().substr(0, ca.path().rfind('/'));
  const std::string base = ca.path().substr(ca.path().rfind('/') + 1);
  const std::string toml = "[checks.w]\ntype = \"http\"\nurl = \"https://w\"\nca_file = \"" + base + "\"\n";
  const LoadResult r = load_config_string(toml, dir + "/hale.toml");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(error_lines(r));
  EXPECT_EQ(std::get<HttpCheck>(r.config->checks[0].kind).ca_file, ca.path());
}

TEST(ConfigLoader, LoadsAFile) {
  TempFile file("[checks.db]\ntype = \"tcp\"\ntarget = \"db:5432\"\n", ".toml");
  const LoadResult r = load_config_file(file.path());
  const Config& c = loaded(r);
  EXPECT_EQ(c.path, file.path());
  ASSERT_EQ(c.checks.size(), 1u);
}

TEST(ConfigLoader, UnreadableFileIsOneErrorWithoutPosition) {
  const LoadResult r = load_config_file("/nonexistent/hale.toml");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 0);
  EXPECT_EQ(r.errors[0].to_string(), "/nonexistent/hale.toml: cannot read file: No such file or directory");
}

TEST(ConfigLoader, DirectoryIsAnUnreadableFile) {
  const LoadResult r = load_config_file("/tmp");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(), "/tmp: cannot read file: not a regular file (a directory)");
}

TEST(ConfigLoader, ADeviceOrAFifoIsRefusedAtOnceNotReadForEver) {
  // Issue 17: `hale validate -c /dev/zero` read 1.5 GB in 1.5 s and never ended; a FIFO blocked.
  EXPECT_EQ(load_config_file("/dev/zero").errors.at(0).to_string(),
            "/dev/zero: cannot read file: not a regular file (a character device)");
  const std::string fifo = ::testing::TempDir() + "/hale-config-fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(load_config_file(fifo).errors.at(0).to_string(), fifo + ": cannot read file: not a regular file (a FIFO)");
  ::unlink(fifo.c_str());
}

// Noticed while fuzzing: `ca_file` was checked with fopen(), which waits for ever for a FIFO's writer.
TEST(ConfigLoader, ACaFileThatIsAFifoOrADirectoryIsAnErrorAtOnce) {
  const std::string fifo = ::testing::TempDir() + "/hale-ca-fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& [path, kind] : {std::pair<std::string, std::string>{fifo, "a FIFO"}, {"/tmp", "a directory"}}) {
    const LoadResult r = load_config_string(
        "[checks.w]\ntype = \"http\"\nurl = \"https://w\"\nca_file = \"" + path + "\"\n", "hale.toml");
    EXPECT_EQ(error_lines(r), std::vector<std::string>{"hale.toml:4:11: `ca_file` \"" + path +
                                                       "\": cannot read: not a regular file (" + kind + ")"});
  }
  ::unlink(fifo.c_str());
}

TEST(ConfigLoader, AFileOver16MiBIsRefusedWithItsSize) {
  const std::string big = ::testing::TempDir() + "/hale-config-big.toml";
  {
    std::ofstream out(big, std::ios::binary);
    const std::string line = "# a comment line, repeated until the file is too big for a config\n";
    for (std::size_t n = 0; n <= 16u * 1024 * 1024; n += line.size()) out << line;
  }
  const LoadResult r = load_config_file(big);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].to_string().find("the limit is 16 MiB"), std::string::npos) << r.errors[0].to_string();
  ::unlink(big.c_str());
}

TEST(ConfigLoader, TomlSyntaxErrorHasItsPosition) {
  const LoadResult r = load_config_string("[checks.db]\ntype = \"tcp\"\ninterval = \n", "hale.toml");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(error_lines(r), std::vector<std::string>{
                                "hale.toml:3:12: Error while parsing key-value pair: expected value, saw '\\n'"});
}

TEST(ConfigLoader, DuplicateKeyIsASyntaxError) {
  const LoadResult r = load_config_string("[checks.db]\ntype = \"tcp\"\ntype = \"http\"\n", "hale.toml");
  EXPECT_EQ(error_lines(r), std::vector<std::string>{"hale.toml:3:8: Error while parsing key-value pair: cannot "
                                                     "redefine existing string 'type'"});
}

TEST(ConfigLoader, CollectsEveryErrorInFileOrder) {
  // toml++ walks keys by name (target < timeout < type...); the errors still come in file order.
  const std::string toml = R"([server]
listen = "8099"
[checks.web]
url = "ftp://x"
type = "http"
timeout = "soon"
[checks.db]
type = "tcp"
zzz = 1
aaa = 2
)";
  EXPECT_EQ(hale::testing::config_errors(toml),
            (std::vector<std::string>{
                "hale.toml:2:10: `listen` \"8099\": needs a port (host:port)",
                "hale.toml:4:7: `url` must start with http:// or https://",
                "hale.toml:6:11: `timeout`: invalid duration \"soon\" (use a unit: 250ms, 10s, 5m, 1h, 14d)",
                "hale.toml:7:1: check \"db\": type \"tcp\" needs `target` (host:port)",
                "hale.toml:9:1: unknown key `zzz` in [checks.db]",
                "hale.toml:10:1: unknown key `aaa` in [checks.db]",
            }));
}

}  // namespace
}  // namespace hale

namespace hale {
namespace {

TEST(ConfigLoaderTls, TargetCheckWithDefaults) {
  const LoadResult r = load_config_string("[checks.api-cert]\ntype = \"tls\"\ntarget = \"api.internal:443\"\n",
                                          "hale.toml");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(testing::error_lines(r));
  ASSERT_NE(r.config->checks[0].as<TlsCheck>(), nullptr);
  const TlsCheck& c = *r.config->checks[0].as<TlsCheck>();
  EXPECT_EQ(c.target, "api.internal:443");
  EXPECT_EQ(c.file, "");
  EXPECT_EQ(c.server_name, "");
  EXPECT_EQ(c.warn_before, std::chrono::hours(24 * 14));
  EXPECT_EQ(c.fail_before, std::chrono::hours(24 * 3));
  EXPECT_FALSE(c.insecure_skip_verify);
}

TEST(ConfigLoaderTls, FileIsRelativeToTheConfigAndKeysAreRead) {
  TempFile ca("pem", ".pem");
  const std::string dir = ca.path().substr(0, ca.path().rfind('/'));
  const std::string toml =
      "[defaults]\ninsecure_skip_verify = true\n"
      "[checks.cert]\ntype = \"tls\"\nfile = \"certs/api.pem\"\nwarn_before = \"30d\"\nfail_before = \"7d\"\n"
      "ca_file = \"" + ca.path() + "\"\n";
  const LoadResult r = load_config_string(toml, dir + "/hale.toml");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(testing::error_lines(r));
  ASSERT_NE(r.config->checks[0].as<TlsCheck>(), nullptr);
  const TlsCheck& c = *r.config->checks[0].as<TlsCheck>();
  EXPECT_EQ(c.file, dir + "/certs/api.pem");
  EXPECT_EQ(c.warn_before, std::chrono::hours(24 * 30));
  EXPECT_EQ(c.fail_before, std::chrono::hours(24 * 7));
  EXPECT_EQ(c.ca_file, ca.path());
  EXPECT_TRUE(c.insecure_skip_verify);  // [defaults] TLS settings apply to tls checks as to http ones
}

TEST(ConfigLoaderTls, ServerNameAndZeroFailBefore) {
  const LoadResult r = load_config_string(
      "[checks.c]\ntype = \"tls\"\ntarget = \"10.0.0.5:8443\"\nserver_name = \"api.internal\"\nfail_before = \"0s\"\n",
      "hale.toml");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(testing::error_lines(r));
  EXPECT_EQ(std::get<TlsCheck>(r.config->checks[0].kind).server_name, "api.internal");
  EXPECT_EQ(std::get<TlsCheck>(r.config->checks[0].kind).fail_before, Duration::zero());
}

}  // namespace
}  // namespace hale
