// The keys of degraded mode (see degraded_keys.h).
#include "hale/config/degraded_keys.h"

#include <algorithm>
#include <array>

#include "hale/config/check_keys.h"
#include "hale/config/dependency_graph.h"
#include "hale/config/levenshtein.h"
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

void apply_check_depends_on(const KeyCall& c) {
  Diagnostics& d = c.diagnostics();
  const auto* list = c.value.as_array();
  if (list == nullptr) {
    d.add(c.value, "`depends_on` must be an array of check names, not " + std::string(type_name(c.value)));
    return;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto name = read_nonempty_string(*list->get(i), "depends_on[" + std::to_string(i) + "]", d);
    if (name && std::find(names.begin(), names.end(), *name) == names.end()) names.push_back(std::move(*name));
  }
  std::sort(names.begin(), names.end());
  c.spec.depends_on = std::move(names);
}

void check_dependencies(const toml::table& checks, Diagnostics& d) {
  DependencyGraph graph;
  for (auto&& [k, v] : checks) {
    const std::string self(k.str());
    std::vector<Edge>& edges = graph[self];
    const auto* table = v.as_table();
    const auto* list = table ? table->get_as<toml::array>("depends_on") : nullptr;
    if (list == nullptr) continue;
    for (const toml::node& item : *list) {
      const auto* name = item.as_string();
      if (name == nullptr) continue;  // reported by apply_check_depends_on
      const std::string parent = name->get();
      if (parent == self) {
        d.add(item, "`depends_on` names the check itself (\"" + self + "\"); a check depends on others, such as "
                    "the network or the host it runs on");
        continue;
      }
      if (!checks.contains(parent)) {
        std::string message = "`depends_on` names \"" + parent + "\", which is not a check";
        std::vector<std::string_view> known;
        for (auto&& [other, _] : checks) {
          if (other.str() != self) known.push_back(other.str());
        }
        if (auto guess = did_you_mean(parent, known)) message += "; did you mean \"" + *guess + "\"?";
        d.add(item, std::move(message));
        continue;
      }
      edges.push_back(Edge{parent, position_of(item)});
    }
  }
  report_cycles(graph, "depends_on", d);
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
