// The keys of SPEC §7 that checks, heartbeats and services share: `guard_code`, the code of
// /guard/NAME's 503 answer.
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
