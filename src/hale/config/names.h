// The one grammar of names in hale.toml (checks, groups, services, heartbeats, notifiers): they
// appear in URLs (/readyz/NAME, /api/v1/services/NAME), metric labels, log file names and CLI
// arguments, so a name starts with a letter or a digit and goes on with letters, digits, '_',
// '.' and '-', at most 128 characters. (`.`, `..` and `-x` would be a path step, or an option
// to the CLI: `hale stop ..` could not name the service.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hale::config {

inline constexpr std::size_t kMaxNameLength = 128;

// A character that may appear in a name after its first.
bool is_name_char(char c);

bool is_valid_name(std::string_view name);

// What is wrong with `name` as the name of a `what` ("check", "service", ...), or nullopt when
// it is a valid name: `service name "..": a name starts with a letter or a digit, then ...`.
std::optional<std::string> name_problem(std::string_view what, std::string_view name);

}  // namespace hale::config
