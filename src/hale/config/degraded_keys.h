// The keys of degraded mode (SPEC §7): `guard_code` (checks and heartbeats), `latency_budget`
// (checks; its apply_ function is declared with the other check keys in check_keys.h).
#pragma once

#include <optional>
#include <string>

#include <toml++/toml.h>

#include "hale/config/diagnostics.h"

namespace hale::config {

// A `guard_code` value: a string in the grammar of names (it is read by programs, as
// `error.code` of the 503 JSON); nullopt, reported at the value, otherwise.
std::optional<std::string> read_guard_code(const toml::node& value, Diagnostics& d);

// The `depends_on` of every check table under [checks]: each entry names another check (with a
// did-you-mean), never the check itself, and they form no cycle. Reported at the entry.
void check_dependencies(const toml::table& checks, Diagnostics& d);

}  // namespace hale::config
