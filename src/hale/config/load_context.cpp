// Secrets and relative paths as one config load sees them.
#include "hale/config/load_context.h"

#include <algorithm>

#include "hale/config.h"

namespace hale::config {

std::string LoadContext::resolve_path(std::string_view path) const {
  if (path.empty() || path.front() == '/' || base_dir_.empty()) return std::string(path);
  return base_dir_ + "/" + std::string(path);
}

std::optional<std::string> LoadContext::resolve_value(const toml::node& v, std::string_view key,
                                                      std::string_view text) {
  std::string source(text);
  if (text.starts_with("file:")) source = "file:" + resolve_path(text.substr(5));
  auto resolved = resolve_secret(source);
  if (!resolved) {
    diagnostics_.add(v, "`" + std::string(key) + "`: " + resolved.status().message());
    return std::nullopt;
  }
  if (resolved->is_secret) add_secret(resolved->value);
  return std::move(resolved).value().value;
}

void LoadContext::add_secret(std::string value) {
  if (value.empty()) return;
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  secrets_.push_back(std::move(value));
}

}  // namespace hale::config
