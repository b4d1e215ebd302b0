// ?exclude= as kube-apiserver takes it (see kube_exclusions.h).
#include "hale/server/kube_exclusions.h"

#include <algorithm>

#include <fmt/format.h>

namespace hale {

namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one.
std::size_t utf8_length(std::string_view s) {
  const auto b = static_cast<unsigned char>(s[0]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t n = utf8_length(s.substr(i));
      if (n == 0) {
        out += fmt::format("\\x{:02x}", u);
        ++i;
      } else {
        out.append(s.substr(i, n));  // printable as far as these names go
        i += n;
      }
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
