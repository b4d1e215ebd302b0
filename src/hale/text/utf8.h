// UTF-8 decoding, small and strict: the length of the valid sequence at the start of a string
// (overlong forms, surrogates and code points past U+10FFFF are not valid) and its code point.
// Used where text from outside (a query, a daemon's answer) is shown: what is not valid UTF-8 is
// escaped byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hale {

// The length (1-4) of the valid UTF-8 sequence `s` starts with, or 0 when it does not start
// with one (or is empty).
std::size_t utf8_sequence_length(std::string_view s);

// The code point of the valid sequence `seq` (exactly utf8_sequence_length(seq) bytes long).
std::uint32_t utf8_code_point(std::string_view seq);

}  // namespace hale
