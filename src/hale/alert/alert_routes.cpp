// First-rule-wins routing of a subject to its notifiers (see alert_routes.h).
#include "hale/alert/alert_routes.h"

#include <algorithm>

#include "hale/alert/subject_match.h"

namespace hale {

AlertPolicy policy_of(const AlertRuleSpec& rule) {
  AlertPolicy p;
  p.on = rule.on;
  p.after = rule.after;
  p.repeat = rule.repeat;
  p.resolved = rule.resolved;
  p.flapping = rule.flapping;
  p.group_wait = rule.group_wait;
  return p;
}

std::vector<AlertRoute> routes_for(const SubjectId& subject, const std::vector<AlertRuleSpec>& rules) {
  std::vector<AlertRoute> out;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const AlertRuleSpec& rule = rules[i];
    if (!subject_matches(rule.match, rule.kinds, subject)) continue;
    for (const std::string& n : rule.notify) {
      const bool taken = std::any_of(out.begin(), out.end(), [&](const AlertRoute& r) { return r.notifier == n; });
      if (!taken) out.push_back(AlertRoute{n, policy_of(rule), i});
    }
  }
  return out;
}

}  // namespace hale
