// ?exclude= as kube-apiserver takes it (see kube_exclusions.h).
#include "hale/server/kube_exclusions.h"

#include <algorithm>

#include <fmt/format.h>

#include "hale/text/utf8.h"

namespace hale {

namespace {

// Go's unicode.IsPrint for what a query may carry, without Unicode's tables: the C1 controls,
// the spaces other than U+0020 (Zs), the line and paragraph separators, the common format
// characters (soft hyphen, zero-width and direction marks, word joiner, BOM), private use and
// noncharacters are not printable; everything else above ASCII is taken as printable (Go would
// also escape unassigned code points).
bool printable(std::uint32_t cp) {
  if (cp < 0xA0) return false;  // C1 controls (ASCII is handled apart)
  if (cp == 0xA0 || cp == 0xAD || cp == 0x1680 || cp == 0x180E || cp == 0x202F || cp == 0x205F || cp == 0x3000) {
    return false;
  }
  if ((cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F)) return false;
  if (cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE000 && cp <= 0xF8FF)) return false;
  if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF) || cp >= 0xF0000) return false;
  return true;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t n = utf8_sequence_length(s.substr(i));
      if (n == 0) {
        out += fmt::format("\\x{:02x}", u);
        ++i;
        continue;
      }
      const std::uint32_t cp = utf8_code_point(s.substr(i, n));
      if (printable(cp)) {
        out.append(s.substr(i, n));
      } else {
        out += cp < 0x10000 ? fmt::format("\\u{:04x}", cp) : fmt::format("\\U{:08x}", cp);
      }
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (u < 0x20) {
          out += fmt::format("\\x{:02x}", u);
        } else if (u == 0x7F) {
          out += "\\x7f";
        } else {
          out += c;
        }
    }
    ++i;
  }
  return out + "\"";
}

bool KubeExclusions::take(std::string_view name) {
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) return false;
  matched_.emplace(name);
  return true;
}

std::string KubeExclusions::excluded_line(std::string_view name) { return fmt::format("[+]{} excluded: ok\n", name); }

std::string KubeExclusions::warning() const {
  // kube-apiserver keeps them in a sets.String and prints List(): sorted, each once.
  std::set<std::string> unmatched;
  for (const std::string& n : names_) {
    if (!matched_.contains(n)) unmatched.insert(n);
  }
  if (unmatched.empty()) return "";
  std::string quoted;
  for (const std::string& n : unmatched) quoted += (quoted.empty() ? "" : ",") + go_quote(n);
  return "warn: some health checks cannot be excluded: no matches for " + quoted + "\n";
}

}  // namespace hale
