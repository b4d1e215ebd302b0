// `schedule` and `tz` (see calendar_keys.h).
#include "hale/config/calendar_keys.h"

#include "hale/config/toml_reader.h"
#include "hale/time/cron.h"

namespace hale::config {

std::optional<std::string> read_schedule(const toml::node& v, Diagnostics& d) {
  auto text = read_nonempty_string(v, "schedule", d);
  if (!text) return std::nullopt;
  if (auto cron = parse_cron(*text); !cron) {
    d.add(v, "`schedule` \"" + *text + "\": " + cron.status().message());
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> read_time_zone(const toml::node& v, Diagnostics& d) {
  auto text = read_nonempty_string(v, "tz", d);
  if (!text) return std::nullopt;
  if (!TimeZone::load(*text)) {
    d.add(v, "`tz` \"" + *text + "\" is not a time zone of the tz database (e.g. \"UTC\", \"Europe/Berlin\")");
    return std::nullopt;
  }
  return text;
}

std::optional<Calendar> calendar_of(const std::optional<std::string>& schedule, const std::optional<std::string>& tz) {
  if (!schedule) return std::nullopt;
  auto calendar = Calendar::parse(*schedule, tz.value_or("UTC"));
  if (!calendar) return std::nullopt;
  return std::move(calendar).value();
}

}  // namespace hale::config
