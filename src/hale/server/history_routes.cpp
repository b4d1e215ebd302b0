// SPEC §10's read endpoints (see history_routes.h). Inputs are checked on the loop; the reading
// and the JSON happen on the history's thread.
#include "hale/server/history_routes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

#include "hale/history/history.h"
#include "hale/server/answers.h"
#include "hale/server/router.h"
#include "hale/time/timestamp.h"

namespace hale {

using history::Event;
using history::HistoryDb;
using history::Incident;
using history::Level;
using history::Point;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::size_t kMaxPoints = 20000;
constexpr std::size_t kMaxRuns = 10000;
constexpr int kOverviewDays = 90;
constexpr std::int64_t kLatestApiTime = 7258118400;  // 2200-01-01T00:00:00Z

std::int64_t unix_now(const RouterContext& ctx) { return history::unix_seconds(ctx.now); }

std::string iso(std::int64_t unix_s) { return format_iso8601(WallTime(std::chrono::seconds(unix_s))); }

// A number of JSON: up to 6 significant digits, or null.
nlohmann::json number(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return std::round(*v * 1e6) / 1e6;
}
nlohmann::json ms(const Point& p, double v) {
  if (!p.has_latency) return nullptr;
  return std::round(v * 100) / 100;
}

// `s` as a JSON string. Names are ASCII words in practice; anything else is escaped as JSON
// requires (quotes, backslashes, control characters), and other bytes are left as they are.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  out += '"';
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

HttpResponse unavailable() {
  return json_error(503, "history_unavailable",
                    "history is off ([history] enabled = false) or its file could not be opened (see hale's log)");
}

HttpResponse bad_request(std::string message) { return json_error(400, "bad_request", message); }

// The subject called `name`: a check, a service or a heartbeat (in that order, or of ?kind=).
struct Named {
  SubjectId id;
  std::string status;  // its own word
  std::vector<std::string> groups;
};

std::optional<Named> find_subject(const RouterContext& ctx, std::string_view name, std::string_view kind) {
  const std::string n(name);
  if (kind.empty() || kind == "check") {
    if (const CheckView* c = ctx.snapshot.find(n)) {
      return Named{{SubjectKind::kCheck, n}, std::string(to_string(c->status)), c->groups};
    }
  }
  if ((kind.empty() || kind == "service") && ctx.services) {
    if (const ServiceView* s = ctx.services->find(n)) {
      return Named{{SubjectKind::kService, n}, std::string(to_string(s->state)), {}};
    }
  }
  if ((kind.empty() || kind == "heartbeat") && ctx.heartbeats) {
    if (const HeartbeatView* h = ctx.heartbeats->find(n)) {
      return Named{{SubjectKind::kHeartbeat, n}, std::string(to_string(h->state)), h->groups};
    }
  }
  return std::nullopt;
}

std::optional<HttpResponse> check_kind(const ParsedTarget& t, std::string& kind) {
  const auto kinds = t.all("kind");
  kind = kinds.empty() ? "" : kinds.front();
  if (!kind.empty() && kind != "check" && kind != "service" && kind != "heartbeat") {
    return bad_request(fmt::format("kind \"{}\" is none of check, service, heartbeat", kind));
  }
  return std::nullopt;
}

HttpResponse no_subject(std::string_view name) {
  return json_error(404, "not_found", fmt::format("no check, service or heartbeat named \"{}\"", name));
}

}  // namespace

HttpResponse answer_from_history(history::History* h, std::function<HttpResponse(HistoryDb&)> job) {
  HttpResponse r;
  r.deferred = [h, job = std::move(job)](HttpResponse::Reply reply) {
    h->read([job, reply](HistoryDb& db) {
      HttpResponse answer;
      try {
        answer = job(db);
      } catch (const std::exception& e) {
        answer = json_error(500, "internal", e.what());
      }
      reply(std::move(answer));
    });
  };
  return r;
}

