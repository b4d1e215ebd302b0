// The Engine in-process on a real event loop against real loopback targets: transitions reach
// subscribers with their evidence, snapshots follow, reloads keep unchanged checks, the
// engine's own deadline ends a hung probe, and max_retries stops probing.
#include "hale/health/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/io_context.hpp>

#include "hale/check_state.h"
#include "hale/config.h"
#include "hale/log/redactor.h"
#include "hale/net/curl_multi.h"
#include "hale/probe/probe.h"
#include "support/hale_process.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using testing::TestResponse;

using namespace std::chrono_literals;

Config load(const std::string& text) {
  LoadResult r = load_config_string(text, "engine_test.toml");
  EXPECT_TRUE(r.config.has_value()) << (r.errors.empty() ? "" : r.errors[0].to_string());
  return r.config.value_or(Config{});
}

class EngineTest : public ::testing::Test {
 protected:
  // Runs the loop until `done` holds, at most `within`.
  template <typename F>
  bool run_until(F done, std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(20ms);
    }
    return done();
  }
  const CheckView* view(const std::string& name) {
    snap_ = engine_.snapshot();
    return snap_->find(name);
  }

  boost::asio::io_context io_;
  CurlMulti curl_{io_};
  ProbeContext probes_{io_, curl_};
  Engine engine_{io_, system_clock(), probes_, 42};
  std::shared_ptr<const Snapshot> snap_;
};

std::string two_tcp_checks(std::uint16_t up, std::uint16_t down, const std::string& up_extra = "") {
  return "[defaults]\ninterval = \"50ms\"\ntimeout = \"500ms\"\nfailure_threshold = 2\njitter = \"0ms\"\n"
         "[checks.up]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(up) + "\"\n" + up_extra +
         "[checks.down]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(down) + "\"\n";
}

TEST_F(EngineTest, TransitionsReachSubscribersWithEvidence) {
  TcpListener up;
  std::vector<Transition> seen;
  engine_.subscribe([&](const Transition& t) { seen.push_back(t); });
  engine_.apply(load(two_tcp_checks(up.port(), free_port())));
  // Subscribers hear a transition as it happens; the snapshot follows at the next turn of the
  // loop (a slow machine once ended run_for between the two).
  ASSERT_TRUE(run_until([&] { return seen.size() >= 2 && view("down") && view("down")->status == Health::kFail; }));

  const Transition* down = nullptr;
  const Transition* ok = nullptr;
  for (const auto& t : seen) (t.check == "down" ? down : ok) = &t;
  ASSERT_NE(down, nullptr);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->from, Health::kUnknown);
  EXPECT_EQ(ok->to, Health::kOk);
  EXPECT_EQ(down->to, Health::kFail);
  EXPECT_EQ(down->reason, "connection refused");
  ASSERT_EQ(down->evidence.size(), 2u);  // failure_threshold failures, oldest first
  EXPECT_EQ(down->evidence[0].verdict, Verdict::kFail);

  auto snap = engine_.snapshot();
  EXPECT_EQ(snap->ready, Health::kFail);
  EXPECT_EQ(snap->find("down")->status, Health::kFail);
  EXPECT_EQ(to_string(snap->find("down")->error_kind), "refused");
  EXPECT_EQ(snap->find("up")->status, Health::kOk);
  EXPECT_TRUE(snap->find("up")->next_check.has_value());
}

TEST_F(EngineTest, ReloadKeepsUnchangedChecksAndRestartsChangedOnes) {
  TcpListener up;
  const std::uint16_t down_port = free_port();
  engine_.apply(load(two_tcp_checks(up.port(), down_port)));
  ASSERT_TRUE(run_until([&] {
    auto* u = view("up");
    auto* d = view("down");
    return u && d && u->status == Health::kOk && d->status == Health::kFail;
  }));
  const auto probes_before = view("up")->probes_total;

  // Same spec for both: nothing restarts, state and counters carry on.
  engine_.apply(load(two_tcp_checks(up.port(), down_port)));
  EXPECT_EQ(view("up")->status, Health::kOk);
  EXPECT_GE(view("up")->probes_total, probes_before);
  EXPECT_EQ(view("down")->status, Health::kFail);

  // `up` changed, `down` removed.
  Config changed = load(two_tcp_checks(up.port(), down_port, "success_threshold = 2\n"));
  changed.checks.erase(std::remove_if(changed.checks.begin(), changed.checks.end(),
                                      [](const CheckSpec& c) { return c.name == "down"; }),
                       changed.checks.end());
  engine_.apply(changed);
  EXPECT_EQ(view("down"), nullptr);
  ASSERT_NE(view("up"), nullptr);
  // A new probe with the new settings (its counters start over), the status kept (SPEC §2).
  EXPECT_EQ(view("up")->status, Health::kOk);
  EXPECT_EQ(view("up")->probes_total, 0u);
  EXPECT_TRUE(run_until([&] { return view("up")->probes_total >= 2; }));
  EXPECT_EQ(view("up")->status, Health::kOk);
}

