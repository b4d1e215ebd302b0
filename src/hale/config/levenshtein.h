// Did-you-mean for config errors: the closest known word to a misspelt one.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hale::config {

// Edit distance between two byte strings: Levenshtein (insertions, deletions, substitutions)
// plus the swap of two adjacent characters as one edit (optimal string alignment), because
// "raedy" for "ready" is one slip of the fingers, not two.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate that `word` most likely meant: a case-insensitive match first ("Interval" ->
// "interval"), else the nearest within a third of the word's length, at least 1 and at most 2
// edits (ties: the first candidate). nullopt when nothing is that close: "FETCH" is two edits
// from "PATCH", and a wild guess is worse than no guess.
std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace hale::config