namespace {

HttpResponse failed(const Status& s) { return json_error(500, "history_read_failed", s.message()); }

// The retention of `level` under [history], in seconds.
std::int64_t retention_of(Level level, const HistoryConfig& c) {
  const Duration d = level == Level::kMinute ? c.minutes : level == Level::kHour ? c.hours : c.days;
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

std::string_view retention_key(Level level) {
  return level == Level::kMinute ? "history.minutes" : level == Level::kHour ? "history.hours" : "history.days";
}

nlohmann::json point_json(const Point& p, std::int64_t span) {
  const std::int64_t known = static_cast<std::int64_t>(p.up_seconds) + p.down_seconds + p.maintenance_seconds;
  return nlohmann::json{{"t", iso(p.t)},
                        {"count", p.count},
                        {"failures", p.failures},
                        {"p50_ms", ms(p, p.p50_ms)},
                        {"p95_ms", ms(p, p.p95_ms)},
                        {"max_ms", ms(p, p.max_ms)},
                        {"up_seconds", p.up_seconds},
                        {"down_seconds", p.down_seconds},
                        {"maintenance_seconds", p.maintenance_seconds},
                        {"unknown_seconds", std::max<std::int64_t>(0, span - known)}};
}

nlohmann::json uptime_json(const history::Uptime& u) {
  return nlohmann::json{{"from", iso(u.from)},
                        {"to", iso(u.to)},
                        {"uptime", number(u.ratio())},
                        {"up_seconds", u.up_seconds},
                        {"down_seconds", u.down_seconds},
                        {"maintenance_seconds", u.maintenance_seconds},
                        {"unknown_seconds", u.unknown_seconds},
                        {"count", u.count},
                        {"failures", u.failures}};
}

// Seconds from `a` to `b`, to the millisecond; null when `b` is not there.
nlohmann::json seconds_between(WallTime a, std::optional<WallTime> b) {
  if (!b) return nullptr;
  return std::round(std::chrono::duration<double>(*b - a).count() * 1000) / 1000;
}

nlohmann::json incident_json(const Incident& i) {
  auto time = [](std::optional<WallTime> t) -> nlohmann::json {
    if (!t) return nullptr;
    return format_iso8601_ms(*t);
  };
  return nlohmann::json{
      {"id", i.id},
      {"name", i.subject.name},
      {"kind", to_string(i.subject.kind)},
      {"status", i.resolved_at ? "resolved" : "open"},
      {"worst", i.worst},
      {"cause", i.cause},
      {"drill", i.drill},
      {"started_at", format_iso8601_ms(i.started_at)},
      {"detected_at", format_iso8601_ms(i.detected_at)},
      {"alerted_at", time(i.alerted_at)},
      {"resolved_at", time(i.resolved_at)},
      {"time_to_detect_seconds", seconds_between(i.started_at, i.detected_at)},
      {"time_to_alert_seconds", seconds_between(i.detected_at, i.alerted_at)},
      {"time_to_recover_seconds", seconds_between(i.started_at, i.resolved_at)},
  };
}

nlohmann::json event_json(const Event& e) {
  nlohmann::json data = nlohmann::json::parse(e.data, nullptr, false);
  if (data.is_discarded()) data = nlohmann::json::object();
  return nlohmann::json{{"at", format_iso8601_ms(e.at)},
                        {"type", e.type},
                        {"subject", e.subject.key()},
                        {"text", e.text},
                        {"data", std::move(data)}};
}

std::optional<std::size_t> read_limit(const ParsedTarget& t, std::size_t fallback, std::size_t most) {
  const auto v = t.all("limit");
  if (v.empty()) return fallback;
  std::size_t n = 0;
  const auto* end = v.front().data() + v.front().size();
  auto [p, ec] = std::from_chars(v.front().data(), end, n);
  if (ec != std::errc() || p != end || n == 0 || n > most) return std::nullopt;
  return n;
}

}  // namespace

void append_history_metrics(const history::History& h, std::string& page) {
  if (!h.enabled()) return;
  page += fmt::format(
      "# HELP hale_history_writes_total Write transactions of history.db (SPEC §8: at most one a second).\n"
      "# TYPE hale_history_writes_total counter\n"
      "hale_history_writes_total {}\n"
      "# HELP hale_history_write_errors_total Writes of history.db that failed (each loses a second of history).\n"
      "# TYPE hale_history_write_errors_total counter\n"
      "hale_history_write_errors_total {}\n",
      h.writes(), h.write_errors());
}

std::optional<std::int64_t> parse_api_time(std::string_view text, std::int64_t now) {
  if (text.empty()) return std::nullopt;
  std::int64_t t = 0;
  if (text.front() == '-') {
    const auto d = parse_duration(text.substr(1));
    if (!d) return std::nullopt;
    t = now - std::chrono::duration_cast<std::chrono::seconds>(*d).count();
  } else {
    const auto parsed = parse_timestamp_text(text);
    if (!parsed) return std::nullopt;
    t = parsed->time_since_epoch().count();
  }
  // Wall time is nanoseconds in a signed 64-bit count, which ends in 2262: a time past 2200 (or before
  // 1970) is refused here rather than overflowing when it is formatted into the error or the answer.
  if (t < 0 || t > kLatestApiTime) return std::nullopt;
  return t;
}

std::optional<std::int64_t> uptime_window_seconds(std::string_view window) {
  if (window == "24h") return kDay;
  if (window == "7d") return 7 * kDay;
  if (window == "30d") return 30 * kDay;
  if (window == "90d") return 90 * kDay;
  if (window == "365d") return 365 * kDay;
  return std::nullopt;
}

// GET /api/v1/history/NAME?from=&to=&step=
HttpResponse history_points(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  std::string kind;
  if (auto bad = check_kind(c.target, kind)) return *bad;
  const auto subject = find_subject(ctx, c.name, kind);
  if (!subject) return no_subject(c.name);
  const std::int64_t now = unix_now(ctx);
  std::int64_t from = now - kDay, to = now;
  for (const auto& [key, value] : c.target.params) {
    if (key != "from" && key != "to") continue;
    const auto t = parse_api_time(value, now);
    if (!t) {
      return bad_request(fmt::format("{} \"{}\" is not a time from 1970 to 2200: use RFC 3339 (2026-12-07T10:00:00Z), "
                                     "unix seconds, or -DURATION before now (-24h)",
                                     key, value));
    }
    (key == "from" ? from : to) = *t;
  }
  if (from >= to) return bad_request(fmt::format("from ({}) must be before to ({})", iso(from), iso(to)));
  if (to > now + 60) return bad_request(fmt::format("to ({}) is in the future; now is {}", iso(to), iso(now)));
  const std::int64_t span = to - from;
  Level level = span <= 2 * kDay ? Level::kMinute : span <= 90 * kDay ? Level::kHour : Level::kDay;
  if (const auto steps = c.target.all("step"); !steps.empty()) {
    const auto parsed = history::parse_level(steps.front());
    if (!parsed) return bad_request(fmt::format("step \"{}\" is none of minute, hour, day", steps.front()));
    level = *parsed;
  }
  const HistoryConfig& retention = ctx.history_config ? *ctx.history_config : HistoryConfig{};
  if (from < now - retention_of(level, retention) - history::step_seconds(level)) {
    return bad_request(fmt::format("{} points are kept for {}s ({}): from ({}) is older; use a coarser step or a later from",
                                   to_string(level), retention_of(level, retention), retention_key(level), iso(from)));
  }
  if (static_cast<std::size_t>(span / history::step_seconds(level)) > kMaxPoints) {
    return bad_request(fmt::format("{} {} points are more than the {} one answer gives: use a coarser step or a shorter range",
                                   span / history::step_seconds(level), to_string(level), kMaxPoints));
  }
  if (!ctx.history || !ctx.history->enabled()) return unavailable();
  const std::optional<Point> live = ctx.history->recorder().current(subject->id, ctx.now);
  return answer_from_history(ctx.history, [id = subject->id, from, to, level, live, now](HistoryDb& db) {
    auto points = db.points(id, level, from, to, live);
    if (!points) return failed(points.status());
    const std::int64_t step = history::step_seconds(level);
    nlohmann::json list = nlohmann::json::array();
    for (const Point& p : *points) list.push_back(point_json(p, std::min(step, now - p.t)));
    nlohmann::json j{{"name", id.name},       {"kind", to_string(id.kind)}, {"from", iso(from)},
                     {"to", iso(to)},         {"step", to_string(level)},   {"step_seconds", step},
                     {"points", std::move(list)}};
    if (id.kind == SubjectKind::kHeartbeat) {
      auto runs = db.events(id, "run", from * 1000, to * 1000, kMaxRuns);
      if (!runs) return failed(runs.status());
      nlohmann::json rs = nlohmann::json::array();
      for (const Event& e : *runs) {
        nlohmann::json r = nlohmann::json::parse(e.data, nullptr, false);
        if (r.is_discarded()) r = nlohmann::json::object();
        r["t"] = format_iso8601_ms(e.at);
        rs.push_back(std::move(r));
      }
      j["runs"] = std::move(rs);
    }
    return json_answer(200, dump(j));
  });
}

// GET /api/v1/uptime/NAME[?window=24h|7d|30d|90d|365d]
HttpResponse history_uptime(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  std::string kind;
  if (auto bad = check_kind(c.target, kind)) return *bad;
  const auto subject = find_subject(ctx, c.name, kind);
  if (!subject) return no_subject(c.name);
  std::vector<std::pair<std::string, std::int64_t>> windows;
  const auto asked = c.target.all("window");
  if (asked.empty()) {
    for (const char* w : {"24h", "7d", "30d", "90d", "365d"}) windows.emplace_back(w, *uptime_window_seconds(w));
  } else {
    for (const auto& w : asked) {
      const auto s = uptime_window_seconds(w);
      if (!s) return bad_request(fmt::format("window \"{}\" is none of 24h, 7d, 30d, 90d, 365d", w));
      windows.emplace_back(w, *s);
    }
  }
  if (!ctx.history || !ctx.history->enabled()) return unavailable();
  const bool one = asked.size() == 1;
  const std::int64_t now = unix_now(ctx);
  const std::optional<Point> live = ctx.history->recorder().current(subject->id, ctx.now);
  return answer_from_history(ctx.history, [id = subject->id, windows, one, now, live](HistoryDb& db) {
    nlohmann::json j{{"name", id.name}, {"kind", to_string(id.kind)}};
    nlohmann::json all = nlohmann::json::object();
    for (const auto& [name, seconds] : windows) {
      auto u = db.uptime(id, now - seconds, now, live);
      if (!u) return failed(u.status());
      if (one) {
        j["window"] = name;
        const nlohmann::json fields = uptime_json(*u);
        for (const auto& [k, v] : fields.items()) j[k] = v;
      } else {
        all[name] = uptime_json(*u);
      }
    }
    if (!one) j["windows"] = std::move(all);
    return json_answer(200, dump(j));
  });
}

// GET /api/v1/overview: every subject with its status, 90 daily uptimes and 24 hourly p50s.
HttpResponse history_overview(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  std::vector<Named> subjects;
  subjects.reserve(ctx.snapshot.checks.size());
  for (const auto& check : ctx.snapshot.checks) {
    subjects.push_back(Named{{SubjectKind::kCheck, check->name}, std::string(to_string(check->status)), check->groups});
  }
  if (ctx.services) {
    for (const auto& s : ctx.services->services) {
      subjects.push_back(Named{{SubjectKind::kService, s->name}, std::string(to_string(s->state)), {}});
    }
  }
  if (ctx.heartbeats) {
    for (const auto& h : ctx.heartbeats->heartbeats) {
      subjects.push_back(Named{{SubjectKind::kHeartbeat, h->name}, std::string(to_string(h->state)), h->groups});
    }
  }
  const std::int64_t now = unix_now(ctx);
  auto render = [now](const std::vector<Named>& subjects, const history::Overview* o) {
    // Written by hand rather than through nlohmann::json: 10,000 subjects of 114 numbers each
    // are 1.1 million values, and a JSON tree of them costs more than the reading.
    std::string out;
    out.reserve(64 + subjects.size() * 500);
    out += fmt::format(R"({{"generated_at":"{}","days":{},"subjects":[)", iso(now), kOverviewDays);
    // Fixed decimals through integers (a float's shortest form is several times slower, and
    // this is a million numbers): 0.99931 for an uptime, 2.71 for a latency in ms.
    auto series = [&out](const char* key, const float* v, std::size_t n, int decimals) {
      out += ",\"";
      out += key;
      out += "\":[";
      const double scale = decimals == 5 ? 1e5 : 1e2;
      char buf[32];
      for (std::size_t k = 0; k < n; ++k) {
        if (k) out += ',';
        if (!v || !std::isfinite(v[k])) {
          out += "null";
          continue;
        }
        const auto units = static_cast<std::uint64_t>(std::llround(std::max(0.0, static_cast<double>(v[k])) * scale));
        const auto whole = units / static_cast<std::uint64_t>(scale);
        auto frac = units % static_cast<std::uint64_t>(scale);
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, whole);
        out.append(buf, end);
        if (frac == 0) continue;
        int digits = decimals;
        while (frac % 10 == 0) {
          frac /= 10;
          --digits;
        }
        char f[8];
        for (int d = digits - 1; d >= 0; --d) {
          f[d] = static_cast<char>('0' + frac % 10);
          frac /= 10;
        }
        out += '.';
        out.append(f, static_cast<std::size_t>(digits));
      }
      out += ']';
    };
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      const Named& s = subjects[i];
      if (i) out += ',';
      out += R"({"name":)";
      append_json_string(out, s.id.name);
      out += R"(,"kind":")";
      out += to_string(s.id.kind);
      out += R"(","status":")";
      out += s.status;
      out += R"(","groups":[)";
      for (std::size_t g = 0; g < s.groups.size(); ++g) {
        if (g) out += ',';
        append_json_string(out, s.groups[g]);
      }
      out += ']';
      series("daily_uptime", o ? &o->daily[i * kOverviewDays] : nullptr, kOverviewDays, 5);
      series("latency_ms", o ? &o->hourly[i * 24] : nullptr, 24, 2);
      out += '}';
    }
    out += "]}";
    return out;
  };
  if (!ctx.history || !ctx.history->enabled()) return json_answer(200, render(subjects, nullptr));
  // The current minutes, which are not written yet: a check added a minute ago has a bar.
  std::vector<std::optional<Point>> live;
  live.reserve(subjects.size());
  for (const Named& s : subjects) live.push_back(ctx.history->recorder().current(s.id, ctx.now, false));
  return answer_from_history(ctx.history, [subjects = std::move(subjects), live = std::move(live), now, render](HistoryDb& db) {
    std::vector<SubjectId> ids;
    ids.reserve(subjects.size());
    for (const Named& s : subjects) ids.push_back(s.id);
    auto overview = db.overview(ids, now, kOverviewDays, live);
    if (!overview) return failed(overview.status());
    return json_answer(200, render(subjects, &*overview));
  });
}

