// Cron parsing and next-time computation; TZif time zones. Decisions: see cron.h.
#include "hale/time/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

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

// ---- TZif -----------------------------------------------------------------------------------

std::int64_t read_be(const std::string& b, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[pos + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

// POSIX TZ string pieces.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  std::optional<int> number() {
    std::size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i < 6) ++j;
    if (j == i) return std::nullopt;
    int v = 0;
    std::from_chars(s.data() + i, s.data() + j, v);
    i = j;
    return v;
  }
  bool name() {
    if (eat('<')) {
      while (!done() && peek() != '>') ++i;
      return eat('>');
    }
    std::size_t j = i;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    if (j - i < 3) return false;
    i = j;
    return true;
  }
  // [+-]hh[:mm[:ss]] in seconds (sign as written).
  std::optional<std::int32_t> time() {
    int sign = 1;
    if (eat('-')) sign = -1;
    else eat('+');
    auto h = number();
    if (!h) return std::nullopt;
    std::int32_t v = *h * 3600;
    if (eat(':')) {
      auto m = number();
      if (!m) return std::nullopt;
      v += *m * 60;
      if (eat(':')) {
        auto sec = number();
        if (!sec) return std::nullopt;
        v += *sec;
      }
    }
    return sign * v;
  }
};

std::optional<TimeZone::PosixRule::When> parse_when(Cursor& c) {
  TimeZone::PosixRule::When w;
  if (c.eat('M')) {
    auto m = c.number();
    if (!m || !c.eat('.')) return std::nullopt;
    auto wk = c.number();
    if (!wk || !c.eat('.')) return std::nullopt;
    auto d = c.number();
    if (!d || *m < 1 || *m > 12 || *wk < 1 || *wk > 5 || *d > 6) return std::nullopt;
    w.kind = 'M';
    w.month = *m;
    w.week = *wk;
    w.weekday = *d;
  } else if (c.eat('J')) {
    auto n = c.number();
    if (!n || *n < 1 || *n > 365) return std::nullopt;
    w.kind = 'J';
    w.day = *n;
  } else {
    auto n = c.number();
    if (!n || *n > 365) return std::nullopt;
    w.kind = 'D';
    w.day = *n;
  }
  if (c.eat('/')) {
    auto t = c.time();
    if (!t) return std::nullopt;
    w.time = *t;
  }
  return w;
}

// Local midnight-relative instant (seconds, local wall clock as if UTC) of a rule in year y.
std::int64_t when_local(const TimeZone::PosixRule::When& w, int y) {
  std::int64_t day_number;
  if (w.kind == 'M') {
    auto first = sys_days{year{y} / month{static_cast<unsigned>(w.month)} / day{1}};
    unsigned wd0 = weekday{first}.c_encoding();
    unsigned d = 1 + (static_cast<unsigned>(w.weekday) + 7 - wd0) % 7 + (w.week - 1) * 7;
    while (d > last_day(y, w.month)) d -= 7;
    day_number = days_of(y, w.month, d);
  } else {
    std::int64_t jan1 = days_of(y, 1, 1);
    int n = w.kind == 'J' ? w.day - 1 : w.day;
    if (w.kind == 'J' && year{y}.is_leap() && w.day >= 60) ++n;
    day_number = jan1 + n;
  }
  return day_number * kDay + w.time;
}

}  // namespace

std::optional<TimeZone::PosixRule> TimeZone::PosixRule::parse(std::string_view s) {
  Cursor c{s};
  PosixRule r;
  if (!c.name()) return std::nullopt;
  auto off = c.time();
  if (!off) return std::nullopt;
  r.std_offset = -*off;  // POSIX counts west of Greenwich as positive
  if (c.done()) return r;
  if (!c.name()) return std::nullopt;
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (c.peek() != ',' && !c.done()) {
    auto d = c.time();
    if (!d) return std::nullopt;
    r.dst_offset = -*d;
  }
  if (c.done()) {  // no rules: the US rules, as POSIX implementations assume
    r.start = When{'M', 3, 2, 0, 0, 7200};
    r.end = When{'M', 11, 1, 0, 0, 7200};
    return r;
  }
  if (!c.eat(',')) return std::nullopt;
  auto a = parse_when(c);
  if (!a || !c.eat(',')) return std::nullopt;
  auto b = parse_when(c);
  if (!b || !c.done()) return std::nullopt;
  r.start = *a;
  r.end = *b;
  return r;
}

std::int32_t TimeZone::PosixRule::offset_at(std::int64_t utc_seconds) const {
  if (!has_dst) return std_offset;
  std::int64_t local = utc_seconds + std_offset;
  std::int64_t days = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
  int y = static_cast<int>(year_month_day{sys_days{std::chrono::days{days}}}.year());
  std::int64_t start_utc = when_local(start, y) - std_offset;  // start is given in standard time
  std::int64_t end_utc = when_local(end, y) - dst_offset;      // end is given in summer time
  bool dst = start_utc < end_utc ? (utc_seconds >= start_utc && utc_seconds < end_utc)
                                 : !(utc_seconds >= end_utc && utc_seconds < start_utc);
  return dst ? dst_offset : std_offset;
}

