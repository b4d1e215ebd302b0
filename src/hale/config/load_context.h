// LoadContext: what every part of one config load shares: the error list, the file's directory
// (relative paths are resolved against it), the declared groups and the secrets found so far.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "hale/config/diagnostics.h"

namespace hale::config {

// Names written in the file (checks, services, notifiers), for "does X exist" across tables.
using NameSet = std::set<std::string, std::less<>>;

class LoadContext {
 public:
  LoadContext(Diagnostics& diagnostics, std::string base_dir)
      : diagnostics_(diagnostics), base_dir_(std::move(base_dir)) {}

  Diagnostics& diagnostics() { return diagnostics_; }

  // `path` as written, or joined to the config file's directory when relative: a config that
  // names `file:secrets/token` or `ca_file = "ca.pem"` works from any working directory, as
  // Prometheus does for the files its config names.
  std::string resolve_path(std::string_view path) const;

  // Resolves an `env:`/`file:` value read from `v` and records it as a secret. On failure
  // reports "`KEY`: REASON" at `v` (the reason names the variable or the path, never a value)
  // and returns nullopt.
  std::optional<std::string> resolve_value(const toml::node& v, std::string_view key, std::string_view text);

  // A file the config names (a CA bundle), as a non-empty string at `v`, resolved with
  // resolve_path() and readable now: a missing bundle would fail every probe or delivery as
  // "certificate did not verify", so it is said at load, where a reload can still keep the
  // running config. Reports "`KEY` "PATH": cannot read: REASON" and returns nullopt otherwise.
  std::optional<std::string> read_readable_path(const toml::node& v, std::string_view key);

  // Marks a value as secret for the log redactor (empty values are ignored: replacing "" in
  // every log line would be a disaster).
  void add_secret(std::string value);
  std::vector<std::string> take_secrets() { return std::move(secrets_); }

  // Groups a check may name: "live", "ready" and every declared [groups.NAME].
  void declare_group(std::string name) { groups_.insert(std::move(name)); }
  bool has_group(std::string_view name) const { return groups_.find(name) != groups_.end(); }
  std::vector<std::string_view> group_names() const { return {groups_.begin(), groups_.end()}; }

 private:
  Diagnostics& diagnostics_;
  std::string base_dir_;
  std::set<std::string, std::less<>> groups_{"live", "ready"};
  std::vector<std::string> secrets_;
};

}  // namespace hale::config
