// Durations at the config edge: "250ms", "10s", "1m30s" <-> std::chrono (SPEC §1).
//
// The grammar is Prometheus's: whole numbers, each followed by a unit, units from largest to
// smallest and each at most once ("1h30m", never "30m1h" or "1.5h"). One spelling per value
// keeps configs diffable, and format_duration() writes exactly that spelling back.
// "us" and "ns" are accepted too, so that every Duration (nanoseconds) round-trips.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "hale/config.h"

namespace hale {

namespace {

struct Unit {
  std::string_view name;
  std::int64_t nanos;
};

// Largest first: both the order parse_duration() demands and the order format_duration() writes.
constexpr std::array<Unit, 7> kUnits{{
    {"d", 86'400'000'000'000},
    {"h", 3'600'000'000'000},
    {"m", 60'000'000'000},
    {"s", 1'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

std::optional<Duration> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into kUnits of the largest unit still allowed
  std::size_t i = 0;
  while (i < s.size()) {
    // A number: digits only, so "-1s", "+1s", " 1s" and "1.5s" all stop here.
    const std::size_t digits_at = i;
    std::int64_t value = 0;
    while (i < s.size() && is_digit(s[i])) {
      const int digit = s[i] - '0';
      if (value > (kMax - digit) / 10) return std::nullopt;  // overflow
      value = value * 10 + digit;
      ++i;
    }
    if (i == digits_at) return std::nullopt;
    // Its unit: the letters up to the next number ("m" and "ms" differ only by what follows).
    const std::size_t unit_at = i;
    while (i < s.size() && is_letter(s[i])) ++i;
    const std::string_view unit = s.substr(unit_at, i - unit_at);
    std::size_t u = next_unit;
    while (u < kUnits.size() && kUnits[u].name != unit) ++u;
    if (u == kUnits.size()) return std::nullopt;  // missing, unknown, repeated or out of order
    next_unit = u + 1;
    if (value > kMax / kUnits[u].nanos) return std::nullopt;
    const std::int64_t part = value * kUnits[u].nanos;
    if (total > kMax - part) return std::nullopt;
    total += part;
  }
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(total));
}

std::string format_duration(Duration d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  if (ns == 0) return "0s";
  std::string out;
  // Negative durations are never parsed; they are written with a sign only so that a log line
  // about a clock going backwards still says something true.
  std::uint64_t rest = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  if (ns < 0) out += '-';
  for (const Unit& unit : kUnits) {
    const auto size = static_cast<std::uint64_t>(unit.nanos);
    if (rest < size) continue;
    out += std::to_string(rest / size);
    out += unit.name;
    rest %= size;
  }
  return out;
}

}  // namespace hale
