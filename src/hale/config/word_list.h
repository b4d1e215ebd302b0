// Enumerated config values ("on-failure", "starttls", "degraded"): a word and what it means,
// read exactly as written with a did-you-mean for a slip. Shared by the tables that have them.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "hale/config/diagnostics.h"
#include "hale/config/levenshtein.h"
#include "hale/config/toml_reader.h"
#include "hale/words.h"

namespace hale::config {

// A word of an enumerated key and what it means: hale::Word (words.h), whose tables for the
// config's enums are in config.h.
using hale::Word;

// The names of `words`, for did-you-mean, and as "a, b, c" for messages.
template <typename T, std::size_t N>
std::array<std::string_view, N> names_of(const std::array<Word<T>, N>& words) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = words[i].name;
  return names;
}

template <std::size_t N>
std::string listed(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// One of `words`, exactly as written (case-sensitive, like every other value of hale.toml):
// "`KEY`: unknown value "x" (expected one of a, b, c); did you mean "a"?" at `v` otherwise.
template <typename T, std::size_t N>
std::optional<T> read_word(const toml::node& v, std::string_view key, const std::array<Word<T>, N>& words,
                           Diagnostics& d) {
  auto text = read_string(v, key, d);
  if (!text) return std::nullopt;
  for (const Word<T>& w : words) {
    if (w.name == *text) return w.value;
  }
  const auto names = names_of(words);
  std::string message =
      "`" + std::string(key) + "`: unknown value \"" + *text + "\" (expected one of " + listed(names) + ")";
  if (auto guess = did_you_mean(*text, names)) message += "; did you mean \"" + *guess + "\"?";
  d.add(v, std::move(message));
  return std::nullopt;
}

}  // namespace hale::config
