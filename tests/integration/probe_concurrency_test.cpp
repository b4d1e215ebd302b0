// Probes share one loop: a hung target must not delay another probe. Asserts ordering (the
// fast result arrives while the hung probe is still in flight), never wall-clock bounds.
#include <gtest/gtest.h>

#include <optional>

#include "support/probe_harness.h"
#include "support/test_http_server.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using testing::ProbeHarness;
using testing::TestHttpServer;
using testing::TestResponse;

using testing::http_check;

ExecCheck exec_check(std::vector<std::string> command) { return ExecCheck{std::move(command)}; }

// Starts `slow` then `fast` on one loop and expects fast to finish while slow is in flight.
void expect_fast_first(ProbeHarness& h, Probe& slow, Probe& fast) {
  std::optional<ProbeResult> slow_result;
  std::optional<ProbeResult> fast_result;
  bool slow_in_flight_when_fast_done = false;
  slow.start(30s, [&](ProbeResult r) { slow_result = std::move(r); });
  fast.start(5s, [&](ProbeResult r) {
    fast_result = std::move(r);
    slow_in_flight_when_fast_done = !slow_result.has_value();
    h.io().stop();
  });
  h.run_for(10s);  // watchdog; stopped by the fast probe
  ASSERT_TRUE(fast_result.has_value()) << "the fast probe never finished";
  EXPECT_EQ(fast_result->verdict, Verdict::kPass) << fast_result->reason;
  EXPECT_TRUE(slow_in_flight_when_fast_done);
  slow.cancel();
}

TEST(ProbeConcurrency, HungHttpDoesNotDelayAnotherHttp) {
  ProbeHarness h;
  TestHttpServer server;
  server.set("/hang", TestResponse::hanging());
  server.set("/ok", TestResponse::ok("fine"));
  auto slow = make_probe(http_check(server.url("/hang")), h.ctx());
  auto fast = make_probe(http_check(server.url("/ok")), h.ctx());
  expect_fast_first(h, *slow, *fast);
}

TEST(ProbeConcurrency, HungCommandDoesNotDelayHttp) {
  ProbeHarness h;
  TestHttpServer server;
  server.set("/ok", TestResponse::ok("fine"));
  auto slow = make_probe(exec_check({"/bin/sleep", "30"}), h.ctx());
  auto fast = make_probe(http_check(server.url("/ok")), h.ctx());
  expect_fast_first(h, *slow, *fast);
  h.run_for(200ms);  // let the cancelled sleep be reaped
}

TEST(ProbeConcurrency, SlowHttpDoesNotDelayCommand) {
  ProbeHarness h;
  TestHttpServer server;
  server.set("/slow", TestResponse::ok().delayed(20s));
  auto slow = make_probe(http_check(server.url("/slow")), h.ctx());
  auto fast = make_probe(exec_check({"/bin/true"}), h.ctx());
  expect_fast_first(h, *slow, *fast);
}

TEST(ProbeConcurrency, ManyTransfersShareTheMulti) {
  ProbeHarness h;
  TestHttpServer server;
  server.set("/ok", TestResponse::ok("fine"));
  std::vector<std::unique_ptr<Probe>> probes;
  int passed = 0;
  int finished = 0;
  constexpr int kCount = 20;
  for (int i = 0; i < kCount; ++i) {
    probes.push_back(make_probe(http_check(server.url("/ok")), h.ctx()));
    probes.back()->start(5s, [&](ProbeResult r) {
      passed += r.verdict == Verdict::kPass;
      if (++finished == kCount) h.io().stop();
    });
  }
  h.run_for(10s);
  EXPECT_EQ(finished, kCount);
  EXPECT_EQ(passed, kCount);
  EXPECT_EQ(h.ctx().curl.active(), 0u);
}

TEST(ProbeConcurrency, CompletionMayStartTheNextAttempt) {
  // The engine starts the next attempt from inside `done`: a re-entrant add to the multi.
  ProbeHarness h;
  TestHttpServer server;
  server.set("/ok", TestResponse::ok("fine"));
  auto p = make_probe(http_check(server.url("/ok")), h.ctx());
  int rounds = 0;
  std::function<void(ProbeResult)> again = [&](ProbeResult r) {
    EXPECT_EQ(r.verdict, Verdict::kPass);
    if (++rounds == 3) {
      h.io().stop();
      return;
    }
    p->start(5s, again);
  };
  p->start(5s, again);
  h.run_for(10s);
  EXPECT_EQ(rounds, 3);
  EXPECT_EQ(server.request_count("/ok"), 3u);
}

TEST(ProbeConcurrency, CompletionMayCancelAnotherProbe) {
  // One probe's result cancels (and destroys) another whose transfer finished in the same
  // round: the other's completion must not run.
  ProbeHarness h;
  TestHttpServer server;
  server.set("/ok", TestResponse::ok("fine"));
  auto a = make_probe(http_check(server.url("/ok")), h.ctx());
  auto b = make_probe(http_check(server.url("/ok")), h.ctx());
  int a_done = 0;
  int b_done = 0;
  a->start(5s, [&](ProbeResult) {
    ++a_done;
    if (b) b.reset();
    h.io().stop();
  });
  b->start(5s, [&](ProbeResult) {
    ++b_done;
    if (a) a->cancel();
    h.io().stop();
  });
  h.run_for(10s);
  EXPECT_EQ(a_done + b_done, 1) << "exactly one finished first, the other was cancelled";
}

}  // namespace
}  // namespace hale
