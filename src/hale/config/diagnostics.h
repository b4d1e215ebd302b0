// Diagnostics: the errors of one config file, collected all at once (never stop at the first:
// an operator fixing a file wants the whole list) and handed back in file order.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"

namespace hale::config {

// A node's position; 1:1 when toml++ knows none, so that every error points into the file.
SourcePos position_of(const toml::source_region& where);
inline SourcePos position_of(const toml::node& n) { return position_of(n.source()); }
inline SourcePos position_of(const toml::key& k) { return position_of(k.source()); }

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void add(SourcePos at, std::string message);
  template <typename Where>
  void add(const Where& where, std::string message) {
    add(position_of(where), std::move(message));
  }

  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  const std::string& file() const { return file_; }

  // The errors sorted by line and column. toml++ keeps a table's keys sorted by name, so the
  // walk finds errors out of file order; ties keep the order they were found in.
  std::vector<ConfigError> take_in_file_order();

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

}  // namespace hale::config
