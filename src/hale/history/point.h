// One point of a subject's history (SPEC §10): what happened in one minute, hour or day. The
// results (count, failures, latency p50/p95/max; a heartbeat's are its runs and their
// durations) and the time accounting (seconds up, down and under maintenance; the rest of the
// span is unknown: hale was not running or had no result yet).
//
// Points are stored packed: the points of one hour (60 minutes), one day (24 hours) or one
// 32-day block (32 days) of one subject are one BLOB, each point its index in the pack and a
// few varints (8 bytes for a quiet minute). A year of rollups for 10,000 checks is then well
// under SPEC §8's 1 GB (docs/history.md has the figures); one row per point was twice that.
// Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hale/clock.h"

namespace hale::history {

// Unix seconds of `t` (rounded down).
std::int64_t unix_seconds(WallTime t);

enum class Level : int { kMinute = 0, kHour = 1, kDay = 2 };
inline constexpr Level kLevels[] = {Level::kMinute, Level::kHour, Level::kDay};

// Seconds one point of `level` spans, and seconds one pack of them spans.
constexpr std::int64_t step_seconds(Level l) {
  return l == Level::kMinute ? 60 : l == Level::kHour ? 3600 : 86400;
}
constexpr std::int64_t pack_seconds(Level l) {
  return l == Level::kMinute ? 3600 : l == Level::kHour ? 86400 : 32 * 86400;
}
// The start of the point / pack of `level` that holds the instant `t` (unix seconds).
constexpr std::int64_t floor_to(std::int64_t t, std::int64_t span) {
  return t >= 0 ? t - t % span : t - ((t % span) + span) % span;
}
std::string_view to_string(Level l);
std::optional<Level> parse_level(std::string_view s);

struct Point {
  std::int64_t t = 0;  // start, unix seconds
  std::uint32_t count = 0;
  std::uint32_t failures = 0;
  // Latency of the results (a heartbeat: run durations), in milliseconds; all 0 when no result
  // had one. Stored to 10 µs.
  double p50_ms = 0;
  double p95_ms = 0;
  double max_ms = 0;
  bool has_latency = false;
  std::uint32_t up_seconds = 0;
  std::uint32_t down_seconds = 0;
  std::uint32_t maintenance_seconds = 0;
  bool operator==(const Point&) const = default;
};

// Appends `p` (whose t lies in the pack starting at `pack_start`) to a pack's bytes.
void append_point(std::string& pack, const Point& p, Level level, std::int64_t pack_start);
// The points of a pack, in index order; points with the same index (hale restarted within a
// minute: the part before and the part after) are merged. Bytes that cannot be read end the
// list (what came before them is kept).
std::vector<Point> decode_pack(std::string_view pack, Level level, std::int64_t pack_start);

// `points` of a finer level as one point starting at `t`: sums, the max of max, and the
// count-weighted median of the p50s and 95th percentile of the p95s (an estimate: the
// underlying results are not kept; docs/history.md).
Point combine(std::span<const Point> points, std::int64_t t);

// combine(points).p50_ms alone, without the rest (the overview's hourly latencies).
double combined_p50(std::span<const Point> points);

// Percentile `q` (0..1) of `samples` by the nearest-rank method (sorted in place).
double percentile(std::vector<double>& samples, double q);

}  // namespace hale::history
