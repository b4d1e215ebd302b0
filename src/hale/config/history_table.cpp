// [history]: `enabled`, and the retention of each roll-up and of events. A retention shorter
// than its step (minutes under 1h, hours under 1d, days under 32d) would delete what the next
// level is rolled up from before it is: refused with the least it may be.
#include "hale/config/history_table.h"

#include <array>
#include <string_view>

#include "hale/config/toml_reader.h"

namespace hale::config {

namespace {

constexpr std::array<std::string_view, 5> kHistoryKeys{"enabled", "minutes", "hours", "days", "events"};

using std::chrono::hours;

void read_retention(const toml::node& v, std::string_view key, Duration least, std::string_view least_text,
                    Duration& out, Diagnostics& d) {
  auto r = read_duration(v, key, d, true);
  if (!r) return;
  if (*r < least) {
    d.add(v, "`" + std::string(key) + "` must be at least " + std::string(least_text) +
                 " (what the next roll-up is made from must still be there when it is made)");
    return;
  }
  out = *r;
}

}  // namespace

HistoryConfig read_history(const toml::table& table, Diagnostics& d) {
  HistoryConfig h;
  for (auto&& [k, v] : table) {
    const std::string_view key = k.str();
    if (key == "enabled") {
      if (auto b = read_bool(v, key, d)) h.enabled = *b;
    } else if (key == "minutes") {
      read_retention(v, key, hours(2), "2h", h.minutes, d);
    } else if (key == "hours") {
      read_retention(v, key, hours(48), "2d", h.hours, d);
    } else if (key == "days") {
      read_retention(v, key, hours(24 * 32), "32d", h.days, d);
    } else if (key == "events") {
      read_retention(v, key, hours(1), "1h", h.events, d);
    } else {
      report_unknown_key(k, "in [history]", kHistoryKeys, d);
    }
  }
  return h;
}

}  // namespace hale::config