TEST_F(EngineTest, EngineDeadlineEndsAHungProbe) {
  engine_.apply(load(R"([checks.hung]
type = "exec"
command = ["/bin/sleep", "10"]
interval = "1s"
timeout = "200ms"
failure_threshold = 1
)"));
  ASSERT_TRUE(run_until([&] { return view("hung") && view("hung")->status == Health::kFail; }, 5s));
  EXPECT_EQ(view("hung")->error, "timeout after 200ms");
  EXPECT_EQ(to_string(view("hung")->error_kind), "timeout");
  EXPECT_EQ(view("hung")->errors_by_code.at(ErrorKind::kTimeout), 1u);
}

TEST_F(EngineTest, MaxRetriesStopsProbing) {
  engine_.apply(load("[checks.gone]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
                     std::to_string(free_port()) +
                     "\"\nfailure_threshold = 1\nbackoff = { base = \"10ms\", max = \"20ms\", max_retries = 2 }\n"));
  ASSERT_TRUE(run_until([&] { return view("gone") && view("gone")->probing_stopped; }));
  const auto probes = view("gone")->probes_total;
  EXPECT_EQ(probes, 3u);  // the first attempt and two retries
  EXPECT_EQ(view("gone")->status, Health::kFail);
  EXPECT_FALSE(view("gone")->next_check.has_value());
  io_.restart();
  io_.run_for(200ms);
  EXPECT_EQ(view("gone")->probes_total, probes);
}

TEST_F(EngineTest, ReloadRestartsACheckWhoseRetriesRanOut) {
  const std::string text = "[checks.gone]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
                           std::to_string(free_port()) +
                           "\"\nfailure_threshold = 1\nbackoff = { base = \"10ms\", max = \"20ms\", max_retries = 1 }\n";
  engine_.apply(load(text));
  ASSERT_TRUE(run_until([&] { return view("gone") && view("gone")->probing_stopped; }));
  engine_.apply(load(text));  // the same file: probing starts again, with a new set of retries
  EXPECT_FALSE(view("gone")->probing_stopped);
  EXPECT_EQ(view("gone")->status, Health::kFail) << "still failing: a reload is no verdict";
  EXPECT_TRUE(run_until([&] { return view("gone")->probes_total >= 2; }));
}

TEST_F(EngineTest, AThrowingSubscriberDoesNotStopTheOthers) {
  int heard = 0;
  engine_.subscribe([](const Transition&) { throw std::runtime_error("subscriber bug"); });
  engine_.subscribe([&](const Transition&) { ++heard; });
  engine_.apply(load("[checks.gone]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" +
                     std::to_string(free_port()) + "\"\nfailure_threshold = 1\n"));
  EXPECT_TRUE(run_until([&] { return heard == 1; }));
}

TEST_F(EngineTest, ARemovedCheckEndsAsUnknownAndAChangedOneKeepsItsStatus) {
  // SPEC §2 (issue 18): a reload never flips an answer by itself. A removed check leaves (its
  // subscribers hear it end, so an alert can be resolved); a check whose probing changed keeps
  // its status until the new settings decide.
  TcpListener up;
  const std::uint16_t down_port = free_port();
  std::vector<Transition> seen;
  engine_.subscribe([&](const Transition& t) { seen.push_back(t); });
  engine_.apply(load(two_tcp_checks(up.port(), down_port)));
  ASSERT_TRUE(run_until([&] { return seen.size() >= 2; }));
  seen.clear();
  Config changed = load(two_tcp_checks(up.port(), down_port, "success_threshold = 2\ninterval = \"70ms\"\n"));
  changed.checks.erase(std::remove_if(changed.checks.begin(), changed.checks.end(),
                                      [](const CheckSpec& c) { return c.name == "down"; }),
                       changed.checks.end());
  engine_.apply(changed);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].check, "down");
  EXPECT_EQ(seen[0].from, Health::kFail);
  EXPECT_EQ(seen[0].to, Health::kUnknown);
  EXPECT_EQ(seen[0].reason, "check removed");
  ASSERT_NE(view("up"), nullptr);
  EXPECT_EQ(view("up")->status, Health::kOk) << "a changed check went back to unknown";
  EXPECT_EQ(engine_.snapshot()->ready, Health::kOk);
  // The new settings probe on, and nothing flips while the target stays up.
  const auto probes = view("up")->probes_total;
  EXPECT_TRUE(run_until([&] { return view("up")->probes_total >= probes + 3; }));
  EXPECT_EQ(view("up")->status, Health::kOk);
  EXPECT_TRUE(seen.size() == 1u) << "a transition came from the reload alone";
}

