// One matrix row as a drill (see matrix_verify.h).
#include "hale/matrix/matrix_verify.h"

#include <algorithm>

#include <fmt/format.h>

namespace hale {

namespace {

// "503" stays 503; "200 degraded" and "200" are both answered 200.
std::string code_of(const std::string& answer) { return answer.rfind("503", 0) == 0 ? "503" : "200"; }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

VerifyPlan verify_plan(const Config& c, const MatrixRow& row) {
  VerifyPlan plan;
  DrillSpec& d = plan.drill;
  d.name = fmt::format("verify.{}.{}", to_string(row.kind), row.name);
  d.force.push_back(DrillForce{row.kind, false, row.name, Health::kFail});
  // How long until everything the row says has happened.
  Duration settle = std::chrono::seconds(1);
  if (row.kind == SubjectKind::kCheck) {
    if (const CheckSpec* s = c.find_check(row.name)) {
      settle += s->interval * std::max(1, s->failure_threshold) + s->failure_duration + s->timeout;
    }
  }
  d.expect.push_back({"readyz", code_of(row.readyz)});
  d.expect.push_back({"livez", code_of(row.livez)});
  for (const MatrixEffect& g : row.groups) d.expect.push_back({"groups." + g.name, code_of(g.effect)});
  for (const MatrixEffect& g : row.guards) d.expect.push_back({"guard." + g.name.substr(std::string("/guard/").size()), "503"});
  Duration stops{};
  for (const ServiceSpec& s : c.services) {
    if (contains(s.require, row.name) && s.on_require_fail == RequireFail::kStop) {
      d.expect.push_back({"services." + s.name, "stopped"});
      stops = std::max(stops, s.stop_timeout);
    } else if (s.readiness == row.name && !contains(s.require, row.name) && s.liveness != row.name) {
      d.expect.push_back({"services." + s.name, "unhealthy"});
    }
    if (s.liveness == row.name) {
      plan.not_verified.push_back(s.name + ": restarted (liveness): a drill does not wait through restarts");
    }
  }
  Duration longest_after{};
  std::vector<std::string> routed;
  for (const MatrixEffect& a : row.alerted) {
    Duration after{};
    if (a.effect.rfind("after ", 0) == 0) after = parse_duration(a.effect.substr(6)).value_or(Duration{});
    if (after > kLongestVerifiedAfter) {
      plan.not_verified.push_back(a.name + ": alerted " + a.effect + " (longer than a verification waits)");
      continue;
    }
    longest_after = std::max(longest_after, after);
    routed.push_back(a.name);
  }
  std::sort(routed.begin(), routed.end());
  std::string joined;
  for (const std::string& n : routed) joined += (joined.empty() ? "" : ", ") + n;
  d.expect.push_back({"routed", joined});
  if (!row.blocked.empty()) {
    plan.not_verified.push_back("checks blocked: a child is blocked only while it fails itself");
  }
  d.duration = settle + stops + longest_after;
  std::sort(d.expect.begin(), d.expect.end(),
            [](const DrillExpectation& a, const DrillExpectation& b) { return a.key < b.key; });
  return plan;
}

}  // namespace hale
