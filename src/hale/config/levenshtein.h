// Did-you-mean for config errors: the closest known word to a misspelt one.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hale::config {

// Edit distance (insertions, deletions, substitutions) between two byte strings.
std::size_t levenshtein(std::string_view a, std::string_view b);

// The candidate that `word` most likely meant: a case-insensitive match first ("Interval" ->
// "interval"), else the nearest within an edit distance of 2 (ties: the first candidate).
// nullopt when nothing is that close: a wild guess is worse than no guess.
std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace hale::config