TEST_F(EngineTest, ACheckAReloadAddsIsJoiningUntilItsFirstResultAndAtStartItIsNot) {
  TcpListener up;
  engine_.apply(load(two_tcp_checks(up.port(), free_port())));
  EXPECT_FALSE(view("up")->joining) << "at start-up a critical unknown holds /readyz at 503";
  EXPECT_EQ(engine_.snapshot()->ready, Health::kFail);
  ASSERT_TRUE(run_until([&] { return view("up")->status == Health::kOk && view("down")->status == Health::kFail; }));
  // Reload: drop the failing one, add a new one on the healthy port.
  const std::string added = "[checks.added]\ntype = \"tcp\"\ntarget = \"127.0.0.1:" + std::to_string(up.port()) + "\"\n";
  Config next = load(two_tcp_checks(up.port(), free_port()) + added);
  next.checks.erase(std::remove_if(next.checks.begin(), next.checks.end(),
                                   [](const CheckSpec& c) { return c.name == "down"; }),
                    next.checks.end());
  engine_.apply(next);
  ASSERT_NE(view("added"), nullptr);
  EXPECT_EQ(view("added")->status, Health::kUnknown);
  EXPECT_TRUE(view("added")->joining);
  EXPECT_EQ(engine_.snapshot()->ready, Health::kOk) << "the added check held /readyz at 503";
  ASSERT_TRUE(run_until([&] { return view("added")->status == Health::kOk; }));
  EXPECT_FALSE(view("added")->joining);
}

TEST_F(EngineTest, ChangingOnlyCriticalOrGroupsKeepsTheState) {
  TcpListener up;
  const std::uint16_t down_port = free_port();
  engine_.apply(load(two_tcp_checks(up.port(), down_port)));
  ASSERT_TRUE(run_until([&] { return view("up") && view("up")->status == Health::kOk; }));
  engine_.apply(load(two_tcp_checks(up.port(), down_port, "critical = false\ngroups = [\"live\"]\n")));
  ASSERT_NE(view("up"), nullptr);
  EXPECT_EQ(view("up")->status, Health::kOk);  // not back to unknown
  EXPECT_FALSE(view("up")->critical);
  EXPECT_TRUE(view("up")->in_group("live"));
  EXPECT_FALSE(view("up")->in_group("ready"));
}

// docs/scale.md: the runners and their http probes point into the applied Config instead of
// copying their specs, and a reload that leaves a check as it was moves them onto the new
// Config, so that the old one is freed (or every reload would keep one more Config alive).
TEST_F(EngineTest, RunnersShareTheAppliedConfigAndAReloadLetsThePreviousOneGo) {
  TestHttpServer target;
  target.set("/up", TestResponse::ok());
  const std::string text = "[defaults]\ninterval = \"50ms\"\njitter = \"0ms\"\n"
                           "[checks.web]\ntype = \"http\"\nurl = \"" + target.url("/up") + "\"\n";
  auto first = std::make_shared<const Config>(load(text));
  const std::weak_ptr<const Config> first_alive = first;
  engine_.apply(std::move(first));
  ASSERT_TRUE(run_until([&] { return view("web") && view("web")->status == Health::kOk; }));
  EXPECT_FALSE(first_alive.expired()) << "the running check copied its spec instead of sharing it";

  engine_.apply(std::make_shared<const Config>(load(text)));
  EXPECT_TRUE(first_alive.expired()) << "the runner or its probe still holds the previous Config";
  // The check kept running (no restart from unknown) and probes on, with the new Config's spec.
  EXPECT_EQ(view("web")->status, Health::kOk);
  const std::size_t before = target.request_count("/up");
  ASSERT_TRUE(run_until([&] { return target.request_count("/up") >= before + 3; }));
  EXPECT_EQ(view("web")->status, Health::kOk);
}

