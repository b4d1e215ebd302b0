// The grammar of names (see names.h).
#include "hale/config/names.h"

#include <algorithm>

#include <fmt/format.h>

namespace hale::config {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

bool is_name_char(char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; }

bool is_valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength && is_alnum(name.front()) &&
         std::all_of(name.begin(), name.end(), is_name_char);
}

std::optional<std::string> name_problem(std::string_view what, std::string_view name) {
  if (is_valid_name(name)) return std::nullopt;
  if (name.size() > kMaxNameLength) {
    return fmt::format("{} name \"{}…\" is longer than {} characters", what, name.substr(0, 32), kMaxNameLength);
  }
  return fmt::format("{} name \"{}\": a name starts with a letter or a digit, then letters, digits, '_', '.' and '-'",
                     what, name);
}

}  // namespace hale::config
