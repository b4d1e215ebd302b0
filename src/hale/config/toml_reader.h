// Typed reads of TOML values with config-grade errors: each reader returns the value, or
// reports why not at the value's line and column and returns nullopt. `key` is the name the
// operator wrote (`interval`, `backoff.base`) and appears in every message.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "hale/clock.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

// A key as messages name it: `backoff.base`.
inline std::string backticked(std::string_view key) { return "`" + std::string(key) + "`"; }

// "a string", "an integer", "a table", ... for "`x` must be an integer, not a string".
std::string_view type_name(const toml::node& n);

std::optional<std::string> read_string(const toml::node& v, std::string_view key, Diagnostics& d);
// A string that must not be empty ("`service` must not be empty").
std::optional<std::string> read_nonempty_string(const toml::node& v, std::string_view key, Diagnostics& d);
std::optional<bool> read_bool(const toml::node& v, std::string_view key, Diagnostics& d);
// An integer within [lo, hi]; out of range: "`KEY` must be at least LO" / "at most HI".
std::optional<std::int64_t> read_integer(const toml::node& v, std::string_view key, std::int64_t lo,
                                         std::int64_t hi, Diagnostics& d);
// A duration string (see parse_duration); `positive` also rejects "0s".
std::optional<Duration> read_duration(const toml::node& v, std::string_view key, Diagnostics& d,
                                      bool positive = false);
const toml::table* read_table(const toml::node& v, std::string_view key, Diagnostics& d);
const toml::array* read_array(const toml::node& v, std::string_view key, Diagnostics& d);

// "unknown key `intervall` in [checks.db]; did you mean `interval`?" at the key. `where` is the
// place as the operator reads it: "in [checks.db]", "in `backoff`", "at the top level".
void report_unknown_key(const toml::key& k, std::string_view where, std::span<const std::string_view> known,
                        Diagnostics& d);

}  // namespace hale::config