// The latency histogram is for `[metrics] detail = "full"` only (10,000 checks: 2 MB less).
TEST_F(EngineTest, LatencyHistogramsAreKeptOnlyWhenTheMetricsShowThem) {
  TcpListener up;
  const std::uint16_t down_port = free_port();
  engine_.apply(load(two_tcp_checks(up.port(), down_port)));
  ASSERT_TRUE(run_until([&] { return view("up") && view("up")->probes_total >= 2; }));
  EXPECT_EQ(view("up")->latency_histogram, nullptr);

  engine_.apply(load(two_tcp_checks(up.port(), down_port) + "[metrics]\ndetail = \"full\"\n"));
  ASSERT_TRUE(run_until([&] { return view("up")->latency_histogram && view("up")->latency_histogram->count >= 2; }));
  const LatencyHistogram& h = *view("up")->latency_histogram;
  EXPECT_EQ(h.buckets.back(), h.count);  // every loopback connect is under 5 s
  EXPECT_EQ(view("up")->status, Health::kOk);  // a metrics change restarts no check

  engine_.apply(load(two_tcp_checks(up.port(), down_port)));
  EXPECT_EQ(view("up")->latency_histogram, nullptr);
}

// The last results are kept once, shared by the check's state and every view made of it.
TEST_F(EngineTest, AViewSharesTheLastResultsInsteadOfCopyingThem) {
  TcpListener up;
  engine_.apply(load(two_tcp_checks(up.port(), free_port())));
  ASSERT_TRUE(run_until([&] { return view("up") && view("up")->probes_total >= 7; }));
  const std::shared_ptr<const Snapshot> held = engine_.snapshot();  // keeps its views alive
  const CheckView* v = held->find("up");
  ASSERT_NE(v, nullptr);
  ASSERT_NE(v->recent, nullptr);
  EXPECT_EQ(v->recent->size(), CheckState::kEvidence);  // the last five, no more
  EXPECT_EQ(v->recent_wall.size(), v->recent->size());
  EXPECT_EQ(v->recent->back().verdict, Verdict::kPass);
  // A later result makes a new list: the one this view holds never changes under it.
  const std::vector<ProbeResult> seen = *v->recent;
  ASSERT_TRUE(run_until([&] { return view("up")->probes_total >= v->probes_total + 2; }));
  ASSERT_EQ(v->recent->size(), seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ((*v->recent)[i].at, seen[i].at);
  EXPECT_NE(view("up")->recent, v->recent);
}

// Results are redacted when they arrive; a reload that adds a secret one of them quotes masks it
// in the results the check keeps too (found in review: it stayed in /health/NAME's `recent`).
TEST_F(EngineTest, AReloadThatAddsASecretMasksItInTheResultsAlreadyKept) {
  TestHttpServer target;
  target.set("/teapot", TestResponse::with_status(418));
  const std::string text = "[defaults]\ninterval = \"50ms\"\njitter = \"0ms\"\n"
                           "[checks.web]\ntype = \"http\"\nurl = \"" + target.url("/teapot") + "\"\n";
  engine_.apply(load(text));
  ASSERT_TRUE(run_until([&] { return view("web") && view("web")->recent && view("web")->recent->size() >= 2; }));
  // "status 418 (expected 200-399)": the range stands in for a secret a target echoes.
  ASSERT_NE(view("web")->recent->back().reason.find("200-399"), std::string::npos) << view("web")->recent->back().reason;

  Redactor::global().set_secrets({"200-399"});  // as the daemon does before it applies a reloaded config
  engine_.apply(load(text));
  const CheckView* v = view("web");
  Redactor::global().set_secrets({});
  ASSERT_NE(v, nullptr);
  ASSERT_GE(v->recent->size(), 2u);
  for (const ProbeResult& r : *v->recent) {
    EXPECT_EQ(r.reason.find("200-399"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find(Redactor::kMask), std::string::npos) << r.reason;
  }
}

TEST_F(EngineTest, ApplyAfterStopStartsNothing) {
  engine_.stop();
  engine_.apply(load("[checks.x]\ntype = \"tcp\"\ntarget = \"127.0.0.1:1\"\n"));
  EXPECT_EQ(view("x"), nullptr);
}

}  // namespace
}  // namespace hale::testing
