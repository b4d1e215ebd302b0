// HeartbeatSpec -> HeartbeatPolicy (see heartbeat_policy.h).
#include "hale/heartbeat/heartbeat_policy.h"

#include "hale/text/output_pattern.h"

namespace hale {

StatusOr<HeartbeatPolicy> make_heartbeat_policy(const HeartbeatSpec& spec) {
  HeartbeatPolicy p;
  if (spec.period) {
    const Duration period = *spec.period;
    p.next_expected = [period](WallTime after) -> std::optional<WallTime> {
      return after + std::chrono::duration_cast<WallTime::duration>(period);
    };
  } else {
    // Parsed when the config was loaded. A spec built by hand with neither is refused (the
    // heartbeat is then reported unavailable), as the loader refuses such a table.
    if (spec.schedule.empty()) return Status::error("needs `schedule` (cron) or `period`");
    p.next_expected = [schedule = spec.schedule](WallTime after) { return schedule.next_after(after); };
  }
  p.grace = spec.grace;
  p.max_duration = spec.max_duration;
  p.min_duration = spec.min_duration;
  p.require_output = spec.require_output;
  if (spec.fail_if_output_matches) {
    auto pattern = OutputPattern::compile(*spec.fail_if_output_matches);
    if (!pattern) return Status::error("`fail_if_output_matches`: " + pattern.status().message());
    p.output_matches = [pattern = std::move(pattern).value()](std::string_view output) {
      return pattern.first_matching_line(output);
    };
  }
  return p;
}

std::string describe_schedule(const HeartbeatSpec& spec) {
  if (spec.period) return "every " + format_duration(*spec.period);
  return spec.schedule.describe();
}

}  // namespace hale
