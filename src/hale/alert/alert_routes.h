// Routing: for one subject, which notifiers it alerts and under which rule's policy (SPEC §6).
// A subject reaches each notifier through the FIRST [[alerts]] rule, in file order, that
// matches it and names that notifier: a receiver never gets one key twice from two rules, and
// a specific rule written before a catch-all one wins for the notifiers it names. Pure.
#pragma once

#include <string>
#include <vector>

#include "hale/model/alert.h"
#include "hale/config.h"

namespace hale {

// What a route needs of its rule.
struct AlertPolicy {
  std::vector<Health> on{Health::kFail, Health::kDegraded};
  Duration after{};
  Duration repeat = std::chrono::hours(4);  // 0 = never
  bool resolved = true;
  FlapPolicy flapping;
  Duration group_wait{};  // SPEC §7 digest: 0 = each alert on its own
  bool operator==(const AlertPolicy&) const = default;
};

AlertPolicy policy_of(const AlertRuleSpec& rule);

struct AlertRoute {
  std::string notifier;
  AlertPolicy policy;
  std::size_t rule_index = 0;  // which [[alerts]] (0-based, file order)
};

// The routes of `subject` under `rules`, one per notifier, in the order notifiers are first
// named by matching rules.
std::vector<AlertRoute> routes_for(const SubjectId& subject, const std::vector<AlertRuleSpec>& rules);

}  // namespace hale
