// `match` and `kind` of [[alerts]] and [[silences]] (see subject_match.h).
#include "hale/config/match_keys.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "hale/config/levenshtein.h"
#include "hale/config/names.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"

namespace hale::config {

namespace {

constexpr std::array<SubjectKind, 5> kAllKinds{SubjectKind::kCheck, SubjectKind::kService, SubjectKind::kHeartbeat,
                                                SubjectKind::kHale, SubjectKind::kDrill};

// fnmatch(3)'s pattern characters: `*`, `?`, a bracket expression with `!`/`^`, and `\` quoting.
constexpr const char* kPatternChars = "*?[]!^\\";

NameSet names_under(const toml::table& root, std::string_view section) {
  NameSet names;
  if (const auto* table = root.get_as<toml::table>(section)) {
    for (auto&& [k, v] : *table) {
      if (v.is_table()) names.emplace(k.str());
    }
  }
  return names;
}

// "check", "check or service", "check, service or heartbeat".
std::string kinds_phrase(const std::vector<SubjectKind>& kinds) {
  std::string out;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (i > 0) out += i + 1 == kinds.size() ? " or " : ", ";
    out += std::string(to_string(kinds[i]));
  }
  return out;
}

}  // namespace

const NameSet& SubjectNames::of(SubjectKind k) const {
  switch (k) {
    case SubjectKind::kCheck: return checks;
    case SubjectKind::kService: return services;
    case SubjectKind::kHeartbeat: return heartbeats;
    case SubjectKind::kHale: return hale;
    case SubjectKind::kDrill: return drills;
  }
  return checks;
}

SubjectNames declared_subjects(const toml::table& root) {
  return SubjectNames{names_under(root, "checks"), names_under(root, "services"), names_under(root, "heartbeats"),
                      NameSet{kStateStoreSubject}, names_under(root, "drills")};
}

bool is_glob(std::string_view entry) { return entry.find_first_of("*?[") != std::string_view::npos; }

std::optional<std::vector<TextAt>> read_string_or_list(const toml::node& v, std::string_view key,
                                                       std::string_view what, Diagnostics& d) {
  if (v.is_string()) {
    auto text = read_nonempty_string(v, key, d);
    if (!text) return std::nullopt;
    return std::vector<TextAt>{{std::move(*text), &v}};
  }
  const auto* list = v.as_array();
  if (list == nullptr) {
    d.add(v, "`" + std::string(key) + "` must be a string or an array of strings, not " + std::string(type_name(v)));
    return std::nullopt;
  }
  if (list->empty()) {
    d.add(v, "`" + std::string(key) + "` must list at least one " + std::string(what));
    return std::nullopt;
  }
  std::vector<TextAt> out;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& element = *list->get(i);
    auto text = read_nonempty_string(element, std::string(key) + "[" + std::to_string(i) + "]", d);
    if (!text) {
      ok = false;
      continue;
    }
    out.push_back(TextAt{std::move(*text), &element});
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<TextAt>> read_match(const toml::node& v, Diagnostics& d) {
  auto entries = read_string_or_list(v, "match", "name or glob", d);
  if (!entries) return std::nullopt;
  std::vector<TextAt> out;
  bool ok = true;
  for (TextAt& e : *entries) {
    const bool matchable = std::all_of(e.text.begin(), e.text.end(), [](char c) {
      return is_name_char(c) || std::strchr(kPatternChars, c) != nullptr;
    });
    if (!matchable) {
      // "check/db" looks like an alert key, but `match` sees names only.
      std::string message = "`match` entry \"" + e.text +
                            "\" can never match: names hold only letters, digits, '_', '.' and '-'";
      if (e.text.find('/') != std::string::npos) message += " (use `kind` for the kind)";
      d.add(*e.node, std::move(message));
      ok = false;
      continue;
    }
    const bool seen = std::any_of(out.begin(), out.end(), [&](const TextAt& o) { return o.text == e.text; });
    if (!seen) out.push_back(std::move(e));
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<SubjectKind>> read_kinds(const toml::node& v, Diagnostics& d) {
  auto entries = read_string_or_list(v, "kind", "kind", d);
  if (!entries) return std::nullopt;
  std::vector<SubjectKind> written;
  bool ok = true;
  for (const TextAt& e : *entries) {
    auto kind = read_word(*e.node, "kind", kSubjectKindWords, d);
    if (!kind) {
      ok = false;
      continue;
    }
    written.push_back(*kind);
  }
  if (!ok) return std::nullopt;
  std::vector<SubjectKind> out;
  for (SubjectKind k : kAllKinds) {
    if (std::find(written.begin(), written.end(), k) != written.end()) out.push_back(k);
  }
  return out;
}

bool check_match_names(const std::vector<TextAt>& match, const std::vector<SubjectKind>& kinds,
                       const SubjectNames& subjects, Diagnostics& d) {
  const std::vector<SubjectKind> looked_in = kinds.empty() ? std::vector<SubjectKind>(kAllKinds.begin(), kAllKinds.end())
                                                           : kinds;
  bool ok = true;
  for (const TextAt& e : match) {
    if (is_glob(e.text)) continue;  // a glob that matches nothing today may match a subject added later
    const bool found = std::any_of(looked_in.begin(), looked_in.end(),
                                   [&](SubjectKind k) { return subjects.of(k).count(e.text) > 0; });
    if (found) continue;
    ok = false;
    // Every kind but hale's own, which has one subject, and drills when there are none: named
    // only when asked for.
    std::vector<SubjectKind> said = looked_in;
    if (kinds.empty()) std::erase(said, SubjectKind::kHale);
    if (kinds.empty() && subjects.drills.empty()) std::erase(said, SubjectKind::kDrill);
    std::string message = "no " + kinds_phrase(said) + " named \"" + e.text + "\"";
    // Named right but under the wrong `kind`: say what it is instead of guessing a spelling.
    const auto other = std::find_if(kAllKinds.begin(), kAllKinds.end(),
                                    [&](SubjectKind k) { return subjects.of(k).count(e.text) > 0; });
    if (other != kAllKinds.end()) {
      message += " (\"" + e.text + "\" is a " + std::string(to_string(*other)) + ")";
    } else {
      std::vector<std::string_view> candidates;
      for (SubjectKind k : looked_in) candidates.insert(candidates.end(), subjects.of(k).begin(), subjects.of(k).end());
      if (auto guess = did_you_mean(e.text, candidates)) message += "; did you mean \"" + *guess + "\"?";
    }
    d.add(*e.node, std::move(message));
  }
  return ok;
}

}  // namespace hale::config
