// Edit distance and the did-you-mean pick built on it, for unknown keys, types and groups.
#include "hale/config/levenshtein.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace hale::config {

namespace {

// Two edits catch the usual slips ("intervall", "timout", "chekcs") in long words; short words
// get one, or every three-letter word would suggest every other.
constexpr std::size_t kMaxDistance = 2;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the classic table: the transposition looks two rows back.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  for (std::string_view c : candidates) {
    if (equals_ignoring_case(word, c)) return std::string(c);
  }
  std::optional<std::string> best;
  std::size_t best_distance = kMaxDistance + 1;
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, kMaxDistance);
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d <= limit && d < best_distance) {
      best = std::string(c);
      best_distance = d;
    }
  }
  return best;
}

}  // namespace hale::config
