// The config loader: TOML text -> a validated Config or every error in it (SPEC §1).
// Parses with toml++, then walks the top-level tables: [groups] first (checks name them),
// [server], [defaults], then each [checks.NAME] over the defaults, then [services.NAME] (they
// name checks), [heartbeats.NAME], then alerting (SPEC §6): [notifiers.NAME], [[alerts]] (they
// name notifiers and subjects), [[silences]]. Never throws: a parse error, and anything
// unexpected, becomes a ConfigError with a position.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/names.h"
#include "hale/config/alert_table.h"
#include "hale/config/check_table.h"
#include "hale/config/degraded_keys.h"
#include "hale/config/diagnostics.h"
#include "hale/config/drill_table.h"
#include "hale/config/file_read.h"
#include "hale/config/heartbeat_table.h"
#include "hale/config/load_context.h"
#include "hale/config/notifier_table.h"
#include "hale/config/server_table.h"
#include "hale/config/service_table.h"
#include "hale/config/history_table.h"
#include "hale/config/metrics_table.h"
#include "hale/config/status_page_table.h"
#include "hale/config/toml_reader.h"

namespace hale {

namespace {

using config::Diagnostics;
using config::LoadContext;

constexpr std::array<std::string_view, 14> kTopLevelKeys{
    "server",   "defaults", "checks",  "groups",  "services",    "heartbeats",   "notifiers",
    "alerts",   "silences", "drills",  "metrics", "history",     "status_page",  "announcements"};
constexpr std::array<std::string_view, 1> kGroupKeys{"description"};

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void read_groups(const toml::table& groups, LoadContext& ctx, std::vector<GroupSpec>& out) {
  Diagnostics& d = ctx.diagnostics();
  for (auto&& [k, v] : groups) {
    const std::string name(k.str());
    const auto* table = config::read_table(v, "groups." + name, d);
    if (table == nullptr) continue;
    if (name == "live" || name == "ready") {
      d.add(*table, "group \"" + name + "\" is built in; it needs no [groups." + name + "] table");
      continue;
    }
    if (auto problem = config::name_problem("group", name)) {
      d.add(*table, *problem);
      continue;
    }
    GroupSpec group{name, ""};
    for (auto&& [key, value] : *table) {
      if (key.str() == "description") {
        if (auto text = config::read_string(value, "description", d)) group.description = *text;
      } else {
        config::report_unknown_key(key, "in [groups." + name + "]", kGroupKeys, d);
      }
    }
    // Declared even when its description is wrong: checks naming it should not add errors.
    ctx.declare_group(name);
    out.push_back(std::move(group));
  }
}

void read_checks(const toml::table& checks, const CheckSpec& defaults, LoadContext& ctx,
                 std::vector<CheckSpec>& out) {
  for (auto&& [k, v] : checks) {
    const auto* table = config::read_table(v, "checks." + std::string(k.str()), ctx.diagnostics());
    if (table == nullptr) continue;
    if (auto spec = config::read_check(k.str(), *table, defaults, ctx)) out.push_back(std::move(*spec));
  }
  config::check_dependencies(checks, ctx.diagnostics());
}

// /health/NAME answers for a check or a heartbeat: one name cannot mean both.
void report_name_clashes(const toml::table& heartbeats, const std::vector<CheckSpec>& checks, Diagnostics& d) {
  for (auto&& [k, v] : heartbeats) {
    const std::string name(k.str());
    const bool clash = std::any_of(checks.begin(), checks.end(), [&](const CheckSpec& c) { return c.name == name; });
    if (clash) {
      d.add(k, "heartbeat \"" + name + "\" has the name of a check; /health/" + name +
                   " must mean one of them: rename one");
    }
  }
}

void report_other_top_level(const toml::table& root, Diagnostics& d) {
  for (auto&& [k, v] : root) {
    const std::string_view key = k.str();
    if (key == "server" || key == "defaults" || key == "checks" || key == "groups" || key == "services" ||
        key == "heartbeats" || key == "notifiers" || key == "alerts" || key == "silences" || key == "drills" ||
        key == "metrics" || key == "history" || key == "status_page" || key == "announcements") {
      continue;
    }
    config::report_unknown_key(k, "at the top level", kTopLevelKeys, d);
  }
}

// [notifiers.NAME], then [[alerts]] and [[silences]], which name notifiers and subjects: a name
// written in the file counts as declared even when its own table has errors.
void read_alerting(const toml::table& root, LoadContext& ctx, Config& out) {
  Diagnostics& d = ctx.diagnostics();
  config::NameSet notifier_names;
  if (const auto* node = root.get("notifiers")) {
    if (node->is_array()) {
      // [[notifiers]] would leave every notifier without a name to be named by.
      d.add(*node, "`notifiers` must be a table of [notifiers.NAME] tables, not an array of tables");
    } else if (const auto* t = config::read_table(*node, "notifiers", d)) {
      out.notifiers = config::read_notifiers(*t, ctx);
      notifier_names = config::declared_notifiers(*t);
    }
  }
  const config::SubjectNames subjects = config::declared_subjects(root);
  if (const auto* node = root.get("alerts")) out.alerts = config::read_alerts(*node, subjects, notifier_names, ctx);
  if (const auto* node = root.get("silences")) out.silences = config::read_silences(*node, subjects, ctx);
}

Config read_config(const toml::table& root, const std::string& path, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  Config out;
  out.path = path;
  if (const auto* node = root.get("groups")) {
    if (const auto* t = config::read_table(*node, "groups", d)) read_groups(*t, ctx, out.groups);
  }
  if (const auto* node = root.get("server")) {
    if (const auto* t = config::read_table(*node, "server", d)) out.server = config::read_server(*t, ctx);
  }
  if (const auto* node = root.get("metrics")) {
    if (const auto* t = config::read_table(*node, "metrics", d)) out.metrics = config::read_metrics(*t, d);
  }
  if (const auto* node = root.get("history")) {
    if (const auto* t = config::read_table(*node, "history", d)) out.history = config::read_history(*t, d);
  }
  if (const auto* node = root.get("status_page")) {
    if (const auto* t = config::read_table(*node, "status_page", d)) out.status_page = config::read_status_page(*t, d);
  }
  if (const auto* node = root.get("announcements")) out.announcements = config::read_announcements(*node, d);
  CheckSpec defaults;
  if (const auto* node = root.get("defaults")) {
    if (const auto* t = config::read_table(*node, "defaults", d)) defaults = config::read_defaults(*t, ctx);
  }
  if (const auto* node = root.get("checks")) {
    if (const auto* t = config::read_table(*node, "checks", d)) read_checks(*t, defaults, ctx, out.checks);
  }
  if (const auto* node = root.get("services")) {
    if (const auto* t = config::read_table(*node, "services", d)) {
      const config::SubjectNames declared = config::declared_subjects(root);
      out.services = config::read_services(*t, declared.checks, declared.heartbeats, ctx);
    }
  }
  if (const auto* node = root.get("heartbeats")) {
    if (const auto* t = config::read_table(*node, "heartbeats", d)) {
      out.heartbeats = config::read_heartbeats(*t, ctx);
      report_name_clashes(*t, out.checks, d);
    }
  }
  read_alerting(root, ctx, out);
  // Last: a drill names checks, heartbeats, notifiers, services and groups.
  if (const auto* node = root.get("drills")) {
    if (const auto* t = config::read_table(*node, "drills", d)) out.drills = config::read_drills(*t, out, ctx);
  }
  report_other_top_level(root, d);

  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(out.checks.begin(), out.checks.end(), by_name);
  std::sort(out.groups.begin(), out.groups.end(), by_name);
  // Grown by doubling while read: 10,000 checks would keep room for 16,384 (3.5 MB) for good.
  out.checks.shrink_to_fit();
  out.secrets = ctx.take_secrets();
  return out;
}

}  // namespace

LoadResult load_config_string(std::string_view text, const std::string& path) {
  Diagnostics d(path);
  LoadResult result;
  try {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error& e) {
      // toml++ stops at its first error: there is only this one to report.
      d.add(e.source(), std::string(e.description()));
      result.errors = d.take_in_file_order();
      return result;
    }
    LoadContext ctx(d, directory_of(path));
    Config config = read_config(root, path, ctx);
    if (d.empty()) result.config = std::move(config);
  } catch (const std::exception& e) {
    d.add(SourcePos{1, 1}, std::string("internal error while loading the config: ") + e.what());
  } catch (...) {
    d.add(SourcePos{1, 1}, "internal error while loading the config");
  }
  result.errors = d.take_in_file_order();
  return result;
}

LoadResult load_config_file(const std::string& path) {
  // 16 MiB holds some 100,000 checks; a file past that is not a config (or /dev/zero).
  constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;
  auto text = config::read_regular_file(path, kMaxConfigBytes);
  if (!text) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, 0, "cannot read file: " + text.status().message()});
    return result;
  }
  return load_config_string(*text, path);
}

}  // namespace hale
