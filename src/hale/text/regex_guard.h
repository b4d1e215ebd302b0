// The one way hale compiles an http check's `expect_body` (at load, to refuse a bad pattern with
// its position, and in the probe), with a guard in front of std::regex.
//
// The guard: libstdc++'s regex compiler reads the number of a back-reference (`\12`) or of a
// repetition (`{2,5}`) into a `long` without checking for overflow, so `\99999999999999999999` is
// undefined behaviour inside std::regex's constructor (found by the config fuzzer: its input is
// tests/fuzz/regressions/config/). No pattern needs such a number: one of more than 9 digits is
// refused before std::regex sees it.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "hale/status.h"

namespace hale {

inline constexpr std::size_t kMaxRegexNumberDigits = 9;

// Why std::regex must not be given `pattern` ("a back-reference or repetition count of more than
// 9 digits (at offset N)"), or nullopt. It does not follow the escape grammar (libstdc++'s `\c`
// takes the next character whatever it is, a backslash too): any run of more than 9 digits right
// after a `\`, a `{` or a `,` is refused, so a literal one there (`\\1234567890`) is refused too.
std::optional<std::string> regex_number_too_long(std::string_view pattern);

// `expect_body` compiled for the probe: searched in linear time over the body (libstdc++'s
// Thompson-NFA executor, the __polynomial extension, behind a lazy `[\s\S]*?` prefix, matched with
// match_continuous), which rules back-references out. The error says what is wrong with the
// pattern, without its key.
StatusOr<std::regex> compile_body_regex(const std::string& pattern);

}  // namespace hale
