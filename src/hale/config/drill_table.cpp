// [drills.NAME] (see drill_table.h).
#include "hale/config/calendar_keys.h"
#include "hale/config/drill_table.h"

#include <algorithm>
#include <array>
#include <string>

#include "hale/config/levenshtein.h"
#include "hale/config/names.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"
#include "hale/heartbeat_view.h"
#include "hale/service_view.h"

namespace hale::config {

namespace {

constexpr std::array<std::string_view, 7> kDrillKeys{"force", "duration", "expect", "schedule", "tz", "page",
                                                     "description"};
// The prefixes of `force` keys that say which kind a name is ("notifiers.ops").
constexpr std::array<std::string_view, 3> kForceSections{"checks", "heartbeats", "notifiers"};
// The prefixes of `expect` keys, and its whole keys.
constexpr std::array<std::string_view, 5> kExpectSections{"checks", "heartbeats", "services", "guard", "groups"};
constexpr std::array<std::string_view, 9> kExpectWords{"readyz", "livez", "alerts", "routed", "checks.NAME",
                                                       "heartbeats.NAME", "services.NAME", "guard.NAME",
                                                       "groups.NAME"};

// Every name a drill may use, by kind.
struct Names {
  std::vector<std::string> checks, heartbeats, notifiers, services, groups;

  static bool has(const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  }
};

Names names_of(const Config& c) {
  Names n;
  for (const auto& x : c.checks) n.checks.push_back(x.name);
  for (const auto& x : c.heartbeats) n.heartbeats.push_back(x.name);
  for (const auto& x : c.notifiers) n.notifiers.push_back(x.name);
  for (const auto& x : c.services) n.services.push_back(x.name);
  n.groups = {"live", "ready"};
  for (const auto& x : c.groups) n.groups.push_back(x.name);
  return n;
}

// "; did you mean \"x\"?" over the given lists, or "".
std::string suggestion(std::string_view word, std::initializer_list<const std::vector<std::string>*> lists) {
  std::vector<std::string_view> candidates;
  for (const auto* list : lists) candidates.insert(candidates.end(), list->begin(), list->end());
  if (auto guess = did_you_mean(word, candidates)) return "; did you mean \"" + *guess + "\"?";
  return "";
}

// "a.b" -> ("a", "b"); no dot: ("", "a").
std::pair<std::string, std::string> split_key(std::string_view key) {
  const auto dot = key.find('.');
  if (dot == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, dot)), std::string(key.substr(dot + 1))};
}

// A flat list of (key, value) from a table whose keys may be dotted in either spelling:
// { "services.web" = "stopped" } and { services.web = "stopped" } (a nested table) alike.
struct Entry {
  std::string key;
  const toml::node* value;
  const toml::node* at;  // where to report (the value)
};
std::vector<Entry> flatten(const toml::table& t, std::span<const std::string_view> sections) {
  std::vector<Entry> out;
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    const bool section = std::find(sections.begin(), sections.end(), key) != sections.end();
    if (section && v.is_table()) {
      for (auto&& [k2, v2] : *v.as_table()) out.push_back({key + "." + std::string(k2.str()), &v2, &v2});
      continue;
    }
    out.push_back({key, &v, &v});
  }
  return out;
}

std::optional<Health> read_forced_result(const toml::node& v, std::string_view key, bool check, Diagnostics& d) {
  auto text = read_string(v, key, d);
  if (!text) return std::nullopt;
  if (*text == "fail" || *text == "down") return Health::kFail;
  if (*text == "ok" || *text == "up") return Health::kOk;
  if (check && *text == "degraded") return Health::kDegraded;
  d.add(v, "`force` of \"" + std::string(key) + "\": unknown result \"" + *text + "\" (expected " +
               (check ? "fail, degraded or ok" : "fail or ok") + ")");
  return std::nullopt;
}

