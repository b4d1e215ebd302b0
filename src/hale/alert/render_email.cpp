// The email notifier's message: RFC 5322 text with CRLF line ends, ASCII headers (an RFC 2047
// encoded-word subject when it is not ASCII), no header line holding a CR or LF from the data,
// and a short 8bit UTF-8 plain-text body.
#include <openssl/evp.h>

#include <chrono>
#include <string_view>

#include <fmt/format.h>

#include "hale/alert/render.h"
#include "hale/alert/render_text.h"

namespace hale {

namespace {

using namespace render;

constexpr std::string_view kCrlf = "\r\n";
constexpr std::size_t kFoldAt = 78;           // RFC 5322 2.1.1: lines SHOULD be at most 78
constexpr std::size_t kMaxLineOctets = 998;   // ... and MUST be at most 998 characters
constexpr std::size_t kEncodedWordBytes = 42; // UTF-8 bytes per encoded word: 56 base64 chars, 68 in all

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Valid UTF-8 cut into pieces of at most `max` bytes, never inside a character.
std::vector<std::string_view> chunks(std::string_view s, std::size_t max) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    std::size_t n = std::min(max, s.size());
    while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    if (n == 0) n = std::min(max, s.size());
    out.push_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

// One unstructured header ("Subject", "X-Hale-Key"): the value made one line, then either
// folded at spaces (ASCII) or written as RFC 2047 "B" encoded words, one per folded line
// (anything not ASCII, or text that could be read as an encoded word).
std::string header(std::string_view name, std::string_view raw) {
  const std::string value = trim(one_line(raw));
  std::string out = std::string(name) + ":";
  if (is_ascii(value) && value.find("=?") == std::string::npos) {
    std::size_t line = out.size();
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t end = value.find(' ', start);
      if (end == std::string::npos) end = value.size();
      const std::string_view word(value.data() + start, end - start);
      // Fold before a word that would pass 78 (the space becomes the fold's whitespace).
      if (line + 1 + word.size() > kFoldAt && line > name.size() + 1) {
        out += kCrlf;
        line = 0;
      }
      out += ' ';
      out += word;
      line += 1 + word.size();
      start = end + 1;
    }
    return out + std::string(kCrlf);
  }
  bool first = true;
  for (std::string_view piece : chunks(value, kEncodedWordBytes)) {
    out += first ? " " : "\r\n ";
    out += "=?UTF-8?B?" + base64(piece) + "?=";
    first = false;
  }
  return out + std::string(kCrlf);
}

// A header whose value is ASCII data hale does not encode (addresses, ids).
std::string plain_header(std::string_view name, std::string_view value) {
  return fmt::format("{}: {}\r\n", name, trim(one_line(value)));
}

// The address inside "Name <addr>", else the text itself: what SMTP's MAIL FROM and RCPT TO take.
std::string addr_spec(std::string_view address) {
  std::string a = trim(one_line(address));
  const auto open = a.rfind('<');
  const auto close = a.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) return a.substr(open + 1, close - open - 1);
  return a;
}

// RFC 5322 3.3 date-time in UTC: "Sat, 18 Apr 2026 18:30:12 +0000".
std::string rfc5322_date(WallTime t) {
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(secs - day);
  const std::chrono::weekday wd(day);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

// The domain of a Message-ID: the host's name with anything but letters, digits, '-' and '.'
// replaced, so that the header stays one valid msg-id.
std::string id_domain(std::string_view host) {
  std::string out;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    out += ok ? c : '-';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out.empty() ? "localhost" : out;
}

// A body line of at most 998 octets: longer ones are broken at character boundaries.
void add_line(std::string& body, std::string_view line) {
  for (std::string_view piece : chunks(line, kMaxLineOctets - 8)) {
    body += piece;
    body += kCrlf;
  }
  if (line.empty()) body += kCrlf;
}

void add_field(std::string& body, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  add_line(body, fmt::format("{:<10}{}", std::string(label) + ":", value));
}

}  // namespace

EmailMessage render_email(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
  const Alert& a = d.alert;
  EmailMessage m;
  m.from = addr_spec(n.from);
  for (const std::string& to : n.to) m.to.push_back(addr_spec(to));

  std::string to_list;
  for (const std::string& to : n.to) {
    if (!to_list.empty()) to_list += ", ";
    to_list += trim(one_line(to));
  }
  std::string& t = m.text;
  t += plain_header("From", n.from);
  t += plain_header("To", to_list);
  t += header("Subject", alert_headline(a));
  t += plain_header("Date", rfc5322_date(a.at));
  t += plain_header("Message-ID", "<" + id_domain(d.id) + "@" + id_domain(ctx.host) + ">");
  t += "MIME-Version: 1.0\r\n";
  t += "Content-Type: text/plain; charset=utf-8\r\n";
  t += "Content-Transfer-Encoding: 8bit\r\n";
  t += header("X-Hale-Key", a.key);
  t += kCrlf;  // the body follows

  add_line(t, alert_headline(a));
  add_line(t, "");
  add_field(t, "Subject", subject_label(a));
  add_field(t, "Status", status_summary(a));
  add_field(t, "Severity", a.severity());
  const auto [when_label, when] = when_field(a);
  add_field(t, when_label, when);
  if (a.sequence > 0) add_field(t, "Reminder", std::to_string(a.sequence));
  const std::string message = multi_line(a.message);
  if (message.find('\n') == std::string::npos) {
    add_field(t, "Message", message);
  } else {
    // A message of several lines: each indented under its label.
    add_line(t, "Message:");
    std::size_t start = 0;
    while (start <= message.size()) {
      std::size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      add_line(t, "  " + message.substr(start, end - start));
      start = end + 1;
    }
  }
  add_field(t, "Host", one_line(ctx.host));
  add_field(t, "Service", one_line(ctx.service));
  add_field(t, "Key", one_line(a.key));
  add_field(t, "Delivery", one_line(d.id));
  add_line(t, "");
  add_line(t, "-- ");
  add_line(t, "Sent by hale on " + one_line(ctx.host) + " at " + iso(a.at) + ".");
  return m;
}

}  // namespace hale
