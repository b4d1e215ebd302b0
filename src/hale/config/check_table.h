// Reading [defaults] and [checks.NAME] tables into CheckSpecs (SPEC §1), with the precedence
// built-in defaults < [defaults] < [checks.NAME].
#pragma once

#include <map>
#include <optional>
#include <string>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// Where each key of one table was written: rules that involve two keys report at the one the
// operator wrote in that table.
using KeyPositions = std::map<std::string, SourcePos, std::less<>>;

// [defaults] over the built-in defaults. Every key that makes sense for many checks may be
// there, including http-only ones (they reach http checks only).
CheckSpec read_defaults(const toml::table& table, LoadContext& ctx);

// [checks.NAME] over `defaults`. nullopt when the table has errors (already reported).
std::optional<CheckSpec> read_check(std::string_view name, const toml::table& table, const CheckSpec& defaults,
                                    LoadContext& ctx);

// Names: config/names.h.

}  // namespace hale::config
