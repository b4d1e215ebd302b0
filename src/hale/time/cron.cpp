// Cron parsing and next-time computation. Decisions: see cron.h.
#include "hale/time/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <variant>

namespace hale {
namespace {

using namespace std::chrono;

constexpr std::int64_t kDay = 86400;

std::int64_t days_of(int y, unsigned m, unsigned d) {
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

unsigned last_day(int y, unsigned m) {
  return static_cast<unsigned>((year{y} / month{m} / std::chrono::last).day());
}


// ---- parsing --------------------------------------------------------------------------------

struct FieldSpec {
  const char* name;
  int min, max;
  const char* const* names;  // names[i] is value (i + names_base), or nullptr
  int names_base;
  const char* expected;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, "expected a number"},
    {"hour", 0, 23, nullptr, 0, "expected a number"},
    {"day-of-month", 1, 31, nullptr, 0, "expected a number"},
    {"month", 1, 12, kMonthNames, 1, "expected a number or a month name (JAN-DEC)"},
    {"day-of-week", 0, 7, kDayNames, 0, "expected a number or a day name (SUN-SAT)"},
};

Status field_error(const FieldSpec& f, std::string_view item, const std::string& problem) {
  return Status::error(std::string(f.name) + " field \"" + std::string(item) + "\": " + problem);
}

std::string range_text(const FieldSpec& f) {
  return std::to_string(f.min) + "-" + std::to_string(f.max);
}

// A value: digits or a name. Returns the value or an error message.
std::variant<int, std::string> parse_value(const FieldSpec& f, std::string_view s) {
  if (s.empty()) return std::string(f.expected);
  if (std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || v < f.min || v > f.max) return "value out of range " + range_text(f);
    return v;
  }
  if (f.names && s.size() == 3) {
    std::string up;
    for (char c : s) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int i = 0; f.names[i]; ++i)
      if (up == f.names[i]) return i + f.names_base;
  }
  return std::string(f.expected);
}

template <std::size_t N>
Status parse_field(const FieldSpec& f, std::string_view text, std::bitset<N>& bits) {
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) return field_error(f, text, "empty list item");
    std::string_view range = item;
    int step = 1;
    bool stepped = false;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view st = item.substr(slash + 1);
      range = item.substr(0, slash);
      int v = 0;
      auto [p, ec] = std::from_chars(st.data(), st.data() + st.size(), v);
      if (st.empty() || ec != std::errc() || p != st.data() + st.size() || v < 1)
        return field_error(f, item, "step must be a positive number");
      // A step wider than the field can only ever hit its first value; capping it also keeps
      // `v += step` below from overflowing.
      step = std::min(v, f.max + 1);
      stepped = true;
    }
    int lo, hi;
    if (range == "*") {
      lo = f.min;
      hi = f.max;
    } else {
      auto dash = range.find('-');
      auto a = parse_value(f, range.substr(0, dash));
      if (auto* e = std::get_if<std::string>(&a)) return field_error(f, item, *e);
      lo = std::get<int>(a);
      if (dash != std::string_view::npos) {
        auto b = parse_value(f, range.substr(dash + 1));
        if (auto* e = std::get_if<std::string>(&b)) return field_error(f, item, *e);
        hi = std::get<int>(b);
        if (&f == &kFields[4] && hi == 0 && lo > 0) hi = 7;  // FRI-SUN: Sunday as 7
        if (lo > hi)
          return field_error(f, item, "range start " + std::to_string(lo) + " is after its end " + std::to_string(hi));
      } else {
        hi = stepped ? f.max : lo;  // "10/5" means 10-max/5, as croniter reads it
      }
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<std::size_t>(&f == &kFields[4] ? v % 7 : v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return Status::ok();
}

}  // namespace

