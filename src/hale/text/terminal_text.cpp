// Escaping control characters for the terminal (see terminal_text.h).
#include "hale/text/terminal_text.h"

#include <fmt/format.h>

#include "hale/text/utf8.h"

namespace hale {

namespace {
// The bidirectional controls (Unicode TR9): they reorder what follows on the line, so a reason
// can make "down" read as "up" ("Trojan Source", CVE-2021-42574).
bool is_bidi_control(std::uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}
}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    if (b < 0x80) {  // C0 controls and DEL
      switch (b) {
        case 0x1B: out += "\\e"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default: out += fmt::format("\\x{:02x}", b);
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text.substr(i));
    if (n == 0) {  // not UTF-8: a lone 0x9B is CSI to a terminal in 8-bit mode
      out += fmt::format("\\x{:02x}", b);
      ++i;
      continue;
    }
    const std::uint32_t cp = utf8_code_point(text.substr(i, n));
    if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp)) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace hale
