// [metrics]: `detail = "compact" | "full"`.
#include "hale/config/metrics_table.h"

#include <array>
#include <string_view>

#include "hale/config/word_list.h"

namespace hale::config {

namespace {
constexpr std::array<std::string_view, 1> kMetricsKeys{"detail"};
}  // namespace

MetricsConfig read_metrics(const toml::table& table, Diagnostics& d) {
  MetricsConfig m;
  for (auto&& [k, v] : table) {
    if (k.str() == "detail") {
      if (auto detail = read_word(v, "detail", kMetricsDetailWords, d)) m.detail = *detail;
    } else {
      report_unknown_key(k, "in [metrics]", kMetricsKeys, d);
    }
  }
  return m;
}

}  // namespace hale::config
