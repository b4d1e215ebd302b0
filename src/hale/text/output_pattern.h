// OutputPattern: `fail_if_output_matches` (SPEC §5), a PCRE2 pattern (Debian's libpcre2-8:
// Perl syntax, so `(?i)401|unauthorized` works, which std::regex cannot do) searched line by
// line in a job's output. The first matching line is the failure's evidence.
// Thread-safety: match() may be called from any thread (match data is per call).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hale/status.h"

namespace hale {

class OutputPattern {
 public:
  // "invalid pattern at offset 3: missing closing parenthesis" when it does not compile.
  static StatusOr<OutputPattern> compile(std::string_view pattern);

  // The first line of `output` the pattern matches (without its newline), or nullopt.
  std::optional<std::string> first_matching_line(std::string_view output) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  OutputPattern(std::shared_ptr<const Code> code, std::string pattern)
      : code_(std::move(code)), pattern_(std::move(pattern)) {}
  std::shared_ptr<const Code> code_;
  std::string pattern_;
};

}  // namespace hale
