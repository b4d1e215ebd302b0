// [[alerts]] and [[silences]] (see alert_table.h): each table's keys at their values, then what
// needs the whole table (a literal `match` name against `kind`, the required keys).
#include "hale/config/calendar_keys.h"
#include "hale/config/alert_table.h"

#include <algorithm>
#include <array>
#include <climits>
#include <string>

#include "hale/config/levenshtein.h"
#include "hale/config/toml_reader.h"
#include "hale/config/word_list.h"

namespace hale::config {

namespace {

constexpr std::array<std::string_view, 10> kAlertKeys{"match",  "kind",     "notify",   "on",          "after",
                                                      "repeat", "resolved", "flapping", "description", "group_wait"};
constexpr std::array<std::string_view, 2> kFlappingKeys{"max_changes", "window"};
constexpr std::array<std::string_view, 6> kSilenceKeys{"match", "kind", "schedule", "tz", "duration", "comment"};

// The statuses that alert, in the order a rule keeps them.
constexpr std::array<Word<Health>, 2> kOnWords{{
    {"fail", Health::kFail},
    {"degraded", Health::kDegraded},
}};

// The tables of an array of tables. `[alerts]` written as one table is the likely slip.
std::vector<const toml::table*> tables_of(const toml::node& v, std::string_view key, Diagnostics& d) {
  const std::string name(key);
  const auto* list = v.as_array();
  if (list == nullptr) {
    d.add(v, "`" + name + "` must be an array of tables: write [[" + name + "]]");
    return {};
  }
  std::vector<const toml::table*> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (const auto* t = read_table(*list->get(i), name + "[" + std::to_string(i) + "]", d)) out.push_back(t);
  }
  return out;
}

// `notify`: every name a [notifiers.NAME] of the file, in the order written, once each.
std::optional<std::vector<std::string>> read_notify(const toml::node& v, const NameSet& notifiers, Diagnostics& d) {
  auto entries = read_string_or_list(v, "notify", "notifier", d);
  if (!entries) return std::nullopt;
  const std::vector<std::string_view> known(notifiers.begin(), notifiers.end());
  std::vector<std::string> out;
  bool ok = true;
  for (TextAt& e : *entries) {
    if (notifiers.count(e.text) == 0) {
      std::string message = "unknown notifier \"" + e.text + "\"";
      if (auto guess = did_you_mean(e.text, known)) {
        message += "; did you mean \"" + *guess + "\"?";
      } else {
        message += " (no [notifiers." + e.text + "] table)";
      }
      d.add(*e.node, std::move(message));
      ok = false;
      continue;
    }
    if (std::find(out.begin(), out.end(), e.text) == out.end()) out.push_back(std::move(e.text));
  }
  if (!ok) return std::nullopt;
  return out;
}

// `on`: fail, degraded or both, kept in that order (reordering them in the file is no change).
std::optional<std::vector<Health>> read_on(const toml::node& v, Diagnostics& d) {
  auto entries = read_string_or_list(v, "on", "status", d);
  if (!entries) return std::nullopt;
  std::vector<Health> written;
  bool ok = true;
  for (const TextAt& e : *entries) {
    if (e.text == "ok" || e.text == "resolved") {
      // A recovery is not a status that alerts: it ends one.
      d.add(*e.node, "`on`: \"" + e.text + "\" is not a status that alerts (fail, degraded); recoveries are sent "
                     "with `resolved = true`");
      ok = false;
      continue;
    }
    auto status = read_word(*e.node, "on", kOnWords, d);
    if (!status) {
      ok = false;
      continue;
    }
    written.push_back(*status);
  }
  if (!ok) return std::nullopt;
  std::vector<Health> out;
  for (const auto& w : kOnWords) {
    if (std::find(written.begin(), written.end(), w.value) != written.end()) out.push_back(w.value);
  }
  return out;
}

std::optional<FlapPolicy> read_flapping(const toml::node& v, Diagnostics& d) {
  const auto* table = read_table(v, "flapping", d);
  if (table == nullptr) return std::nullopt;
  const std::size_t errors_before = d.size();
  FlapPolicy policy;
  for (auto&& [k, value] : *table) {
    const std::string name = "flapping." + std::string(k.str());
    if (k.str() == "max_changes") {
      if (auto n = read_integer(value, name, 0, INT_MAX, d)) policy.max_changes = static_cast<int>(*n);
    } else if (k.str() == "window") {
      if (auto w = read_duration(value, name, d, /*positive=*/true)) policy.window = *w;
    } else {
      report_unknown_key(k, "in `flapping`", kFlappingKeys, d);
    }
  }
  if (d.size() != errors_before) return std::nullopt;
  return policy;
}

// `match` and `kind`, which a rule and a silence both have: read where they stand, checked
// against each other once the whole table is read.
struct SubjectKeys {
  std::optional<std::vector<TextAt>> match;
  bool kinds_read = true;

