// Classifies the end of a delivery attempt (see delivery_outcome.h): HTTP statuses and curl
// errors, SMTP replies, an exec child's exit, and an Alertmanager cluster's members together.
#include "hale/alert/delivery_outcome.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include <fmt/format.h>

#include "hale/net/curl_errors.h"
#include "hale/service_view.h"

namespace hale {

namespace {

DeliveryOutcome accepted(std::string reason) { return {OutcomeKind::kAccepted, std::move(reason), std::nullopt}; }
DeliveryOutcome retry(std::string reason, std::optional<Duration> after = std::nullopt) {
  return {OutcomeKind::kRetry, std::move(reason), after};
}
DeliveryOutcome permanent(std::string reason) { return {OutcomeKind::kPermanent, std::move(reason), std::nullopt}; }

// Every run of non-blank characters holding "://" becomes "<url>": libcurl's texts may quote the
// URL, and a notifier's URL is a secret (a Slack or Discord webhook URL is its own credential).
std::string without_urls(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      out += text[i++];
      continue;
    }
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(i, end - i);
    out += word.find("://") == std::string_view::npos ? std::string(word) : std::string("<url>");
    i = end;
  }
  return out;
}

std::string transfer_reason(CURLcode code, long os_errno, std::string_view text) {
  return without_urls(curl_failure(code, os_errno, text).reason);
}

// ---- HTTP-date (RFC 9110 5.6.7) ----

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool literal(std::string_view lit) {
    if (s_.substr(i_, lit.size()) != lit) return false;
    i_ += lit.size();
    return true;
  }
  // Exactly `n` digits.
  bool digits(int n, int& value) {
    value = 0;
    for (int k = 0; k < n; ++k) {
      if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
      value = value * 10 + (s_[i_++] - '0');
    }
    return true;
  }
  // One of `names`; its index.
  template <std::size_t N>
  bool one_of(const std::array<std::string_view, N>& names, int& index) {
    for (std::size_t k = 0; k < N; ++k) {
      if (literal(names[k])) {
        index = static_cast<int>(k);
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

constexpr std::array<std::string_view, 7> kDayNames{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDayNames{"Monday", "Tuesday", "Wednesday", "Thursday",
                                                         "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonthNames{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool time_of_day(Cursor& c, int& h, int& m, int& s) {
  return c.digits(2, h) && c.literal(":") && c.digits(2, m) && c.literal(":") && c.digits(2, s) && h <= 23 &&
         m <= 59 && s <= 60;
}

std::optional<std::chrono::sys_seconds> make_date(int year, int month, int day, int h, int m, int s) {
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(m) + std::chrono::seconds(s);
}

// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", rfc850-date "Sunday, 06-Nov-94 08:49:37 GMT",
// asctime-date "Sun Nov  6 08:49:37 1994".
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text, WallTime now) {
  int wd = 0, day = 0, month = 0, year = 0, h = 0, m = 0, s = 0;
  {  // IMF-fixdate
    Cursor c(text);
    if (c.one_of(kDayNames, wd) && c.literal(", ") && c.digits(2, day) && c.literal(" ") &&
        c.one_of(kMonthNames, month) && c.literal(" ") && c.digits(4, year) && c.literal(" ") &&
        time_of_day(c, h, m, s) && c.literal(" GMT") && c.done()) {
      return make_date(year, month + 1, day, h, m, s);
    }
  }
  {  // rfc850-date: a two-digit year more than 50 years ahead is the century before (RFC 9110)
    Cursor c(text);
    if (c.one_of(kLongDayNames, wd) && c.literal(", ") && c.digits(2, day) && c.literal("-") &&
        c.one_of(kMonthNames, month) && c.literal("-") && c.digits(2, year) && c.literal(" ") &&
        time_of_day(c, h, m, s) && c.literal(" GMT") && c.done()) {
      const int this_year = static_cast<int>(
          std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
      int full = this_year / 100 * 100 + year;
      if (full > this_year + 50) full -= 100;
      return make_date(full, month + 1, day, h, m, s);
    }
  }
  {  // asctime-date: the day is two digits or a space and one digit
    Cursor c(text);
    if (c.one_of(kDayNames, wd) && c.literal(" ") && c.one_of(kMonthNames, month) && c.literal(" ") &&
        (c.literal(" ") ? c.digits(1, day) : c.digits(2, day)) && c.literal(" ") && time_of_day(c, h, m, s) &&
        c.literal(" ") && c.digits(4, year) && c.done()) {
      return make_date(year, month + 1, day, h, m, s);
    }
  }
  return std::nullopt;
}

std::optional<Duration> retry_after_for(long status, std::string_view header, WallTime now) {
  if (status != 429 && status != 503) return std::nullopt;
  return parse_retry_after(header, now);
}

}  // namespace

std::string_view to_string(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::kAccepted: return "accepted";
    case OutcomeKind::kRetry: return "retry";
    case OutcomeKind::kPermanent: return "permanent";
  }
  return "retry";
}

std::optional<Duration> parse_retry_after(std::string_view value, WallTime now) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  const auto cap = std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count();

  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t secs = 0;  // saturates at the cap: "99999999999999999999" is an hour, not an overflow
    for (char c : value) {
      secs = std::min<std::int64_t>(secs * 10 + (c - '0'), cap + 1);
    }
    return std::min<Duration>(std::chrono::seconds(secs), kMaxRetryAfter);
  }

  const auto date = parse_http_date(value, now);
  if (!date) return std::nullopt;
  const auto now_secs = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  const auto date_secs = date->time_since_epoch().count();
  if (date_secs > now_secs + cap) return kMaxRetryAfter;  // also keeps year 9999 from overflowing
  const auto wait = WallTime(std::chrono::seconds(date_secs)) - now;
  if (wait <= WallTime::duration::zero()) return Duration::zero();
  return std::min<Duration>(std::chrono::duration_cast<Duration>(wait), kMaxRetryAfter);
}

