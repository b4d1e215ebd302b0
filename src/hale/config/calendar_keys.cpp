// `schedule` and `tz` (see calendar_keys.h).
#include "hale/config/calendar_keys.h"

#include <utility>

#include "hale/config/toml_reader.h"
#include "hale/time/calendar_parts.h"

namespace hale::config {

std::optional<ReadSchedule> read_schedule(const toml::node& v, Diagnostics& d) {
  auto text = read_nonempty_string(v, "schedule", d);
  if (!text) return std::nullopt;
  auto cron = parse_cron(*text);
  if (!cron) {
    d.add(v, "`schedule` \"" + *text + "\": " + cron.status().message());
    return std::nullopt;
  }
  return ReadSchedule{std::move(*text), std::move(cron).value()};
}

std::optional<TimeZone> read_time_zone(const toml::node& v, Diagnostics& d) {
  auto text = read_nonempty_string(v, "tz", d);
  if (!text) return std::nullopt;
  auto zone = TimeZone::load(*text);
  if (!zone) {
    d.add(v, "`tz` \"" + *text + "\" is not a time zone of the tz database (e.g. \"UTC\", \"Europe/Berlin\")");
    return std::nullopt;
  }
  return std::move(zone).value();
}

std::optional<Calendar> calendar_of(std::optional<ReadSchedule> schedule, std::optional<TimeZone> tz) {
  if (!schedule) return std::nullopt;
  return calendar_from(std::move(schedule->text), std::move(schedule->cron), tz ? std::move(*tz) : TimeZone::utc());
}

}  // namespace hale::config
