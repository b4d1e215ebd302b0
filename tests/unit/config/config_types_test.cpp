// The small behaviours of the config structs: error text, jitter resolution, CheckSpec
// equality (what a reload calls "changed") and type names.
#include <gtest/gtest.h>

#include <set>

#include "hale/config.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

TEST(ConfigError, ToStringHasFileLineColumn) {
  EXPECT_EQ((ConfigError{"hale.toml", 3, 7, "bad"}).to_string(), "hale.toml:3:7: bad");
  // No line: a file that could not be read at all.
  EXPECT_EQ((ConfigError{"/etc/hale.toml", 0, 0, "cannot read file: Permission denied"}).to_string(),
            "/etc/hale.toml: cannot read file: Permission denied");
}

TEST(Jitter, ResolvesAFractionOrAnAbsoluteSpreadWithinTheInterval) {
  const Jitter builtin;  // 10 %
  EXPECT_EQ(builtin.resolve(10s), 1s);
  EXPECT_EQ((Jitter{true, 0.25, 0ms}).resolve(2s), 500ms);
  EXPECT_EQ((Jitter{true, 0.0, 0ms}).resolve(10s), 0ms);
  EXPECT_EQ((Jitter{true, 1.0, 0ms}).resolve(10s), 10s);
  EXPECT_EQ((Jitter{false, 0, 250ms}).resolve(10s), 250ms);
  EXPECT_EQ((Jitter{false, 0, 0ms}).resolve(10s), 0ms);
  // Never more than the interval: a 30 s spread on a 10 s check would skip rounds.
  EXPECT_EQ((Jitter{false, 0, 30s}).resolve(10s), 10s);
  EXPECT_EQ((Jitter{true, 5.0, 0ms}).resolve(10s), 10s);
  EXPECT_EQ((Jitter{true, -1.0, 0ms}).resolve(10s), 0ms);
  EXPECT_EQ(builtin.resolve(0s), 0s);
}

TEST(CheckSpecEquality, IgnoresPositionButNothingElse) {
  CheckSpec a;
  a.name = "db";
  a.kind = TcpCheck{.target = "db:5432"};
  CheckSpec b = a;
  b.pos = SourcePos{40, 1};  // moved in the file: not a change
  EXPECT_TRUE(a == b);

  const auto changed = [&](auto&& edit) {
    CheckSpec c = a;
    edit(c);
    return !(a == c);
  };
  EXPECT_TRUE(changed([](CheckSpec& c) { c.name = "db2"; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.kind = HttpCheck{}; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { std::get<TcpCheck>(c.kind).target = "db:5433"; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.interval = 11s; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.timeout = 2s; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.failure_threshold = 4; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.success_threshold = 2; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.failure_duration = 1s; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.start_period = 1s; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.jitter.fraction = 0.2; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.critical = false; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.groups = {"live"}; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.backoff = BackoffPolicy{}; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.guard_code = "db_down"; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.latency_budget = LatencyBudget{}; }));
  EXPECT_TRUE(changed([](CheckSpec& c) { c.depends_on = {"network"}; }));

  // A kind's own keys: each one, changed alone in a check of that kind, is a change.
  const auto kind_changed = [&](auto kind, auto&& edit) {
    CheckSpec before = a;
    before.kind = kind;
    CheckSpec after = before;
    edit(std::get<decltype(kind)>(after.kind));
    return !(before == after);
  };
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.url = "http://x"; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.url_is_secret = true; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.expect_status = {{200, 200}}; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.expect_body = "ok"; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.expect_json = "{}"; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.max_latency = 1s; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.method = "HEAD"; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.headers = {{"A", "b"}}; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.ca_file = "/ca.pem"; }));
  EXPECT_TRUE(kind_changed(HttpCheck{}, [](HttpCheck& k) { k.insecure_skip_verify = true; }));
  EXPECT_TRUE(kind_changed(ExecCheck{}, [](ExecCheck& k) { k.command = {"x"}; }));
  EXPECT_TRUE(kind_changed(TlsCheck{}, [](TlsCheck& k) { k.file = "/api.pem"; }));
  EXPECT_TRUE(kind_changed(TlsCheck{}, [](TlsCheck& k) { k.server_name = "api"; }));
  EXPECT_TRUE(kind_changed(TlsCheck{}, [](TlsCheck& k) { k.warn_before = 1h; }));
  EXPECT_TRUE(kind_changed(TlsCheck{}, [](TlsCheck& k) { k.fail_before = 1h; }));
  EXPECT_TRUE(kind_changed(GrpcCheck{}, [](GrpcCheck& k) { k.service = "api"; }));
  EXPECT_TRUE(kind_changed(GrpcCheck{}, [](GrpcCheck& k) { k.tls = true; }));
  EXPECT_TRUE(kind_changed(DnsCheck{}, [](DnsCheck& k) { k.server = "127.0.0.1"; }));
  EXPECT_TRUE(kind_changed(ExpiryCheck{}, [](ExpiryCheck& k) { k.json_pointer = "/exp"; }));
}

