// Reading [[alerts]] (which subjects alert which notifiers, how often) and [[silences]]
// (maintenance windows) into AlertRuleSpecs and SilenceSpecs (SPEC §6). Both are arrays of
// tables kept in file order: the first rule that matches a subject and names a notifier is the
// one that notifier hears it through.
#pragma once

#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"
#include "hale/config/match_keys.h"

namespace hale::config {

// The value of the top-level `alerts` key, which must be an array of tables. `notifiers`:
// every name under [notifiers], also one whose table has errors. A rule with errors (already
// reported) is left out.
std::vector<AlertRuleSpec> read_alerts(const toml::node& alerts, const SubjectNames& subjects,
                                       const NameSet& notifiers, LoadContext& ctx);

// The value of the top-level `silences` key, an array of tables as well.
std::vector<SilenceSpec> read_silences(const toml::node& silences, const SubjectNames& subjects, LoadContext& ctx);

}  // namespace hale::config
