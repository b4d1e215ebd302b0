// See regex_guard.h.
#include "hale/text/regex_guard.h"

namespace hale {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<std::string> regex_number_too_long(std::string_view p) {
  bool in_brace = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size() && !is_digit(p[i + 1])) {
      ++i;  // an escaped character (`\{`, `\\`): never the start of a number
      continue;
    }
    if (c == '{') in_brace = true;
    if (c == '}') in_brace = false;
    // Where libstdc++ reads a whole number: after `\` (a back-reference), after `{` and after the
    // `,` of `{m,n}`.
    if (c != '\\' && c != '{' && !(c == ',' && in_brace)) continue;
    std::size_t digits = 0;
    while (i + 1 + digits < p.size() && is_digit(p[i + 1 + digits])) ++digits;
    if (digits > kMaxRegexNumberDigits) {
      return "a back-reference or repetition count of more than " + std::to_string(kMaxRegexNumberDigits) +
             " digits (at offset " + std::to_string(i + 1) + ")";
    }
  }
  return std::nullopt;
}

}  // namespace hale
