// PCRE2 behind OutputPattern (see output_pattern.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "hale/text/output_pattern.h"

#include <pcre2.h>

namespace hale {

namespace {
constexpr std::uint32_t kMatchLimit = 100'000;
}  // namespace

struct OutputPattern::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

StatusOr<OutputPattern> OutputPattern::compile(std::string_view pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF with no validity check on the subject: job output may be any bytes; invalid UTF-8
  // would otherwise make every match fail. PCRE2_MATCH_INVALID_UTF keeps matching sane on it.
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return Status::error("invalid pattern at offset " + std::to_string(offset) + ": " +
                         reinterpret_cast<const char*>(message));
  }
  auto owned = std::make_shared<Code>();
  owned->code = code;
  return OutputPattern(std::move(owned), std::string(pattern));
}

std::optional<std::string> OutputPattern::first_matching_line(std::string_view output) const {
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> data(
      pcre2_match_data_create_from_pattern(code_->code, nullptr), &pcre2_match_data_free);
  // Bounded work per line: a backtracking-heavy pattern over 100 KB of output must not stall
  // the event loop for seconds (PCRE2's default allows 10 million steps per match).
  std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)> limits(pcre2_match_context_create(nullptr),
                                                                            &pcre2_match_context_free);
  pcre2_set_match_limit(limits.get(), kMatchLimit);
  pcre2_set_depth_limit(limits.get(), kMatchLimit);
  std::size_t start = 0;
  while (start <= output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(line.data()), line.size(), 0, 0,
                               data.get(), limits.get());
    if (rc >= 0) return std::string(line);
    // Fail closed: a line the pattern could not be evaluated on (match limit) is not a pass.
    if (rc != PCRE2_ERROR_NOMATCH) return "(fail_if_output_matches gave up on a line: match limit reached)";
    if (end == output.size()) break;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace hale
