// The keys of degraded mode (see degraded_keys.h).
#include "hale/config/degraded_keys.h"

#include <array>

#include "hale/config/check_keys.h"
#include "hale/config/names.h"
#include "hale/config/toml_reader.h"

namespace hale::config {

namespace {

constexpr std::array<std::string_view, 3> kBudgetKeys{"p50", "p95", "window"};

}  // namespace

std::optional<std::string> read_guard_code(const toml::node& value, Diagnostics& d) {
  auto code = read_nonempty_string(value, "guard_code", d);
  if (!code) return std::nullopt;
  if (!is_valid_name(*code)) {
    d.add(value, "`guard_code` \"" + code->substr(0, 32) +
                     "\": a code starts with a letter or a digit, then letters, digits, '_', '.' and '-' "
                     "(at most 128 characters)");
    return std::nullopt;
  }
  return code;
}

void apply_guard_code(const KeyCall& c) {
  if (auto code = read_guard_code(c.value, c.diagnostics())) c.spec.guard_code = std::move(*code);
}

void apply_latency_budget(const KeyCall& c) {
  const auto* table = read_table(c.value, c.key, c.diagnostics());
  if (table == nullptr) return;
  Diagnostics& d = c.diagnostics();
  const std::size_t errors_before = d.size();
  LatencyBudget budget;
  const toml::node* p50_node = nullptr;
  for (auto&& [k, v] : *table) {
    const std::string name = "latency_budget." + std::string(k.str());
    if (k.str() == "p50") {
      p50_node = &v;
      budget.p50 = read_duration(v, name, d, /*positive=*/true);
    } else if (k.str() == "p95") {
      budget.p95 = read_duration(v, name, d, /*positive=*/true);
    } else if (k.str() == "window") {
      if (auto w = read_duration(v, name, d, /*positive=*/true)) budget.window = *w;
    } else {
      report_unknown_key(k, "in `latency_budget`", kBudgetKeys, d);
    }
  }
  if (d.size() != errors_before) return;
  if (!budget.p50 && !budget.p95) {
    d.add(c.value, "`latency_budget` needs `p50`, `p95` or both, e.g. { p50 = \"100ms\", p95 = \"400ms\" }");
    return;
  }
  if (budget.p50 && budget.p95 && *budget.p50 > *budget.p95) {
    d.add(*p50_node, "`latency_budget.p50` (" + format_duration(*budget.p50) + ") is more than `latency_budget.p95` (" +
                         format_duration(*budget.p95) + "), but a p50 is never above the p95: did you swap them?");
    return;
  }
  c.spec.latency_budget = budget;
}

}  // namespace hale::config