TimeZone TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

StatusOr<TimeZone> TimeZone::load(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") {
    TimeZone z = utc();
    z.name_ = std::string(name);
    return z;
  }
  std::string n(name);
  bool valid = !n.empty() && n.front() != '/' && n.find("..") == std::string::npos &&
               std::all_of(n.begin(), n.end(), [](char ch) {
                 return std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' ||
                        ch == '-' || ch == '+';
               });
  if (!valid) return Status::error("time zone \"" + n + "\": not a time zone name such as Europe/Berlin");
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + n;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("unknown time zone \"" + n + "\": no file " + path);
  std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&] { return Status::error("time zone \"" + n + "\": " + path + " is not a TZif file"); };
  if (b.size() < 44 || b.compare(0, 4, "TZif") != 0) return bad();

  std::size_t pos = 0;
  int time_bytes = 4;
  auto counts = [&](std::size_t at, std::array<std::int64_t, 6>& c) {
    for (int i = 0; i < 6; ++i) c[i] = read_be(b, at + 20 + 4 * i, 4);
  };
  std::array<std::int64_t, 6> c{};  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  // Counts from the file are untrusted: bounded before any size is computed from them (a
  // corrupt or hostile file must be an error, never an out-of-bounds read).
  constexpr std::int64_t kMaxCount = 1 << 20;
  auto counts_sane = [&] {
    return std::all_of(c.begin(), c.end(), [](std::int64_t v) { return v >= 0 && v <= kMaxCount; });
  };
  counts(0, c);
  if (!counts_sane()) return bad();
  auto block_size = [&](int tb) {
    return c[3] * tb + c[3] + c[4] * 6 + c[5] + c[2] * (tb + 4) + c[1] + c[0];
  };
  if (b[4] >= '2') {
    pos = 44 + static_cast<std::size_t>(block_size(4));
    if (b.size() < pos + 44 || b.compare(pos, 4, "TZif") != 0) return bad();
    counts(pos, c);
    if (!counts_sane()) return bad();
    time_bytes = 8;
  }
  pos += 44;
  if (c[4] < 1 || b.size() < pos + static_cast<std::size_t>(block_size(time_bytes))) return bad();
  TimeZone z;
  z.name_ = n;
  std::vector<std::int32_t> type_offsets(static_cast<std::size_t>(c[4]));
  std::size_t types_at = pos + static_cast<std::size_t>(c[3] * time_bytes + c[3]);
  for (std::int64_t i = 0; i < c[4]; ++i) type_offsets[i] = static_cast<std::int32_t>(read_be(b, types_at + 6 * i, 4));
  for (std::int64_t i = 0; i < c[3]; ++i) {
    z.transitions_.push_back(read_be(b, pos + i * time_bytes, time_bytes));
    auto idx = static_cast<unsigned char>(b[pos + c[3] * time_bytes + i]);
    if (idx >= type_offsets.size()) return bad();
    z.offsets_.push_back(type_offsets[idx]);
  }
  z.initial_offset_ = type_offsets[0];
  if (time_bytes == 8) {
    std::size_t footer = pos + static_cast<std::size_t>(block_size(8));
    if (footer < b.size() && b[footer] == '\n') {
      auto end = b.find('\n', footer + 1);
      if (end != std::string::npos && end > footer + 1)
        z.rule_ = PosixRule::parse(std::string_view(b).substr(footer + 1, end - footer - 1));
    }
  }
  return z;
}

std::int32_t TimeZone::offset_at(std::int64_t utc_seconds) const {
  if (transitions_.empty()) return rule_ ? rule_->offset_at(utc_seconds) : initial_offset_;
  if (utc_seconds < transitions_.front()) return initial_offset_;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  auto idx = static_cast<std::size_t>(std::distance(transitions_.begin(), it)) - 1;
  if (idx + 1 == transitions_.size() && rule_) return rule_->offset_at(utc_seconds);
  return offsets_[idx];
}

std::vector<std::int64_t> TimeZone::to_utc(std::int64_t local_seconds) const {
  // Offsets are below a day, so the offsets in effect a day either side of the wall time
  // cover every instant that can show it (zones do not change twice within two days).
  std::array<std::int32_t, 3> candidates{offset_at(local_seconds - kDay), offset_at(local_seconds),
                                         offset_at(local_seconds + kDay)};
  std::vector<std::int64_t> out;
  for (auto o : candidates) {
    std::int64_t u = local_seconds - o;
    if (offset_at(u) == o && std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- parsing --------------------------------------------------------------------------------

namespace {

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
