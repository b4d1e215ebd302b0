// Splitting a request target into its path and query parameters (percent-decoded).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hale {

struct ParsedTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;  // in order; repeated keys kept
  bool has(std::string_view key) const;
  std::vector<std::string> all(std::string_view key) const;
};

// "/readyz?verbose&exclude=db&exclude=a%20b" -> path "/readyz", params verbose="", exclude x2.
ParsedTarget parse_target(std::string_view target);
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace hale
