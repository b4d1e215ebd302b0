// Calendar (include/hale/calendar.h): a CronSchedule and a TimeZone, parsed together once.
#include "hale/calendar.h"

#include "hale/time/calendar_parts.h"

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
  return calendar_from(std::string(cron), std::move(schedule).value(), std::move(zone).value());
}

Calendar calendar_from(std::string cron, CronSchedule schedule, TimeZone zone) {
  Calendar c;
  c.cron_ = std::move(cron);
  c.tz_ = zone.name();
  c.parsed_ = std::make_shared<const Calendar::Parsed>(Calendar::Parsed{std::move(schedule), std::move(zone)});
  return c;
}

std::string Calendar::describe() const { return empty() ? std::string() : cron_ + " (" + tz_ + ")"; }

std::optional<WallTime> Calendar::next_after(WallTime t) const {
  if (!parsed_) return std::nullopt;
  return parsed_->cron.next_after(t, parsed_->zone);
}

}  // namespace hale