  // True when `key` is one of the two (read into `kinds` when it is `kind`).
  bool read(std::string_view key, const toml::node& v, std::vector<SubjectKind>& kinds, Diagnostics& d) {
    if (key == "match") {
      match = read_match(v, d);
      return true;
    }
    if (key == "kind") {
      auto read = read_kinds(v, d);
      kinds_read = read.has_value();
      if (read) kinds = std::move(*read);
      return true;
    }
    return false;
  }

  // The match list as written; literal names checked against `kinds` (with a broken `kind`,
  // which names would be right is unknown: one error is enough).
  void finish(std::vector<std::string>& match_out, const std::vector<SubjectKind>& kinds, const SubjectNames& subjects,
              Diagnostics& d) const {
    if (!match) return;
    match_out.clear();
    for (const TextAt& e : *match) match_out.push_back(e.text);
    if (kinds_read) check_match_names(*match, kinds, subjects, d);
  }
};

std::optional<AlertRuleSpec> read_rule(const toml::table& table, const SubjectNames& subjects,
                                       const NameSet& notifiers, Diagnostics& d) {
  const std::size_t errors_before = d.size();
  AlertRuleSpec rule;
  rule.pos = position_of(table);
  SubjectKeys subject_keys;
  bool has_notify = false;
  for (auto&& [k, v] : table) {
    const std::string_view key = k.str();
    if (subject_keys.read(key, v, rule.kinds, d)) continue;
    if (key == "notify") {
      has_notify = true;
      if (auto notify = read_notify(v, notifiers, d)) rule.notify = std::move(*notify);
    } else if (key == "on") {
      if (auto on = read_on(v, d)) rule.on = std::move(*on);
    } else if (key == "after") {
      if (auto after = read_duration(v, key, d)) rule.after = *after;
    } else if (key == "group_wait") {
      if (auto wait = read_duration(v, key, d)) rule.group_wait = *wait;
    } else if (key == "repeat") {
      if (auto repeat = read_duration(v, key, d)) rule.repeat = *repeat;
    } else if (key == "resolved") {
      if (auto resolved = read_bool(v, key, d)) rule.resolved = *resolved;
    } else if (key == "flapping") {
      if (auto flapping = read_flapping(v, d)) rule.flapping = *flapping;
    } else if (key == "description") {
      read_string(v, key, d);
    } else {
      report_unknown_key(k, "in [[alerts]]", kAlertKeys, d);
    }
  }
  subject_keys.finish(rule.match, rule.kinds, subjects, d);
  if (!has_notify) d.add(table, "an [[alerts]] rule needs `notify` (the [notifiers.NAME] to send to)");
  if (d.size() != errors_before) return std::nullopt;
  return rule;
}

std::optional<SilenceSpec> read_silence(const toml::table& table, const SubjectNames& subjects, Diagnostics& d) {
  const std::size_t errors_before = d.size();
  SilenceSpec silence;
  silence.pos = position_of(table);
  SubjectKeys subject_keys;
  bool has_schedule = false;
  bool has_duration = false;
  std::optional<ReadSchedule> schedule;
  std::optional<TimeZone> tz;
  for (auto&& [k, v] : table) {
    const std::string_view key = k.str();
    if (subject_keys.read(key, v, silence.kinds, d)) continue;
    if (key == "schedule") {
      has_schedule = true;
      // The same parser, and so the same messages, as a heartbeat's schedule.
      schedule = read_schedule(v, d);
    } else if (key == "tz") {
      tz = read_time_zone(v, d);
    } else if (key == "duration") {
      has_duration = true;
      if (auto duration = read_duration(v, key, d, /*positive=*/true)) silence.duration = *duration;
    } else if (key == "comment") {
      if (auto comment = read_string(v, key, d)) silence.comment = std::move(*comment);
    } else {
      report_unknown_key(k, "in [[silences]]", kSilenceKeys, d);
    }
  }
  subject_keys.finish(silence.match, silence.kinds, subjects, d);
  if (!has_schedule) d.add(table, "a [[silences]] window needs `schedule` (a cron expression: when it opens)");
  if (!has_duration) d.add(table, "a [[silences]] window needs `duration` (how long it stays open)");
  if (d.size() != errors_before) return std::nullopt;
  if (auto calendar = calendar_of(std::move(schedule), std::move(tz))) silence.schedule = std::move(*calendar);
  return silence;
}

}  // namespace

std::vector<AlertRuleSpec> read_alerts(const toml::node& alerts, const SubjectNames& subjects,
                                       const NameSet& notifiers, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  std::vector<AlertRuleSpec> out;
  for (const toml::table* table : tables_of(alerts, "alerts", d)) {
    if (auto rule = read_rule(*table, subjects, notifiers, d)) out.push_back(std::move(*rule));
  }
  return out;
}

std::vector<SilenceSpec> read_silences(const toml::node& silences, const SubjectNames& subjects, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  std::vector<SilenceSpec> out;
  for (const toml::table* table : tables_of(silences, "silences", d)) {
    if (auto silence = read_silence(*table, subjects, d)) out.push_back(std::move(*silence));
  }
  return out;
}

}  // namespace hale::config