TEST(CheckSpec, TypeIsTheKindsIndex) {
  for (const auto& [word, type] : kCheckTypeWords) {
    CheckSpec s;
    s.kind = default_kind(type);
    EXPECT_EQ(s.type(), type) << word;
  }
  EXPECT_EQ(CheckSpec{}.type(), CheckType::kHttp);  // [defaults] is read as an http check
}

TEST(CheckType, Names) {
  EXPECT_EQ(to_string(CheckType::kHttp), "http");
  EXPECT_EQ(to_string(CheckType::kTcp), "tcp");
  EXPECT_EQ(to_string(CheckType::kExec), "exec");
  EXPECT_EQ(to_string(CheckType::kDns), "dns");
  EXPECT_EQ(to_string(CheckType::kTls), "tls");
  EXPECT_EQ(to_string(CheckType::kGrpc), "grpc");
  EXPECT_EQ(to_string(CheckType::kExpiry), "expiry");
}

TEST(ConfigFindCheck, WorksOnAnUnsortedHandBuiltConfig) {
  Config c;
  c.checks.resize(2);
  c.checks[0].name = "z";
  c.checks[1].name = "a";
  ASSERT_NE(c.find_check("a"), nullptr);
  EXPECT_EQ(c.find_check("a"), &c.checks[1]);
  EXPECT_EQ(c.find_check("b"), nullptr);
}

}  // namespace
// One word table per enum (config.h, words.h): to_string reads the table the config's reader
// reads, so every value has one word and every word reads back to its value.
template <typename T, std::size_t N>
void expect_round_trip(const std::array<Word<T>, N>& words) {
  std::set<std::string_view> seen;
  for (const Word<T>& w : words) {
    EXPECT_EQ(to_string(w.value), w.name);
    EXPECT_EQ(value_of(words, w.name), w.value) << w.name;
    EXPECT_TRUE(seen.insert(w.name).second) << w.name << " twice";
  }
  EXPECT_EQ(value_of(words, "no-such-word"), std::nullopt);
}

TEST(EnumWords, EveryTableReadsBothWays) {
  expect_round_trip(kCheckTypeWords);
  expect_round_trip(kRestartModeWords);
  expect_round_trip(kReadyModeWords);
  expect_round_trip(kDependencyConditionWords);
  expect_round_trip(kRequireFailWords);
  expect_round_trip(kSubjectKindWords);
  expect_round_trip(kNotifierTypeWords);
  expect_round_trip(kContainmentSettingWords);
  EXPECT_EQ(parse_subject_kind("heartbeat"), SubjectKind::kHeartbeat);
  EXPECT_EQ(kCheckTypeWords.size(), 7u);  // every CheckType
  EXPECT_EQ(kNotifierTypeWords.size(), 7u);  // every NotifierType
}

// Config::find_check bisects a loaded (sorted) config, and still finds a check in one built by hand.
TEST(ConfigFind, FindsACheckInASortedOrAHandBuiltConfig) {
  Config sorted;
  for (const char* n : {"a", "b", "c", "d", "e"}) {
    CheckSpec c;
    c.name = n;
    sorted.checks.push_back(c);
  }
  for (const char* n : {"a", "c", "e"}) {
    ASSERT_NE(sorted.find_check(n), nullptr) << n;
    EXPECT_EQ(sorted.find_check(n)->name, n);
  }
  EXPECT_EQ(sorted.find_check("zz"), nullptr);
  EXPECT_EQ(sorted.find_check(""), nullptr);

  Config by_hand;  // not sorted: the bisection misses, the linear search still finds
  for (const char* n : {"e", "a", "d", "b", "c"}) {
    CheckSpec c;
    c.name = n;
    by_hand.checks.push_back(c);
  }
  for (const char* n : {"a", "b", "c", "d", "e"}) {
    ASSERT_NE(by_hand.find_check(n), nullptr) << n;
    EXPECT_EQ(by_hand.find_check(n)->name, n);
  }
  EXPECT_EQ(by_hand.find_check("f"), nullptr);
}

}  // namespace hale
