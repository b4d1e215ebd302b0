// [heartbeats.NAME] (see heartbeat_table.h).
#include "hale/config/calendar_keys.h"
#include "hale/config/heartbeat_table.h"

#include <algorithm>
#include <array>

#include "hale/config/check_table.h"
#include "hale/config/degraded_keys.h"
#include "hale/config/levenshtein.h"
#include "hale/config/names.h"
#include "hale/config/toml_reader.h"
#include "hale/text/output_pattern.h"

namespace hale::config {

namespace {

constexpr std::size_t kMinPingTokenLength = 8;

constexpr std::array<std::string_view, 13> kHeartbeatKeys{
    "schedule",       "period",  "tz",       "grace",  "max_duration", "min_duration", "require_output",
    "fail_if_output_matches", "critical", "groups", "token", "description", "guard_code"};

void read_groups_key(const toml::node& v, HeartbeatSpec& h, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const auto* arr = read_array(v, "groups", d);
  if (arr == nullptr) return;
  std::vector<std::string> groups;
  for (const auto& item : *arr) {
    auto g = read_string(item, "groups", d);
    if (!g) return;
    if (!ctx.has_group(*g)) {
      std::string message = "unknown group \"" + *g + "\"";
      const auto names = ctx.group_names();
      if (auto guess = did_you_mean(*g, names)) message += "; did you mean \"" + *guess + "\"?";
      d.add(item, message + " (a custom group needs a [groups." + *g + "] table)");
      return;
    }
    if (std::find(groups.begin(), groups.end(), *g) == groups.end()) groups.push_back(*g);
  }
  h.groups = std::move(groups);
}

std::optional<HeartbeatSpec> read_heartbeat(std::string_view name, const toml::table& table, LoadContext& ctx) {
  Diagnostics& d = ctx.diagnostics();
  const std::size_t errors_before = d.size();
  HeartbeatSpec h;
  h.name = std::string(name);
  h.pos = position_of(table);
  if (auto problem = name_problem("heartbeat", name)) d.add(table, *problem);
  const toml::node* schedule_node = nullptr;
  const toml::node* period_node = nullptr;
  const toml::node* tz_node = nullptr;
  const toml::node* min_node = nullptr;
  std::optional<ReadSchedule> schedule;
  std::optional<TimeZone> tz;
  for (auto&& [k, v] : table) {
    const std::string_view key = k.str();
    if (key == "schedule") {
      schedule_node = &v;
      schedule = read_schedule(v, d);
    } else if (key == "period") {
      period_node = &v;
      if (auto p = read_duration(v, key, d, /*positive=*/true)) h.period = *p;
    } else if (key == "tz") {
      tz_node = &v;
      tz = read_time_zone(v, d);
    } else if (key == "grace") {
      if (auto g = read_duration(v, key, d)) h.grace = *g;
    } else if (key == "max_duration") {
      if (auto m = read_duration(v, key, d, /*positive=*/true)) h.max_duration = *m;
    } else if (key == "min_duration") {
      min_node = &v;
      if (auto m = read_duration(v, key, d, /*positive=*/true)) h.min_duration = *m;
    } else if (key == "require_output") {
      if (auto b = read_bool(v, key, d)) h.require_output = *b;
    } else if (key == "fail_if_output_matches") {
      auto text = read_nonempty_string(v, key, d);
      if (!text) continue;
      auto pattern = OutputPattern::compile(*text);
      if (!pattern) {
        d.add(v, "`fail_if_output_matches`: " + pattern.status().message());
        continue;
      }
      h.fail_if_output_matches = *text;
    } else if (key == "critical") {
      if (auto b = read_bool(v, key, d)) h.critical = *b;
    } else if (key == "groups") {
      read_groups_key(v, h, ctx);
    } else if (key == "token") {
      auto text = read_string(v, key, d);
      if (!text) continue;
      auto token = ctx.resolve_value(v, key, *text);
      if (!token) continue;
      if (token->empty()) {
        d.add(v, "`token` must not be empty; leave it out for pings without a token");
        continue;
      }
      // A short token is guessed quickly, and one under the redactor's minimum would not be
      // masked in logs.
      if (token->size() < kMinPingTokenLength) {
        d.add(v, "`token` must be at least " + std::to_string(kMinPingTokenLength) + " characters long");
        continue;
      }
      ctx.add_secret(*token);  // a ping token is a secret even when written inline
      h.token = std::move(*token);
    } else if (key == "description") {
      read_string(v, key, d);
    } else if (key == "guard_code") {
      if (auto code = read_guard_code(v, d)) h.guard_code = std::move(*code);
    } else {
      report_unknown_key(k, "in [heartbeats." + h.name + "]", kHeartbeatKeys, d);
    }
  }
  if (schedule_node == nullptr && period_node == nullptr) {
    d.add(table, "heartbeat \"" + h.name + "\" needs `schedule` (cron) or `period`");
  } else if (schedule_node != nullptr && period_node != nullptr) {
    d.add(*period_node, "`schedule` and `period` exclude each other; keep one");
  }
  if (tz_node != nullptr && schedule_node == nullptr) {
    d.add(*tz_node, "`tz` applies to `schedule` only (a `period` counts from each ping)");
  }
  if (h.min_duration && h.max_duration && *h.min_duration >= *h.max_duration) {
    d.add(*min_node, backticked("min_duration") + " (" + format_duration(*h.min_duration) +
                         ") must be less than " + backticked("max_duration") + " (" +
                         format_duration(*h.max_duration) + ")");
  }
  if (d.size() != errors_before) return std::nullopt;
  if (auto calendar = calendar_of(std::move(schedule), std::move(tz))) h.schedule = std::move(*calendar);
  if (h.guard_code.empty()) h.guard_code = default_guard_code(h.name);
  return h;
}

}  // namespace

std::vector<HeartbeatSpec> read_heartbeats(const toml::table& heartbeats, LoadContext& ctx) {
  std::vector<HeartbeatSpec> out;
  for (auto&& [k, v] : heartbeats) {
    const auto* table = read_table(v, "heartbeats." + std::string(k.str()), ctx.diagnostics());
    if (table == nullptr) continue;
    if (auto h = read_heartbeat(k.str(), *table, ctx)) out.push_back(std::move(*h));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace hale::config
