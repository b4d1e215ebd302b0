// ASCII case folding for the words hale compares without case (schemes, host names, header and
// protocol words): bytes outside A-Z are kept as they are, whatever the locale.
#pragma once

#include <string>
#include <string_view>

namespace hale {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace hale
