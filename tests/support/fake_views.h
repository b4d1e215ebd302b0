// A CheckView as the engine would publish it, for router, aggregation and metrics tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hale/snapshot.h"

namespace hale::testing {

// A tcp check in `h`; failing and degraded ones carry a timeout error with 4 failures.
inline std::shared_ptr<CheckView> fake_check_view(std::string name, Health h, bool critical = true,
                                                  std::vector<std::string> groups = {"ready"}) {
  using namespace std::chrono_literals;
  auto v = std::make_shared<CheckView>();
  v->name = std::move(name);
  v->type = "tcp";
  v->target = "127.0.0.1:5432";
  v->status = h;
  v->critical = critical;
  v->groups = std::move(groups);
  v->latency = 4ms;
  if (h == Health::kFail || h == Health::kDegraded) {
    v->error = "timeout after 1s";
    v->error_kind = ErrorKind::kTimeout;
    v->consecutive_failures = 4;
  }
  return v;
}

}  // namespace hale::testing
