// Collecting config errors and putting them in file order.
#include "hale/config/diagnostics.h"

#include <algorithm>

namespace hale::config {

SourcePos position_of(const toml::source_region& where) {
  if (where.begin.line == 0) return SourcePos{1, 1};
  return SourcePos{static_cast<int>(where.begin.line), static_cast<int>(where.begin.column)};
}

void Diagnostics::add(SourcePos at, std::string message) {
  if (at.line < 1) at = SourcePos{1, 1};
  errors_.push_back(ConfigError{file_, at.line, at.column, std::move(message)});
}

std::vector<ConfigError> Diagnostics::take_in_file_order() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(errors_);
}

}  // namespace hale::config