// GET /api/v1/incidents[?name=&kind=&limit=&at=]
HttpResponse incidents_list(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  std::string kind;
  if (auto bad = check_kind(c.target, kind)) return *bad;
  std::optional<SubjectId> subject;
  if (const auto names = c.target.all("name"); !names.empty()) {
    auto found = find_subject(ctx, names.front(), kind);
    if (!found) return no_subject(names.front());
    subject = found->id;
  }
  const auto limit = read_limit(c.target, 100, 1000);
  if (!limit) return bad_request("limit must be a whole number from 1 to 1000");
  std::optional<std::int64_t> at_ms;
  if (const auto at = c.target.all("at"); !at.empty()) {
    const auto t = parse_api_time(at.front(), unix_now(ctx));
    if (!t) return bad_request(fmt::format("at \"{}\" is not a time from 1970 to 2200: use RFC 3339, unix seconds or -DURATION", at.front()));
    at_ms = *t * 1000 + 999;  // the whole second named
  }
  if (!ctx.history || !ctx.history->enabled()) return unavailable();
  return answer_from_history(ctx.history, [subject, limit = *limit, at_ms](HistoryDb& db) {
    auto list = db.incidents(subject ? &*subject : nullptr, limit, at_ms);
    if (!list) return failed(list.status());
    nlohmann::json items = nlohmann::json::array();
    for (const Incident& i : *list) items.push_back(incident_json(i));
    return json_answer(200, dump(nlohmann::json{{"incidents", std::move(items)}}));
  });
}

