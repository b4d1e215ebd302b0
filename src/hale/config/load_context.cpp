// Secrets and relative paths as one config load sees them.
#include "hale/config/load_context.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "hale/config.h"
#include "hale/config/file_read.h"
#include "hale/config/secret_parts.h"
#include "hale/config/toml_reader.h"

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

std::optional<std::string> LoadContext::read_readable_path(const toml::node& v, std::string_view key) {
  auto text = read_nonempty_string(v, key, diagnostics_);
  if (!text) return std::nullopt;
  std::string path = resolve_path(*text);
  // Not fopen(): a FIFO would block the load for ever (noticed while fuzzing).
  if (Status s = check_readable_regular_file(path); !s) {
    diagnostics_.add(v, "`" + std::string(key) + "` \"" + path + "\": cannot read: " + s.message());
    return std::nullopt;
  }
  return path;
}

void LoadContext::add_secret(std::string value) {
  if (value.empty()) return;
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  // Its meaningful parts are secrets too: a job prints the bare token, not "Bearer TOKEN".
  std::vector<std::string> parts = secret_parts(value);
  secrets_.push_back(std::move(value));
  for (std::string& p : parts) add_secret(std::move(p));
}

}  // namespace hale::config
