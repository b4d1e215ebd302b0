// The shared text of alert rendering: UTF-8 hygiene, cutting to limits, and alert_headline(), the
// one line every notifier shows people (see render.h and render_text.h).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <vector>

#include <fmt/format.h>

#include "hale/alert/render.h"
#include "hale/alert/render_text.h"

namespace hale {
namespace render {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026 "…"

// The length of the well-formed UTF-8 sequence at s[i] and its code point, or 0 when the byte
// there starts none.
std::size_t sequence_at(std::string_view s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  // The lead byte gives the length, its payload bits and the smallest code point of that length
  // (anything below is an overlong form).
  struct Lead {
    unsigned char lo, hi, mask;
    std::size_t len;
    char32_t min;
  };
  static constexpr Lead kLeads[] = {{0xC2, 0xDF, 0x1F, 2, 0x80}, {0xE0, 0xEF, 0x0F, 3, 0x800},
                                    {0xF0, 0xF4, 0x07, 4, 0x10000}};
  const Lead* lead = nullptr;
  for (const Lead& l : kLeads) {
    if (b0 >= l.lo && b0 <= l.hi) lead = &l;
  }
  if (lead == nullptr) return 0;
  const std::size_t len = lead->len;
  const char32_t min = lead->min;
  cp = b0 & lead->mask;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool is_control(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

// Walks `s`, copying well-formed sequences, replacing malformed bytes with U+FFFD and handing
// every code point to `map`, which appends what stands for it.
template <typename Map>
std::string transform(std::string_view s, Map map) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = sequence_at(s, i, cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    map(out, cp, s.substr(i, len), s.substr(i + len));
    i += len;
  }
  return out;
}

// Cuts valid UTF-8 `s` where the running `cost` of its characters would pass `max`, keeping room
// for the ellipsis.
template <typename Cost>
std::string cut(std::string_view s, std::size_t max, Cost cost) {
  struct Char {
    std::size_t end;   // byte offset after it
    std::size_t cost;
  };
  std::vector<Char> chars;
  std::size_t total = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t len = sequence_at(s, i, cp);
    if (len == 0) len = 1, cp = 0xFFFD;  // callers pass valid UTF-8; never loop on anything else
    i += len;
    chars.push_back({i, cost(cp, len)});
    total += chars.back().cost;
  }
  if (total <= max) return std::string(s);
  const std::size_t ellipsis = cost(U'\u2026', kEllipsis.size());
  if (max < ellipsis) return "";
  std::size_t used = 0;
  std::size_t keep = 0;
  for (const Char& c : chars) {
    if (used + c.cost > max - ellipsis) break;
    used += c.cost;
    keep = c.end;
  }
  std::string out(s.substr(0, keep));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += kEllipsis;
  return out;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  return transform(s, [](std::string& out, char32_t, std::string_view bytes, std::string_view) { out += bytes; });
}

std::string one_line(std::string_view s) {
  return transform(s, [](std::string& out, char32_t cp, std::string_view bytes, std::string_view) {
    if (is_control(cp)) {
      out += ' ';
    } else {
      out += bytes;
    }
  });
}

std::string multi_line(std::string_view s) {
  std::string out = transform(s, [](std::string& out, char32_t cp, std::string_view bytes, std::string_view rest) {
    if (cp == '\r') {
      if (rest.empty() || rest.front() != '\n') out += '\n';  // CR alone; CRLF leaves it to the LF
    } else if (cp == '\n' || cp == '\t') {
      out += bytes;
    } else if (is_control(cp)) {
      out += ' ';
    } else {
      out += bytes;
    }
  });
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::size_t utf16_units(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) != 0x80) n += b >= 0xF0 ? 2 : 1;
  }
  return n;
}

std::string cut_code_points(std::string_view s, std::size_t max) {
  return cut(s, max, [](char32_t, std::size_t) -> std::size_t { return 1; });
}

std::string cut_utf16(std::string_view s, std::size_t max) {
  return cut(s, max, [](char32_t cp, std::size_t) -> std::size_t { return cp > 0xFFFF ? 2 : 1; });
}

std::string cut_bytes(std::string_view s, std::size_t max) {
  return cut(s, max, [](char32_t, std::size_t len) { return len; });
}

Phase phase(const Alert& a) {
  const bool flap_key = a.flapping || a.key.ends_with("/flapping");
  if (flap_key) return a.resolved ? Phase::kStable : Phase::kFlapping;
  return a.resolved ? Phase::kResolved : Phase::kFiring;
}

std::string subject_label(const Alert& a) { return one_line(std::string(to_string(a.kind)) + " " + a.subject); }

std::string state_word(const Alert& a) {
  return one_line(a.state.empty() ? std::string(to_string(a.status)) : a.state);
}

std::string problem_status(const Alert& a) {
  switch (phase(a)) {
    case Phase::kFlapping:
    case Phase::kStable: return "flapping";
    case Phase::kResolved: return std::string(to_string(a.previous));
    case Phase::kFiring: break;
  }
  return std::string(to_string(a.status));
}