// GET /api/v1/incidents/ID: the incident and its timeline.
HttpResponse incident_one(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  std::int64_t id = 0;
  const auto* end = c.name.data() + c.name.size();
  auto [p, ec] = std::from_chars(c.name.data(), end, id);
  if (ec != std::errc() || p != end || id <= 0) {
    return bad_request(fmt::format("incident id \"{}\" is not a positive whole number", c.name));
  }
  if (!ctx.history || !ctx.history->enabled()) return unavailable();
  const std::int64_t now_ms = unix_now(ctx) * 1000;
  return answer_from_history(ctx.history, [id, now_ms](HistoryDb& db) {
    auto found = db.incident(id);
    if (!found) return failed(found.status());
    if (!*found) return json_error(404, "not_found", fmt::format("no incident {}", id));
    auto events = db.timeline(**found, now_ms);
    if (!events) return failed(events.status());
    nlohmann::json j = incident_json(**found);
    nlohmann::json timeline = nlohmann::json::array();
    bool detected = false;
    for (const Event& e : *events) {
      nlohmann::json line = event_json(e);
      // The transition that opened it carries the failing results that led to it: each is a
      // line of its own, before it, so the story starts with the first failure.
      if (!detected && e.type == "transition" && e.incident == id) {
        detected = true;
        for (const auto& r : line["data"].value("evidence", nlohmann::json::array())) {
          if (r.value("verdict", "") == "pass") continue;
          timeline.push_back(nlohmann::json{{"at", r.value("at", "")},
                                            {"type", "result"},
                                            {"subject", e.subject.key()},
                                            {"text", std::string(r.value("verdict", "fail") == "warn" ? "warned: " : "failed: ") +
                                                         r.value("reason", "")},
                                            {"data", r}});
        }
      }
      timeline.push_back(std::move(line));
    }
    j["timeline"] = std::move(timeline);
    return json_answer(200, dump(nlohmann::json{{"incident", std::move(j)}}));
  });
}

}  // namespace hale
