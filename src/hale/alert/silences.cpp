// API silences and config maintenance windows (see silences.h).
#include "hale/alert/silences.h"

#include <algorithm>

#include <fmt/format.h>

#include "hale/alert/subject_match.h"

namespace hale {

namespace {

// "check/db/fail" -> "fail".
std::string_view key_status(std::string_view key) {
  const auto slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

bool matcher_matches(const SilenceMatcher& m, const Alert& a) {
  if (m.name == "subject") return glob_matches(m.value, a.subject);
  if (m.name == "kind") return glob_matches(m.value, to_string(a.kind));
  if (m.name == "status") return glob_matches(m.value, key_status(a.key));
  if (m.name == "key") return glob_matches(m.value, a.key);
  return false;  // validate_matchers refuses other names
}

}  // namespace

bool silence_matches(const Silence& s, const Alert& a) {
  if (s.matchers.empty()) return false;  // never "everything" by accident
  return std::all_of(s.matchers.begin(), s.matchers.end(), [&](const SilenceMatcher& m) { return matcher_matches(m, a); });
}

bool silence_active(const Silence& s, WallTime now) { return s.starts_at <= now && now < s.ends_at; }

std::string_view silence_state(const Silence& s, WallTime now) {
  if (now < s.starts_at) return "pending";
  return now < s.ends_at ? "active" : "expired";
}

Status validate_matchers(const std::vector<SilenceMatcher>& matchers) {
  if (matchers.empty()) {
    return Status::error("a silence needs at least one matcher (e.g. {\"name\": \"subject\", \"value\": \"*\"})");
  }
  for (const SilenceMatcher& m : matchers) {
    const bool known = std::find(std::begin(kSilenceMatcherNames), std::end(kSilenceMatcherNames), m.name) !=
                       std::end(kSilenceMatcherNames);
    if (!known) return Status::error(fmt::format("unknown matcher name \"{}\" (subject, kind, status, key)", m.name));
    if (m.value.empty()) return Status::error(fmt::format("matcher \"{}\" needs a value (a name or a glob)", m.name));
  }
  return Status::ok();
}

void SilenceSet::set_windows(const std::vector<SilenceSpec>& specs) {
  windows_.clear();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    // The loader refuses an empty schedule and a zero duration; a spec built by hand may have them.
    if (specs[i].schedule.empty() || specs[i].duration <= Duration::zero()) continue;
    windows_.push_back(Window{i, specs[i]});
  }
}

void SilenceSet::put(Silence s) {
  auto it = std::find_if(silences_.begin(), silences_.end(), [&](const Silence& x) { return x.id == s.id; });
  if (it != silences_.end()) {
    *it = std::move(s);
  } else {
    silences_.push_back(std::move(s));
  }
}

bool SilenceSet::expire(std::string_view id, WallTime now, Silence* expired) {
  auto it = std::find_if(silences_.begin(), silences_.end(), [&](const Silence& x) { return x.id == id; });
  if (it == silences_.end() || it->ends_at <= now) return false;
  it->ends_at = now;
  if (it->starts_at > now) it->starts_at = now;  // a future silence deleted: over before it began
  if (expired) *expired = *it;
  return true;
}

void SilenceSet::forget_ended_before(WallTime before) {
  std::erase_if(silences_, [&](const Silence& s) { return s.ends_at < before; });
}

std::optional<std::pair<WallTime, WallTime>> SilenceSet::window_at(const Window& w, WallTime now) const {
  // The first start after (now - duration) is the earliest window that may still cover now.
  auto start = w.spec.schedule.next_after(now - w.spec.duration);
  if (!start || *start > now) return std::nullopt;
  return std::make_pair(*start, *start + w.spec.duration);
}

bool SilenceSet::muted(const Alert& a, WallTime now) const {
  for (const Silence& s : silences_) {
    if (silence_active(s, now) && silence_matches(s, a)) return true;
  }
  const SubjectId subject{a.kind, a.subject};
  for (const Window& w : windows_) {
    if (subject_matches(w.spec.match, w.spec.kinds, subject) && window_at(w, now)) return true;
  }
  return false;
}

std::optional<WallTime> SilenceSet::next_change(WallTime now) const {
  std::optional<WallTime> next;
  auto consider = [&](WallTime t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  for (const Silence& s : silences_) {
    consider(s.starts_at);
    consider(s.ends_at);
  }
  for (const Window& w : windows_) {
    if (auto active = window_at(w, now)) consider(active->second);
    if (auto start = w.spec.schedule.next_after(now)) consider(*start);
  }
  return next;
}

std::vector<SilenceSet::ActiveWindow> SilenceSet::active_windows(WallTime now) const {
  std::vector<ActiveWindow> out;
  for (const Window& w : windows_) {
    if (auto active = window_at(w, now)) out.push_back(ActiveWindow{w.index, w.spec, active->first, active->second});
  }
  return out;
}

}  // namespace hale
