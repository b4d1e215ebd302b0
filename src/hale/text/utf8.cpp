// UTF-8 decoding (see utf8.h).
#include "hale/text/utf8.h"

namespace hale {

std::size_t utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto b = static_cast<unsigned char>(s[0]);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
  }
  const std::uint32_t cp = utf8_code_point(s.substr(0, n));
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

std::uint32_t utf8_code_point(std::string_view seq) {
  const auto b = static_cast<unsigned char>(seq[0]);
  if (seq.size() == 1) return b;
  std::uint32_t cp = seq.size() == 2 ? (b & 0x1F) : seq.size() == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t i = 1; i < seq.size(); ++i) cp = (cp << 6) | (static_cast<unsigned char>(seq[i]) & 0x3F);
  return cp;
}

}  // namespace hale
