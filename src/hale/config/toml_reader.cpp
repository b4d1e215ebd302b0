// Typed reads of TOML values, each failure reported once at the value with the key's name.
#include "hale/config/toml_reader.h"

#include <string>

#include "hale/config.h"
#include "hale/config/levenshtein.h"

namespace hale::config {

namespace {

void report_wrong_type(const toml::node& v, std::string_view key, std::string_view wanted, Diagnostics& d) {
  d.add(v, backticked(key) + " must be " + std::string(wanted) + ", not " + std::string(type_name(v)));
}

}  // namespace

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::optional<std::string> read_string(const toml::node& v, std::string_view key, Diagnostics& d) {
  if (const auto* s = v.as_string()) return s->get();
  report_wrong_type(v, key, "a string", d);
  return std::nullopt;
}

std::optional<std::string> read_nonempty_string(const toml::node& v, std::string_view key, Diagnostics& d) {
  auto s = read_string(v, key, d);
  if (s && s->empty()) {
    d.add(v, backticked(key) + " must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> read_bool(const toml::node& v, std::string_view key, Diagnostics& d) {
  if (const auto* b = v.as_boolean()) return b->get();
  // `critical = "false"` is a common slip, and a non-empty string would read as true elsewhere.
  report_wrong_type(v, key, "true or false", d);
  return std::nullopt;
}

std::optional<std::int64_t> read_integer(const toml::node& v, std::string_view key, std::int64_t lo,
                                         std::int64_t hi, Diagnostics& d) {
  const auto* i = v.as_integer();
  if (i == nullptr) {
    report_wrong_type(v, key, "an integer", d);
    return std::nullopt;
  }
  const std::int64_t n = i->get();
  if (n < lo) {
    d.add(v, backticked(key) + " must be at least " + std::to_string(lo));
    return std::nullopt;
  }
  if (n > hi) {
    d.add(v, backticked(key) + " must be at most " + std::to_string(hi));
    return std::nullopt;
  }
  return n;
}

std::optional<Duration> read_duration(const toml::node& v, std::string_view key, Diagnostics& d, bool positive) {
  const auto* s = v.as_string();
  if (s == nullptr) {
    // `interval = 10`: seconds? milliseconds? Refuse to guess (SPEC §1: durations are strings).
    report_wrong_type(v, key, "a duration string like \"10s\"", d);
    return std::nullopt;
  }
  const auto parsed = parse_duration(s->get());
  if (!parsed) {
    d.add(v, backticked(key) + ": invalid duration \"" + s->get() + "\" (use a unit: 250ms, 10s, 5m, 1h, 14d)");
    return std::nullopt;
  }
  if (positive && parsed->count() == 0) {
    d.add(v, backticked(key) + " must be greater than 0");
    return std::nullopt;
  }
  return parsed;
}

const toml::table* read_table(const toml::node& v, std::string_view key, Diagnostics& d) {
  if (const auto* t = v.as_table()) return t;
  report_wrong_type(v, key, "a table", d);
  return nullptr;
}

const toml::array* read_array(const toml::node& v, std::string_view key, Diagnostics& d) {
  if (const auto* a = v.as_array()) return a;
  report_wrong_type(v, key, "an array", d);
  return nullptr;
}

void report_unknown_key(const toml::key& k, std::string_view where, std::span<const std::string_view> known,
                        Diagnostics& d) {
  std::string message = "unknown key " + backticked(k.str()) + " " + std::string(where);
  if (auto guess = did_you_mean(k.str(), known)) message += "; did you mean " + backticked(*guess) + "?";
  d.add(k, std::move(message));
}

}  // namespace hale::config
