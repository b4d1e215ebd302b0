// Micro benchmark of the hot path of every health endpoint: routing a request against a
// snapshot of 1,000 checks (no sockets). Run: build/router_bench
#include <benchmark/benchmark.h>

#include "hale/aggregate.h"
#include "hale/server/router.h"

namespace {

hale::Snapshot make_snapshot(int n) {
  hale::Snapshot s;
  for (int i = 0; i < n; ++i) {
    auto v = std::make_shared<hale::CheckView>();
    char name[32];
    std::snprintf(name, sizeof name, "check-%04d", i);
    v->name = name;
    v->type = "http";
    v->status = i % 10 == 0 ? hale::Health::kFail : hale::Health::kOk;
    v->critical = i % 10 != 0;
    v->groups = {"ready"};
    s.checks.push_back(v);
  }
  hale::finalize(s);
  return s;
}

void route_target(benchmark::State& state, const char* target) {
  hale::Snapshot snap = make_snapshot(1000);
  hale::HttpRequest req;
  req.target = target;
  for (auto _ : state) {
    hale::RouterContext ctx{snap};
    ctx.version = "bench";
    auto r = hale::route(req, ctx);
    benchmark::DoNotOptimize(r);
  }
}

void BM_Readyz(benchmark::State& s) { route_target(s, "/readyz"); }
void BM_ReadyzExclude(benchmark::State& s) { route_target(s, "/readyz?exclude=check-0001"); }
void BM_ReadyzVerbose(benchmark::State& s) { route_target(s, "/readyz?verbose"); }
void BM_Health(benchmark::State& s) { route_target(s, "/health"); }
void BM_HealthOne(benchmark::State& s) { route_target(s, "/health/check-0500"); }
BENCHMARK(BM_Readyz);
BENCHMARK(BM_ReadyzExclude);
BENCHMARK(BM_ReadyzVerbose);
BENCHMARK(BM_Health);
BENCHMARK(BM_HealthOne);

}  // namespace
