// A guard in front of std::regex for patterns from a config file (an http check's expect_body).
//
// libstdc++'s regex compiler reads the number of a back-reference (`\12`) or of a repetition
// (`{2,5}`) into a `long` without checking for overflow, so `\99999999999999999999` is undefined
// behaviour inside std::regex's constructor (found by the config fuzzer: its input is
// tests/fuzz/regressions/config/). No pattern needs such a number: one of more than 9 digits is
// refused before std::regex sees it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hale {

inline constexpr std::size_t kMaxRegexNumberDigits = 9;

// Why std::regex must not be given `pattern` ("a back-reference or repetition count of more than
// 9 digits"), or nullopt. Errs on the safe side: a run of digits after `{` or `,` is taken for a
// count even inside a bracket expression, where it would be literal.
std::optional<std::string> regex_number_too_long(std::string_view pattern);

}  // namespace hale
