// Glob and kind matching of subjects (see subject_match.h): fnmatch(3) from the C library.
#include "hale/alert/subject_match.h"

#include <fnmatch.h>

#include <algorithm>
#include <string>

namespace hale {

bool glob_matches(std::string_view pattern, std::string_view text) {
  // fnmatch takes NUL-terminated strings; names and patterns are short.
  const std::string p(pattern);
  const std::string t(text);
  return ::fnmatch(p.c_str(), t.c_str(), 0) == 0;
}

bool any_glob_matches(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return glob_matches(p, text); });
}

bool subject_matches(const std::vector<std::string>& match, const std::vector<SubjectKind>& kinds,
                     const SubjectId& subject) {
  if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), subject.kind) == kinds.end()) return false;
  return any_glob_matches(match, subject.name);
}

}  // namespace hale
