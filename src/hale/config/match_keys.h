// The keys [[alerts]] and [[silences]] share: `match` (names or fnmatch globs of checks,
// services and heartbeats) and `kind` (which of the three), and the rule that a literal name
// in `match` must name something the file declares (SPEC §6).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/diagnostics.h"
#include "hale/config/load_context.h"

namespace hale::config {

// Every subject the file declares by kind: each table under [checks], [services] and
// [heartbeats], also one whose own table has errors, so that a rule naming it does not add a
// second error for the same mistake.
struct SubjectNames {
  NameSet checks;
  NameSet services;
  NameSet heartbeats;
  NameSet hale;  // hale's own subjects: state_store
  NameSet drills;  // drill/NAME: a scheduled drill's result
  const NameSet& of(SubjectKind k) const;
};
SubjectNames declared_subjects(const toml::table& root);

// One string of a list (a `match` entry, a notifier name) and where it was written.
struct TextAt {
  std::string text;
  const toml::node* node = nullptr;
};

// True when `entry` holds one of fnmatch's pattern characters (`*`, `?`, `[`).
bool is_glob(std::string_view entry);

// A string, or a non-empty array of non-empty strings. Each entry may hold only what a name
// holds plus fnmatch's pattern characters: "check/db" can never match a name. Duplicates are
// dropped. nullopt when reported.
std::optional<std::vector<TextAt>> read_match(const toml::node& v, Diagnostics& d);

// "check" | "service" | "heartbeat", or a non-empty array of them; in that canonical order,
// without duplicates, so that reordering them in the file is not a change. nullopt when reported.
std::optional<std::vector<SubjectKind>> read_kinds(const toml::node& v, Diagnostics& d);

// Every entry without a pattern character must name a subject of `kinds` (empty: any kind):
// "no check, service or heartbeat named "dbb"; did you mean "db"?" at the entry. False when
// something was reported.
bool check_match_names(const std::vector<TextAt>& match, const std::vector<SubjectKind>& kinds,
                       const SubjectNames& subjects, Diagnostics& d);

// A string or a non-empty array of strings, each with its node (for `notify`, `on`, `to`).
// `what` says what the array lists in "`KEY` must list at least one WHAT". nullopt when reported.
std::optional<std::vector<TextAt>> read_string_or_list(const toml::node& v, std::string_view key,
                                                           std::string_view what, Diagnostics& d);

}  // namespace hale::config
