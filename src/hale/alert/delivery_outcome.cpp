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

// An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, RFC 850, asctime) through libcurl's curl_getdate(),
// which reads it as browsers do: leniently ("UTC" for "GMT", a day past the month's end rolled
// over, text after the date ignored). A receiver's hint read generously costs nothing: the wait is
// capped at kMaxRetryAfter and never below hale's own backoff. nullopt when it is no date at all.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  const std::string value(text);  // curl_getdate() wants a C string
  const time_t t = curl_getdate(value.c_str(), nullptr);
  if (t == -1) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(t));
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

  const auto date = parse_http_date(value);
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
