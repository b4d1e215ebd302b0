// The words of an enum: one table per enum, read both ways. `to_string` and the config's reader
// of the same enum use the same table (config.h holds the tables of the config's enums), so a
// word is written once.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace hale {

template <typename T>
struct Word {
  std::string_view name;
  T value;
};

// The word of `value` in `words`; `fallback` when it has none.
template <typename T, std::size_t N>
constexpr std::string_view word_of(const std::array<Word<T>, N>& words, T value, std::string_view fallback = {}) {
  for (const Word<T>& w : words) {
    if (w.value == value) return w.name;
  }
  return fallback;
}

// The value whose word is `name`, exactly as written.
template <typename T, std::size_t N>
constexpr std::optional<T> value_of(const std::array<Word<T>, N>& words, std::string_view name) {
  for (const Word<T>& w : words) {
    if (w.name == name) return w.value;
  }
  return std::nullopt;
}

}  // namespace hale