DeliveryOutcome http_outcome(CURLcode code, long os_errno, long http_status, std::string_view retry_after, WallTime now,
                             std::string_view curl_error_text) {
  // A final status tells what the receiver decided, whatever happened to the transfer after it.
  if (http_status >= 200 && http_status <= 299) return accepted(fmt::format("HTTP {}", http_status));
  if (http_status >= 300 && http_status <= 399) {
    return permanent(fmt::format("redirects are not followed: HTTP {}", http_status));
  }
  if (http_status == 408 || http_status == 425 || http_status == 429 || (http_status >= 500 && http_status <= 599)) {
    return retry(fmt::format("HTTP {}", http_status), retry_after_for(http_status, retry_after, now));
  }
  if (http_status >= 400 && http_status <= 499) return permanent(fmt::format("HTTP {}", http_status));
  if (code != CURLE_OK) return retry(transfer_reason(code, os_errno, curl_error_text));
  if (http_status == 0) return retry("no HTTP status");
  return retry(fmt::format("unexpected HTTP status {}", http_status));
}

DeliveryOutcome smtp_outcome(CURLcode code, long os_errno, long smtp_code, std::string_view curl_error_text) {
  if (code == CURLE_OK) return accepted("SMTP 250");
  if (code == CURLE_USE_SSL_FAILED) return permanent("the SMTP server offers no STARTTLS");
  if (code == CURLE_LOGIN_DENIED) {
    return permanent(smtp_code > 0 ? fmt::format("SMTP login denied ({})", smtp_code) : "SMTP login denied");
  }
  if (smtp_code >= 500 && smtp_code <= 599) return permanent(fmt::format("SMTP {}", smtp_code));
  if (smtp_code >= 400 && smtp_code <= 499) return retry(fmt::format("SMTP {}", smtp_code));
  return retry(transfer_reason(code, os_errno, curl_error_text));
}

DeliveryOutcome exec_outcome(std::optional<int> exit_code, std::optional<int> signal, bool timed_out,
                             std::string_view spawn_error) {
  if (!spawn_error.empty()) return retry("spawn: " + without_urls(spawn_error));
  if (timed_out) return retry("timeout");
  if (signal) return retry("killed by " + signal_name(*signal));
  if (!exit_code) return retry("no exit status");
  if (*exit_code == 0) return accepted("exit 0");
  return retry(fmt::format("exit status {}", *exit_code));
}

DeliveryOutcome combine_cluster(const std::vector<DeliveryOutcome>& members) {
  if (members.empty()) return permanent("no Alertmanager URL");
  std::string reasons;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (!reasons.empty()) reasons += "; ";
    reasons += fmt::format("{}: {}", i + 1, members[i].reason);
  }
  const auto count = [&](OutcomeKind k) {
    return std::count_if(members.begin(), members.end(), [k](const DeliveryOutcome& m) { return m.kind == k; });
  };
  if (const auto n = count(OutcomeKind::kAccepted); n > 0) {
    if (members.size() == 1) return accepted(members.front().reason);
    return accepted(fmt::format("accepted by {} of {} ({})", n, members.size(), reasons));
  }
  if (count(OutcomeKind::kRetry) > 0) {
    std::optional<Duration> longest;
    for (const DeliveryOutcome& m : members) {
      if (m.kind == OutcomeKind::kRetry && m.retry_after && (!longest || *m.retry_after > *longest)) {
        longest = m.retry_after;
      }
    }
    return retry(members.size() == 1 ? members.front().reason : reasons, longest);
  }
  return permanent(members.size() == 1 ? members.front().reason : reasons);
}

}  // namespace hale
