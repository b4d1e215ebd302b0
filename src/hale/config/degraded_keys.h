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

}  // namespace hale::config
