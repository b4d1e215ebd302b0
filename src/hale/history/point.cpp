// Packing points: an index byte, a flags byte, then varints for what the flags say is there.
#include "hale/history/point.h"

#include <algorithm>
#include <cmath>

namespace hale::history {

namespace {

enum Flags : std::uint8_t {
  kLatency = 1,
  kFailures = 2,
  kDown = 4,
  kMaintenance = 8,
  kUpNotFull = 16,  // up_seconds is given (else the whole step was up)
};

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view in, std::size_t& at, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at >= in.size()) return false;
    const auto b = static_cast<std::uint8_t>(in[at++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Milliseconds as a count of 10 µs.
std::uint64_t to_ticks(double ms) { return ms <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(ms * 100)); }
double from_ticks(std::uint64_t t) { return static_cast<double>(t) / 100; }

std::uint32_t clamp32(std::uint64_t v) { return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, UINT32_MAX)); }

// Two parts of one step (before and after a restart of hale) as one.
void merge_into(Point& a, const Point& b) {
  const std::uint32_t n = a.count + b.count;
  if (b.has_latency) {
    if (!a.has_latency) {
      a.p50_ms = b.p50_ms;
      a.p95_ms = b.p95_ms;
    } else if (n > 0) {
      // Weighted by count: an estimate, as combine()'s.
      a.p50_ms = (a.p50_ms * a.count + b.p50_ms * b.count) / n;
      a.p95_ms = std::max(a.p95_ms, b.p95_ms);
    }
    a.max_ms = std::max(a.max_ms, b.max_ms);
    a.has_latency = true;
  }
  a.count = n;
  a.failures += b.failures;
  a.up_seconds += b.up_seconds;
  a.down_seconds += b.down_seconds;
  a.maintenance_seconds += b.maintenance_seconds;
}

// The count-weighted `q` quantile of (value, weight) pairs.
double weighted_quantile(std::vector<std::pair<double, std::uint32_t>>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::uint64_t total = 0;
  for (const auto& [x, w] : v) total += std::max<std::uint32_t>(w, 1);
  const double rank = std::ceil(q * static_cast<double>(total));
  std::uint64_t seen = 0;
  for (const auto& [x, w] : v) {
    seen += std::max<std::uint32_t>(w, 1);
    if (static_cast<double>(seen) >= rank) return x;
  }
  return v.back().first;
}

}  // namespace

std::int64_t unix_seconds(WallTime t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string_view to_string(Level l) {
  switch (l) {
    case Level::kMinute: return "minute";
    case Level::kHour: return "hour";
    case Level::kDay: return "day";
  }
  return "minute";
}

std::optional<Level> parse_level(std::string_view s) {
  for (Level l : kLevels) {
    if (to_string(l) == s) return l;
  }
  return std::nullopt;
}

void append_point(std::string& pack, const Point& p, Level level, std::int64_t pack_start) {
  const std::int64_t index = (p.t - pack_start) / step_seconds(level);
  pack.push_back(static_cast<char>(std::clamp<std::int64_t>(index, 0, 255)));
  std::uint8_t flags = 0;
  if (p.has_latency) flags |= kLatency;
  if (p.failures) flags |= kFailures;
  if (p.down_seconds) flags |= kDown;
  if (p.maintenance_seconds) flags |= kMaintenance;
  if (p.up_seconds != step_seconds(level)) flags |= kUpNotFull;
  pack.push_back(static_cast<char>(flags));
  put_varint(pack, p.count);
  if (flags & kFailures) put_varint(pack, p.failures);
  if (flags & kLatency) {
    put_varint(pack, to_ticks(p.p50_ms));
    put_varint(pack, to_ticks(p.p95_ms));
    put_varint(pack, to_ticks(p.max_ms));
  }
  if (flags & kUpNotFull) put_varint(pack, p.up_seconds);
  if (flags & kDown) put_varint(pack, p.down_seconds);
  if (flags & kMaintenance) put_varint(pack, p.maintenance_seconds);
}

std::vector<Point> decode_pack(std::string_view pack, Level level, std::int64_t pack_start) {
  std::vector<Point> out;
  out.reserve(std::min<std::size_t>(pack.size() / 3 + 1, 64));
  bool ordered = true;  // points are appended in time order, but for a clock that went back
  std::size_t at = 0;
  const std::int64_t step = step_seconds(level);
  const std::int64_t slots = pack_seconds(level) / step;
  while (at + 2 <= pack.size()) {
    const auto index = static_cast<std::uint8_t>(pack[at]);
    const auto flags = static_cast<std::uint8_t>(pack[at + 1]);
    if (index >= slots || flags >= 32) break;
    at += 2;
    Point p;
    p.t = pack_start + index * step;
    std::uint64_t v = 0;
    if (!get_varint(pack, at, v)) break;
    p.count = clamp32(v);
    if (flags & kFailures) {
      if (!get_varint(pack, at, v)) break;
      p.failures = clamp32(v);
    }
    if (flags & kLatency) {
      std::uint64_t a = 0, b = 0, c = 0;
      if (!get_varint(pack, at, a) || !get_varint(pack, at, b) || !get_varint(pack, at, c)) break;
      p.p50_ms = from_ticks(a);
      p.p95_ms = from_ticks(b);
      p.max_ms = from_ticks(c);
      p.has_latency = true;
    }
    p.up_seconds = static_cast<std::uint32_t>(step);
    if (flags & kUpNotFull) {
      if (!get_varint(pack, at, v)) break;
      p.up_seconds = clamp32(v);
    }
    if (flags & kDown) {
      if (!get_varint(pack, at, v)) break;
      p.down_seconds = clamp32(v);
    }
    if (flags & kMaintenance) {
      if (!get_varint(pack, at, v)) break;
      p.maintenance_seconds = clamp32(v);
    }
    if (!out.empty() && out.back().t == p.t) {
      merge_into(out.back(), p);
    } else {
      if (!out.empty() && out.back().t > p.t) ordered = false;
      out.push_back(p);
    }
  }
  if (!ordered) {
    std::stable_sort(out.begin(), out.end(), [](const Point& a, const Point& b) { return a.t < b.t; });
    std::vector<Point> merged;
    merged.reserve(out.size());
    for (const Point& p : out) {
      if (!merged.empty() && merged.back().t == p.t) {
        merge_into(merged.back(), p);
      } else {
        merged.push_back(p);
      }
    }
    out = std::move(merged);
  }
  return out;
}

Point combine(std::span<const Point> points, std::int64_t t) {
  Point out;
  out.t = t;
  std::vector<std::pair<double, std::uint32_t>> p50s, p95s;
  for (const Point& p : points) {
    out.count += p.count;
    out.failures += p.failures;
    out.up_seconds += p.up_seconds;
    out.down_seconds += p.down_seconds;
    out.maintenance_seconds += p.maintenance_seconds;
    if (p.has_latency) {
      out.has_latency = true;
      out.max_ms = std::max(out.max_ms, p.max_ms);
      p50s.emplace_back(p.p50_ms, p.count);
      p95s.emplace_back(p.p95_ms, p.count);
    }
  }
  if (out.has_latency) {
    out.p50_ms = weighted_quantile(p50s, 0.5);
    out.p95_ms = weighted_quantile(p95s, 0.95);
  }
  return out;
}

double combined_p50(std::span<const Point> points) {
  std::vector<std::pair<double, std::uint32_t>> p50s;
  p50s.reserve(points.size());
  for (const Point& p : points) {
    if (p.has_latency) p50s.emplace_back(p.p50_ms, p.count);
  }
  return weighted_quantile(p50s, 0.5);
}

double percentile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

}  // namespace hale::history