std::string status_summary(const Alert& a) {
  switch (phase(a)) {
    case Phase::kFlapping: return "flapping (now " + state_word(a) + ")";
    case Phase::kStable: return "stable (now " + state_word(a) + ")";
    case Phase::kFiring:
    case Phase::kResolved: break;
  }
  return state_word(a) + " (was " + std::string(to_string(a.previous)) + ")";
}

std::string lasted(const Alert& a) {
  const auto d = std::chrono::floor<std::chrono::seconds>(a.at - a.since);
  return d > std::chrono::seconds(0) ? format_duration(d) : "";
}

std::pair<std::string, std::string> when_field(const Alert& a) {
  const Phase p = phase(a);
  if (p == Phase::kFiring || p == Phase::kFlapping) return {"Since", iso(a.since)};
  const std::string d = lasted(a);
  return {"Lasted", d.empty() ? "from " + iso(a.since) : d + ", from " + iso(a.since)};
}

std::string when_phrase(const Alert& a) {
  const Phase p = phase(a);
  if (p == Phase::kFiring || p == Phase::kFlapping) return "since " + iso(a.since);
  const std::string d = lasted(a);
  return d.empty() ? "from " + iso(a.since) : "after " + d + ", from " + iso(a.since);
}

std::uint32_t colour(const Alert& a) {
  constexpr std::uint32_t kRed = 0xD50200, kAmber = 0xF2A900, kGreen = 0x2EB67D;
  switch (phase(a)) {
    case Phase::kResolved:
    case Phase::kStable: return kGreen;
    case Phase::kFlapping: return kAmber;
    case Phase::kFiring: break;
  }
  return a.severity() == "critical" ? kRed : kAmber;
}

std::string capitalised(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string iso(WallTime t) { return format_iso8601(t); }

std::int64_t epoch_seconds(WallTime t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string bearer(std::string_view token) {
  std::string out = "Bearer ";
  for (char c : token) {
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  }
  return out;
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace render

namespace {

// A digest's headline: "[CRITICAL] 40 alerts: check a is fail, check b is fail, …"; the
// problems first, then the resolutions ("[RESOLVED] 40 alerts: check a is ok again, …" when
// every one is a resolution).
std::string digest_headline(const Alert& d) {
  using namespace render;
  std::string tag = d.resolved ? "RESOLVED" : d.severity();
  std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string list;
  for (bool resolutions : {false, true}) {
    for (const Alert& m : d.members) {
      if (m.resolved != resolutions) continue;
      std::string what = subject_label(m) + (m.resolved ? " is " + state_word(m) + " again" : " is " + state_word(m));
      list += (list.empty() ? "" : ", ") + what;
    }
  }
  const std::string drill = d.drill.empty() ? "" : "[drill] ";
  return cut_code_points(one_line(fmt::format("{}[{}] {} alerts: {}", drill, tag, d.members.size(), list)),
                         kHeadlineMaxChars);
}

}  // namespace

std::string alert_headline(const Alert& a) {
  using namespace render;
  if (!a.members.empty()) return digest_headline(a);
  const std::string who = subject_label(a);
  const std::string message = one_line(a.message);
  const std::string reminder = a.sequence > 0 ? fmt::format(" (reminder {})", a.sequence) : "";
  const auto with_message = [&](std::string line) {
    if (!message.empty()) line += ": " + message;
    return line;
  };
  std::string line;
  switch (phase(a)) {
    case Phase::kFiring: {
      std::string severity = a.severity();
      std::transform(severity.begin(), severity.end(), severity.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      // "[CRITICAL] check db is fail: connection refused"; a reminder: "is still fail (reminder 2)"
      line = with_message(fmt::format("[{}] {} is {}{}{}", severity, who, a.sequence > 0 ? "still " : "",
                                      state_word(a), reminder));
      break;
    }
    case Phase::kResolved: {
      // "[RESOLVED] check db is ok again after 32m10s (was fail since 2026-04-18T17:58:02Z)"; a
      // recovery to another problem status says so: "is degraded, no longer fail after ...".
      const std::string d = lasted(a);
      const std::string after = d.empty() ? "" : " after " + d;
      const std::string ended(to_string(a.previous));
      if (a.status == Health::kOk) {
        line = fmt::format("[RESOLVED] {} is {} again{} (was {} since {})", who, state_word(a), after, ended,
                           iso(a.since));
      } else {
        line = fmt::format("[RESOLVED] {} is {}, no longer {}{} (since {})", who, state_word(a), ended, after,
                           iso(a.since));
      }
      break;
    }
    case Phase::kFlapping:
      line = with_message(fmt::format("[FLAPPING] {} keeps changing status{}", who, reminder));
      break;
    case Phase::kStable:
      line = fmt::format("[STABLE] {} is stable again: {}", who, state_word(a));
      break;
  }
  if (!a.drill.empty()) line = "[drill] " + line;  // SPEC §7: a rehearsal, said first
  return cut_code_points(one_line(line), kHeadlineMaxChars);
}

}  // namespace hale