void read_force(const toml::table& t, const Names& names, DrillSpec& drill, Diagnostics& d) {
  if (t.empty()) d.add(t, "`force` must name at least one check, heartbeat or notifier");
  for (const Entry& e : flatten(t, kForceSections)) {
    auto [section, name] = split_key(e.key);
    if (section.empty()) name = e.key;
    DrillForce f;
    f.name = name;
    const bool is_check = Names::has(names.checks, name);
    const bool is_heartbeat = Names::has(names.heartbeats, name);
    const bool is_notifier = Names::has(names.notifiers, name);
    if (section == "checks" && is_check) {
      f.kind = SubjectKind::kCheck;
    } else if (section == "heartbeats" && is_heartbeat) {
      f.kind = SubjectKind::kHeartbeat;
    } else if (section == "notifiers" && is_notifier) {
      f.notifier = true;
    } else if (section.empty() && (is_check || is_heartbeat) && is_notifier) {
      d.add(*e.at, "`force`: \"" + name + "\" is both a " + (is_check ? "check" : "heartbeat") +
                       " and a notifier: write \"" + (is_check ? "checks." : "heartbeats.") + name +
                       "\" or \"notifiers." + name + "\"");
      continue;
    } else if (section.empty() && is_check) {
      f.kind = SubjectKind::kCheck;
    } else if (section.empty() && is_heartbeat) {
      f.kind = SubjectKind::kHeartbeat;
    } else if (section.empty() && is_notifier) {
      f.notifier = true;
    } else {
      d.add(*e.at, "`force`: no check, heartbeat or notifier named \"" + e.key + "\"" +
                       suggestion(name, {&names.checks, &names.heartbeats, &names.notifiers}));
      continue;
    }
    auto result = read_forced_result(*e.value, e.key, f.kind == SubjectKind::kCheck && !f.notifier, d);
    if (!result) continue;
    f.result = *result;
    drill.force.push_back(std::move(f));
  }
  std::sort(drill.force.begin(), drill.force.end(),
            [](const DrillForce& a, const DrillForce& b) { return a.name < b.name; });
}

std::optional<std::string> read_http_status(const toml::node& v, const std::string& key, Diagnostics& d) {
  auto code = read_integer(v, key, 100, 599, d);
  if (!code) return std::nullopt;
  return std::to_string(*code);
}

template <typename Words>
std::optional<std::string> read_state_word(const toml::node& v, const std::string& key, const Words& words,
                                           Diagnostics& d) {
  auto text = read_string(v, key, d);
  if (!text) return std::nullopt;
  std::vector<std::string_view> candidates(std::begin(words), std::end(words));
  if (std::find(candidates.begin(), candidates.end(), *text) != candidates.end()) return *text;
  std::string list;
  for (auto w : candidates) list += (list.empty() ? "" : ", ") + std::string(w);
  std::string message = "`expect` \"" + key + "\": unknown state \"" + *text + "\" (expected one of " + list + ")";
  if (auto guess = did_you_mean(*text, candidates)) message += "; did you mean \"" + *guess + "\"?";
  d.add(v, std::move(message));
  return std::nullopt;
}

std::optional<std::string> read_alert_list(const toml::node& v, const std::string& key, const Names& names,
                                           Diagnostics& d) {
  const auto* list = read_array(v, key, d);
  if (list == nullptr) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto name = read_nonempty_string(*list->get(i), key + "[" + std::to_string(i) + "]", d);
    if (!name) {
      ok = false;
      continue;
    }
    if (!Names::has(names.notifiers, *name)) {
      d.add(*list->get(i), "`expect` " + key + ": no notifier named \"" + *name + "\"" +
                               suggestion(*name, {&names.notifiers}));
      ok = false;
      continue;
    }
    out.push_back(std::move(*name));
  }
  if (!ok) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::string joined;
  for (const auto& n : out) joined += (joined.empty() ? "" : ", ") + n;
  return joined;
}

constexpr std::array<std::string_view, 4> kCheckStates{"ok", "degraded", "fail", "unknown"};

