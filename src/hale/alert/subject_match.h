// Which subjects a rule or a silence names: `match` globs (fnmatch(3): `*`, `?`, `[...]`) over
// the subject's name, and `kind` (empty = every kind). Pure.
#pragma once

#include <string_view>
#include <vector>

#include "hale/model/alert.h"

namespace hale {

// fnmatch(3) without flags: `*` also matches '/', '.' and '-', as in shell case patterns.
bool glob_matches(std::string_view pattern, std::string_view text);
// True when any pattern matches.
bool any_glob_matches(const std::vector<std::string>& patterns, std::string_view text);

bool subject_matches(const std::vector<std::string>& match, const std::vector<SubjectKind>& kinds,
                     const SubjectId& subject);

}  // namespace hale
