// The backoff tables (see backoff_keys.h).
#include "hale/config/backoff_keys.h"

#include <cmath>
#include <string>
#include <vector>

#include "hale/config/check_keys.h"
#include "hale/config/toml_reader.h"
#include "hale/config.h"

namespace hale::config {

namespace {

std::optional<double> read_multiplier(const toml::node& v, std::string_view key, Diagnostics& d) {
  double m = 0;
  if (const auto* i = v.as_integer()) {
    m = static_cast<double>(i->get());
  } else if (const auto* f = v.as_floating_point()) {
    m = f->get();
  } else {
    d.add(v, backticked(key) + " must be a number, not " + std::string(type_name(v)));
    return std::nullopt;
  }
  if (!std::isfinite(m)) {
    d.add(v, backticked(key) + " must be a finite number");
    return std::nullopt;
  }
  if (m < 1) {
    // Below 1 the delay would shrink with every failure: the opposite of a backoff.
    d.add(v, backticked(key) + " must be at least 1");
    return std::nullopt;
  }
  return m;
}

std::optional<Jitter> read_jitter(const toml::node& v, const std::string& name, JitterForm form, Diagnostics& d) {
  if (form == JitterForm::kDuration) {
    auto dur = read_duration(v, name, d);
    if (!dur) return std::nullopt;
    return Jitter::fixed(*dur);
  }
  auto text = read_string(v, name, d);
  if (!text) return std::nullopt;
  auto jitter = parse_jitter(*text);
  if (form == JitterForm::kShare && (!jitter || !jitter->is_fraction)) {
    d.add(v, backticked(name) + ": invalid value \"" + *text + "\" (use a share of the delay from \"0%\" to \"100%\")");
    return std::nullopt;
  }
  if (!jitter) {
    d.add(v, backticked(name) + ": invalid value \"" + *text +
                 "\" (use a duration like \"2s\" or a share of the delay from \"0%\" to \"100%\")");
    return std::nullopt;
  }
  return jitter;
}

// `max` must not be less than `base`. Reports at `max` if written, else at `base`, else at the
// table, naming the default when `max` was left out. False when reported.
bool check_backoff_max(std::string_view key, Duration base, Duration max, const toml::node* base_node,
                       const toml::node* max_node, const toml::node& whole, Diagnostics& d) {
  if (max >= base) return true;
  // Only base written: the default max may be what is too small, so say where it came from.
  const std::string max_text = format_duration(max) + (max_node ? "" : ", the default");
  const toml::node& at = max_node ? *max_node : (base_node ? *base_node : whole);
  d.add(at, backticked(std::string(key) + ".max") + " (" + max_text + ") must not be less than " +
                backticked(std::string(key) + ".base") + " (" + format_duration(base) + ")");
  return false;
}

}  // namespace

bool read_backoff(const toml::table& table, std::string_view key, const BackoffRules& rules, Backoff& out,
                  Diagnostics& d, const ExtraBackoffKey& extra) {
  std::vector<std::string_view> known{"base", "max"};
  if (rules.multiplier) known.push_back("multiplier");
  known.push_back("jitter");
  known.insert(known.end(), rules.extra_keys.begin(), rules.extra_keys.end());

  const std::size_t errors_before = d.size();
  Backoff read = out;
  const toml::node* base_node = nullptr;
  const toml::node* max_node = nullptr;
  for (auto&& [k, v] : table) {
    const std::string name = std::string(key) + "." + std::string(k.str());
    if (k.str() == "base") {
      base_node = &v;
      if (auto dur = read_duration(v, name, d, /*positive=*/!rules.zero_base_allowed)) read.base = *dur;
    } else if (k.str() == "max") {
      max_node = &v;
      if (auto dur = read_duration(v, name, d, /*positive=*/!rules.zero_base_allowed)) read.max = *dur;
    } else if (k.str() == "multiplier" && rules.multiplier) {
      if (auto m = read_multiplier(v, name, d)) read.multiplier = *m;
    } else if (k.str() == "jitter") {
      if (auto j = read_jitter(v, name, rules.jitter, d)) read.jitter = *j;
    } else if (!extra || !extra(k.str(), v, name)) {
      report_unknown_key(k, "in " + backticked(key), known, d);
    }
  }
  if (d.size() != errors_before) return false;
  if (!check_backoff_max(key, read.base, read.max, base_node, max_node, table, d)) return false;
  out = read;
  return true;
}

}  // namespace hale::config