void read_expect(const toml::table& t, const Names& names, DrillSpec& drill, Diagnostics& d) {
  std::vector<std::string_view> service_states;
  for (ServiceState s : kAllServiceStates) service_states.push_back(to_string(s));
  std::vector<std::string_view> heartbeat_states;
  for (HeartbeatStatus s : kAllHeartbeatStatuses) heartbeat_states.push_back(to_string(s));
  for (const Entry& e : flatten(t, kExpectSections)) {
    const auto [section, name] = split_key(e.key);
    std::optional<std::string> wanted;
    auto unknown = [&, name = name](std::string_view what, std::initializer_list<const std::vector<std::string>*> lists) {
      d.add(*e.at, "`expect` \"" + e.key + "\": no " + std::string(what) + " named \"" + name + "\"" +
                       suggestion(name, lists));
    };
    if (e.key == "readyz" || e.key == "livez") {
      wanted = read_http_status(*e.value, e.key, d);
    } else if (e.key == "alerts" || e.key == "routed") {
      wanted = read_alert_list(*e.value, e.key, names, d);
    } else if (section == "groups") {
      if (!Names::has(names.groups, name)) {
        unknown("group", {&names.groups});
        continue;
      }
      wanted = read_http_status(*e.value, e.key, d);
    } else if (section == "guard") {
      if (!Names::has(names.checks, name) && !Names::has(names.heartbeats, name) &&
          !Names::has(names.services, name)) {
        unknown("check, heartbeat or service", {&names.checks, &names.heartbeats, &names.services});
        continue;
      }
      wanted = read_http_status(*e.value, e.key, d);
    } else if (section == "checks") {
      if (!Names::has(names.checks, name)) {
        unknown("check", {&names.checks});
        continue;
      }
      wanted = read_state_word(*e.value, e.key, kCheckStates, d);
    } else if (section == "heartbeats") {
      if (!Names::has(names.heartbeats, name)) {
        unknown("heartbeat", {&names.heartbeats});
        continue;
      }
      wanted = read_state_word(*e.value, e.key, heartbeat_states, d);
    } else if (section == "services") {
      if (!Names::has(names.services, name)) {
        unknown("service", {&names.services});
        continue;
      }
      wanted = read_state_word(*e.value, e.key, service_states, d);
    } else {
      std::string message = "`expect`: unknown expectation \"" + e.key + "\" (expected " + listed(kExpectWords) + ")";
      if (auto guess = did_you_mean(e.key, kExpectWords)) message += "; did you mean \"" + *guess + "\"?";
      d.add(*e.at, std::move(message));
      continue;
    }
    if (wanted) drill.expect.push_back({e.key, std::move(*wanted)});
  }
  std::sort(drill.expect.begin(), drill.expect.end(),
            [](const DrillExpectation& a, const DrillExpectation& b) { return a.key < b.key; });
}

std::optional<DrillSpec> read_drill(const std::string& name, const toml::table& table, const Names& names,
                                    Diagnostics& d) {
  const std::size_t errors_before = d.size();
  DrillSpec drill;
  drill.name = name;
  drill.pos = position_of(table);
  bool has_force = false;
  std::optional<ReadSchedule> schedule;
  std::optional<TimeZone> tz;
  for (auto&& [k, v] : table) {
    const std::string key(k.str());
    if (key == "force") {
      has_force = true;
      if (const auto* t = read_table(v, key, d)) read_force(*t, names, drill, d);
    } else if (key == "duration") {
      if (auto t = read_duration(v, key, d, /*positive=*/true)) drill.duration = *t;
    } else if (key == "expect") {
      if (const auto* t = read_table(v, key, d)) read_expect(*t, names, drill, d);
    } else if (key == "schedule") {
      schedule = read_schedule(v, d);
    } else if (key == "tz") {
      tz = read_time_zone(v, d);
    } else if (key == "page") {
      if (auto b = read_bool(v, key, d)) drill.page = *b;
    } else if (key == "description") {
      if (auto text = read_string(v, key, d)) drill.description = std::move(*text);
    } else {
      report_unknown_key(k, "in [drills." + name + "]", kDrillKeys, d);
    }
  }
  if (!has_force) {
    d.add(table, "[drills." + name + "] needs `force`: the checks, heartbeats or notifiers it forces, e.g. "
                 "force = { db = \"fail\" }");
  }
  if (d.size() != errors_before) return std::nullopt;
  if (auto calendar = calendar_of(std::move(schedule), std::move(tz))) drill.schedule = std::move(*calendar);
  return drill;
}

}  // namespace

std::vector<DrillSpec> read_drills(const toml::table& drills, const Config& config, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const Names names = names_of(config);
  std::vector<DrillSpec> out;
  for (auto&& [k, v] : drills) {
    const std::string name(k.str());
    const auto* table = read_table(v, "drills." + name, d);
    if (table == nullptr) continue;
    if (auto problem = name_problem("drill", name)) {
      d.add(*table, *problem);
      continue;
    }
    if (auto drill = read_drill(name, *table, names, d)) out.push_back(std::move(*drill));
  }
  std::sort(out.begin(), out.end(), [](const DrillSpec& a, const DrillSpec& b) { return a.name < b.name; });
  return out;
}

}  // namespace hale::config