StatusOr<CronSchedule> parse_cron(std::string_view expr) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < expr.size()) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    std::size_t j = i;
    while (j < expr.size() && !std::isspace(static_cast<unsigned char>(expr[j]))) ++j;
    if (j > i) parts.push_back(expr.substr(i, j - i));
    i = j;
  }
  if (parts.empty()) return Status::error("cron expression is empty");
  if (parts.size() == 1 && parts[0].front() == '@') {
    std::string m;
    for (char c : parts[0]) m += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (m == "@yearly" || m == "@annually") return parse_cron("0 0 1 1 *");
    if (m == "@monthly") return parse_cron("0 0 1 * *");
    if (m == "@weekly") return parse_cron("0 0 * * 0");
    if (m == "@daily" || m == "@midnight") return parse_cron("0 0 * * *");
    if (m == "@hourly") return parse_cron("0 * * * *");
    return Status::error("unknown cron macro \"" + std::string(parts[0]) +
                         "\": expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly");
  }
  if (parts.size() != 5)
    return Status::error("cron expression \"" + std::string(expr) + "\" has " + std::to_string(parts.size()) +
                         " fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily");
  CronSchedule s;
  if (auto st = parse_field(kFields[0], parts[0], s.minutes); !st) return st;
  if (auto st = parse_field(kFields[1], parts[1], s.hours); !st) return st;
  if (auto st = parse_field(kFields[2], parts[2], s.days_of_month); !st) return st;
  if (auto st = parse_field(kFields[3], parts[3], s.months); !st) return st;
  if (auto st = parse_field(kFields[4], parts[4], s.days_of_week); !st) return st;
  s.dom_restricted = s.days_of_month.count() != 31;
  s.dow_restricted = !s.days_of_week.all();
  return s;
}

// ---- matching -------------------------------------------------------------------------------

bool CronSchedule::day_matches(int y, unsigned m, unsigned d) const {
  if (!months.test(m)) return false;
  bool dom = days_of_month.test(d);
  bool dow = days_of_week.test(weekday{sys_days{year{y} / month{m} / day{d}}}.c_encoding());
  if (dom_restricted && dow_restricted) return dom || dow;
  return dom && dow;
}

bool CronSchedule::matches(int y, unsigned m, unsigned d, int h, int min) const {
  return day_matches(y, m, d) && hours.test(static_cast<std::size_t>(h)) && minutes.test(static_cast<std::size_t>(min));
}

std::optional<WallTime> CronSchedule::next_after(WallTime t, const TimeZone& tz) const {
  // Instants that fire are the first occurrence of a matching local minute. Among those,
  // local time grows with the instant, so walking local minutes upwards from the wall time
  // at t finds the answer: the first whose first occurrence is after t.
  std::int64_t ts = floor<seconds>(t).time_since_epoch().count();
  std::int64_t local = ts + tz.offset_at(ts);
  std::int64_t local_day = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
  std::int64_t in_day = local - local_day * kDay;
  year_month_day ymd{sys_days{std::chrono::days{local_day}}};
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month());
  unsigned d = static_cast<unsigned>(ymd.day());
  int start_h = static_cast<int>(in_day / 3600);
  int start_min = static_cast<int>(in_day % 3600 / 60);
  const int last_year = y + kSearchYears;
  bool first_day = true;
  while (y <= last_year) {
    if (!months.test(m)) {  // skip the whole month
      d = 1;
      if (++m > 12) m = 1, ++y;
      first_day = false;
      continue;
    }
    if (day_matches(y, m, d)) {
      std::int64_t day_start = days_of(y, m, d) * kDay;
      for (int h = first_day ? start_h : 0; h < 24; ++h) {
        if (!hours.test(static_cast<std::size_t>(h))) continue;
        for (int mi = (first_day && h == start_h) ? start_min : 0; mi < 60; ++mi) {
          if (!minutes.test(static_cast<std::size_t>(mi))) continue;
          auto utc = tz.to_utc(day_start + h * 3600 + mi * 60);
          if (utc.empty()) continue;  // in a spring-forward gap: skipped
          WallTime u{std::chrono::seconds{utc.front()}};  // a repeated time fires once, first
          if (u > t) return u;
        }
      }
    }
    first_day = false;
    if (++d > last_day(y, m)) {
      d = 1;
      if (++m > 12) m = 1, ++y;
    }
  }
  return std::nullopt;
}

}  // namespace hale
