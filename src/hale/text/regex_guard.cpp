// See regex_guard.h.
#include "hale/text/regex_guard.h"

namespace hale {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<std::string> regex_number_too_long(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    // Where libstdc++ reads a whole number: after `\` (a back-reference), after `{` and after the
    // `,` of `{m,n}`. Escapes are not paired up on purpose (see the header).
    if (p[i] != '\\' && p[i] != '{' && p[i] != ',') continue;
    std::size_t digits = 0;
    while (i + 1 + digits < p.size() && is_digit(p[i + 1 + digits])) ++digits;
    if (digits > kMaxRegexNumberDigits) {
      return "a back-reference or repetition count of more than " + std::to_string(kMaxRegexNumberDigits) +
             " digits (at offset " + std::to_string(i + 1) + ")";
    }
  }
  return std::nullopt;
}

StatusOr<std::regex> compile_body_regex(const std::string& pattern) {
  if (auto why = regex_number_too_long(pattern)) return Status::error(*why);
  try {
    std::regex as_written(pattern, std::regex::ECMAScript);  // its own errors name what is wrong
  } catch (const std::regex_error& e) {
    return Status::error(e.what());
  }
  // libstdc++'s default (backtracking) executor recurses once per character and retries from
  // every start position: `ok.*` on a 50 KB one-line body overflows the stack, and `x+y` on 16 KB
  // takes seconds. The Thompson-NFA executor uses no per-character recursion, and with the lazy
  // prefix plus match_continuous a search is one pass: linear in the body (1 MiB in well under
  // 100 ms).
  try {
    return std::regex("[\\s\\S]*?(?:" + pattern + ")", std::regex::ECMAScript | std::regex_constants::__polynomial);
  } catch (const std::regex_error& e) {
    // libstdc++ 12 throws error_complexity, "Unexpected back-reference in polynomial mode."
    if (e.code() == std::regex_constants::error_backref || std::string_view(e.what()).find("back-reference") != std::string_view::npos) {
      return Status::error("a back-reference (\\1), which the probe's linear-time matcher does not support");
    }
    return Status::error(e.what());
  }
}

}  // namespace hale
