// Edit distance and the did-you-mean pick built on it, for unknown keys, types and groups.
#include "hale/config/levenshtein.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace hale::config {

namespace {

// Two edits catch the usual slips ("intervall", "raedy", "timout") without suggesting `url`
// for `tls`.
constexpr std::size_t kMaxDistance = 2;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::size_t levenshtein(std::string_view a, std::string_view b) {
  // One row of the classic table at a time: O(|b|) memory.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  for (std::string_view c : candidates) {
    if (equals_ignoring_case(word, c)) return std::string(c);
  }
  std::optional<std::string> best;
  std::size_t best_distance = kMaxDistance + 1;
  for (std::string_view c : candidates) {
    // A two-letter word is two edits from every other two-letter word: demand a closer match.
    const std::size_t limit = std::min(kMaxDistance, std::max<std::size_t>(1, std::min(word.size(), c.size()) / 2));
    const std::size_t d = levenshtein(word, c);
    if (d <= limit && d < best_distance) {
      best = std::string(c);
      best_distance = d;
    }
  }
  return best;
}

}  // namespace hale::config
