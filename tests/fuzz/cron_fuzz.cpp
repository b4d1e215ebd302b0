// Cron schedules and time zones (SPEC §5 `schedule` and `tz`): "CRON\nZONE". Calendar::parse
// is what the config loader, silences and drills use; a calendar that parses must then answer
// next_after() from instants around the DST changes of 2026 in Europe, each answer a whole
// minute strictly after the instant (or none, for a date that never comes: `0 0 30 2 *`).
#include <chrono>

#include "fuzz_support.h"
#include "hale/calendar.h"

namespace {

using namespace std::chrono;

hale::WallTime at(sys_seconds s) { return hale::WallTime(duration_cast<hale::WallTime::duration>(s.time_since_epoch())); }

// Before the spring gap and the autumn repeat of 2026 in the EU (01:00Z both), and an ordinary
// day; an unrestricted zone name meets them as UTC.
const hale::WallTime kInstants[] = {
    at(sys_days{2026y / March / 29} + 0h + 30min),
    at(sys_days{2026y / October / 25} + 0h + 30min),
    at(sys_days{2026y / June / 1} + 12h + 34min + 56s),
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [cron, tz] = hale::fuzz::split_line(hale::fuzz::as_text(data, size));
  auto calendar = hale::Calendar::parse(cron, tz);
  if (!calendar) {
    if (calendar.status().message().empty()) hale::fuzz::fail();
    return 0;
  }
  if (calendar->empty() || calendar->describe().empty()) hale::fuzz::fail();
  for (const hale::WallTime t : kInstants) {
    const std::optional<hale::WallTime> next = calendar->next_after(t);
    if (!next) continue;
    if (*next <= t || next->time_since_epoch() % minutes(1) != hale::WallTime::duration::zero()) hale::fuzz::fail();
  }
  return 0;
}
