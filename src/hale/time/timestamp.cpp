// Reading and writing the dates of credentials (see timestamp.h).
#include "hale/time/timestamp.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace hale {

namespace {

using namespace std::chrono;

constexpr std::int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A left-to-right reader of fixed-width fields.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool next_is(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool eat(char c) {
    if (!next_is(c)) return false;
    ++i_;
    return true;
  }
  // Exactly `n` digits, as a number.
  bool digits(int n, int& out) {
    if (s_.size() - i_ < static_cast<std::size_t>(n)) return false;
    out = 0;
    for (int k = 0; k < n; ++k, ++i_) {
      if (!is_digit(s_[i_])) return false;
      out = out * 10 + (s_[i_] - '0');
    }
    return true;
  }
  // One digit or more: a fraction of a second, in nanoseconds (digits past the ninth dropped).
  bool fraction(std::int64_t& nanos) {
    const std::size_t start = i_;
    nanos = 0;
    std::int64_t scale = 100'000'000;
    for (; i_ < s_.size() && is_digit(s_[i_]); ++i_, scale /= 10) nanos += (s_[i_] - '0') * scale;
    return i_ > start;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// "Z", "+02:00", "+0200", "+02", "-05:30": minutes east of UTC. nullopt when malformed.
std::optional<int> read_offset(Cursor& c) {
  if (c.eat('Z') || c.eat('z')) return 0;
  int sign = 0;
  if (c.eat('+')) sign = 1;
  else if (c.eat('-')) sign = -1;
  else return std::nullopt;
  int hours = 0, mins = 0;
  if (!c.digits(2, hours)) return std::nullopt;
  if (c.eat(':')) {
    if (!c.digits(2, mins)) return std::nullopt;
  } else if (!c.done() && !c.digits(2, mins)) {
    return std::nullopt;
  }
  if (hours > 23 || mins > 59) return std::nullopt;
  return sign * (hours * 60 + mins);
}

}  // namespace

std::optional<ExpiryTime> from_epoch_number(double n) {
  if (!std::isfinite(n) || n < 0) return std::nullopt;
  const double secs = std::floor(n > kEpochMillisecondsAbove ? n / 1000 : n);
  if (secs > static_cast<double>(kMaxSeconds)) return std::nullopt;
  return ExpiryTime(seconds(static_cast<std::int64_t>(secs)));
}

namespace {

// parse_iso8601()'s forms, to the nanosecond: the whole seconds and the fraction after them.
struct Instant {
  ExpiryTime seconds;
  std::int64_t nanos = 0;
};

std::optional<Instant> read_iso8601(std::string_view text) {
  Cursor c(trim(text));
  int y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) return std::nullopt;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  int h = 0, mi = 0, s = 0, offset_minutes = 0;
  std::int64_t nanos = 0;
  if (!c.done()) {
    if (!c.eat('T') && !c.eat('t') && !c.eat(' ')) return std::nullopt;
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return std::nullopt;
    if (c.eat(':')) {
      if (!c.digits(2, s)) return std::nullopt;
      if ((c.eat('.') || c.eat(',')) && !c.fraction(nanos)) return std::nullopt;
    }
    if (!c.done()) {
      auto offset = read_offset(c);
      if (!offset || !c.done()) return std::nullopt;
      offset_minutes = *offset;
    }
  }
  // 60 seconds is a leap second (RFC 3339): it reads as the next minute's first second.
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  return Instant{ExpiryTime(sys_days(date)) + hours(h) + minutes(mi) + seconds(s) - minutes(offset_minutes), nanos};
}

}  // namespace

std::optional<ExpiryTime> parse_iso8601(std::string_view text) {
  const auto instant = read_iso8601(text);
  if (!instant) return std::nullopt;
  return instant->seconds;
}

std::optional<WallTime> parse_iso8601_instant(std::string_view text) {
  const auto instant = read_iso8601(text);
  if (!instant) return std::nullopt;
  // WallTime counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11.
  constexpr std::int64_t kMaxWallSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  const std::int64_t secs = instant->seconds.time_since_epoch().count();
  if (secs > kMaxWallSeconds || secs < -kMaxWallSeconds) return std::nullopt;
  return WallTime(std::chrono::seconds(secs)) + std::chrono::nanoseconds(instant->nanos);
}

std::optional<ExpiryTime> parse_timestamp_text(std::string_view text) {
  const std::string_view t = trim(text);
  const bool numeric = !t.empty() && is_digit(t.front()) && t.find_first_not_of("0123456789.") == std::string_view::npos;
  if (!numeric) return parse_iso8601(t);
  double n = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n, std::chars_format::fixed);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return from_epoch_number(n);
}

std::string format_expiry_time(ExpiryTime t) {
  const sys_days day = floor<days>(t);
  const year_month_day date{day};
  const hh_mm_ss<seconds> time{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

}  // namespace hale
