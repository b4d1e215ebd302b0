// Calendar (include/hale/calendar.h): a CronSchedule and a TimeZone, parsed together once.
#include "hale/calendar.h"

#include "hale/time/cron.h"
#include "hale/time/time_zone.h"

namespace hale {

struct Calendar::Parsed {
  CronSchedule cron;
  TimeZone zone;
};

StatusOr<Calendar> Calendar::parse(std::string_view cron, std::string_view tz) {
  auto schedule = parse_cron(cron);
  if (!schedule) {
    return Status::error("`schedule` \"" + std::string(cron) + "\": " + schedule.status().message());
  }
  auto zone = TimeZone::load(tz);
  if (!zone) return Status::error("`tz` \"" + std::string(tz) + "\": " + zone.status().message());
  Calendar c;
  c.parsed_ = std::make_shared<const Parsed>(Parsed{std::move(schedule).value(), std::move(zone).value()});
  c.cron_ = std::string(cron);
  c.tz_ = std::string(tz);
  return c;
}

std::string Calendar::describe() const { return empty() ? std::string() : cron_ + " (" + tz_ + ")"; }

std::optional<WallTime> Calendar::next_after(WallTime t) const {
  if (!parsed_) return std::nullopt;
  return parsed_->cron.next_after(t, parsed_->zone);
}

}  // namespace hale
