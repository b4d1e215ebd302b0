// The status page, its JSON, badges and announcements (see status_page.h).
#include "hale/server/status_page.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

#include "hale/alert/subject_match.h"
#include "hale/history/history.h"
#include "hale/server/answers.h"
#include "hale/server/history_routes.h"
#include "hale/server/router.h"
#include "hale/time/timestamp.h"

namespace hale {

using history::Announcement;
using history::HistoryDb;
using history::Incident;

namespace {

constexpr int kDays = 90;
constexpr int kIncidentDays = 30;   // incidents shown: those that began in the last 30 days
constexpr std::size_t kMaxIncidents = 50;

// A public subject as the page shows it: its name and a status in four words.
struct Shown {
  SubjectId id;
  Health status = Health::kUnknown;
};

std::vector<Shown> shown_subjects(const RouterContext& ctx) {
  std::vector<Shown> out;
  const StatusPageConfig& page = *ctx.status_page;
  for (const auto& c : ctx.snapshot.checks) {
    if (is_public(page, c->name, c->groups)) out.push_back({{SubjectKind::kCheck, c->name}, c->status});
  }
  if (ctx.services) {
    for (const auto& s : ctx.services->services) {
      if (is_public(page, s->name, {})) out.push_back({{SubjectKind::kService, s->name}, s->overall_health()});
    }
  }
  if (ctx.heartbeats) {
    for (const auto& h : ctx.heartbeats->heartbeats) {
      if (is_public(page, h->name, h->groups)) out.push_back({{SubjectKind::kHeartbeat, h->name}, h->health()});
    }
  }
  return out;
}

// The words the public reads: no state names of hale's (backoff, late), no reasons.
std::string_view public_word(Health h) {
  switch (h) {
    case Health::kOk: return "operational";
    case Health::kDegraded: return "degraded";
    case Health::kFail: return "outage";
    case Health::kUnknown: break;
  }
  return "unknown";
}

std::string_view overall_word(const std::vector<Shown>& shown) {
  bool fail = false, degraded = false, all_fail = !shown.empty();
  for (const Shown& s : shown) {
    fail = fail || s.status == Health::kFail;
    degraded = degraded || s.status == Health::kDegraded;
    all_fail = all_fail && s.status == Health::kFail;
  }
  if (all_fail) return "major_outage";
  if (fail) return "partial_outage";
  if (degraded) return "degraded";
  return "operational";
}

std::string_view overall_text(std::string_view word) {
  if (word == "major_outage") return "Major outage";
  if (word == "partial_outage") return "Partial outage";
  if (word == "degraded") return "Degraded performance";
  return "All systems operational";
}

std::string escape_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string percent(std::optional<double> r, int decimals = 2) {
  if (!r) return "no data";
  return fmt::format("{:.{}f} %", std::floor(*r * 100 * std::pow(10, decimals)) / std::pow(10, decimals), decimals);
}

std::string span_text(std::int64_t s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

nlohmann::json announcement_json(const Announcement& a) {
  auto t = [](const std::optional<WallTime>& w) -> nlohmann::json {
    if (!w) return nullptr;
    return format_iso8601(*w);
  };
  return nlohmann::json{{"id", a.id},       {"message", a.message},
                        {"level", a.level}, {"from", t(a.from)},
                        {"until", t(a.until)}, {"created_at", format_iso8601(a.created_at)}};
}

// What the page and its JSON read from the history, per shown subject.
struct PageData {
  std::vector<float> daily;                    // shown.size() * kDays, NaN: nothing known
  std::vector<std::optional<double>> uptime;   // 90 days, per shown subject
  std::vector<Incident> incidents;             // of shown subjects, newest first
  bool history = false;
};

StatusOr<PageData> read_page_data(HistoryDb& db, const std::vector<Shown>& shown,
                                  const std::vector<std::optional<history::Point>>& live, std::int64_t now) {
  PageData d;
  d.history = true;
  std::vector<SubjectId> ids;
  for (const Shown& s : shown) ids.push_back(s.id);
  auto o = db.overview(ids, now, kDays, live);
  if (!o) return o.status();
  d.daily = std::move(o->daily);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    auto u = db.uptime(shown[i].id, now - kDays * 86400, now, live[i]);
    if (!u) return u.status();
    d.uptime.push_back(u->ratio());
  }
  auto read = db.incidents(nullptr, 1000);
  if (!read) return read.status();
  std::vector<Incident> all = std::move(read).value();
  const WallTime since = WallTime(std::chrono::seconds(now - kIncidentDays * 86400));
  for (Incident& i : all) {
    if (i.started_at < since || d.incidents.size() >= kMaxIncidents) continue;
    for (const Shown& s : shown) {
      if (s.id.kind == i.subject.kind && s.id.name == i.subject.name && i.drill.empty()) {
        i.cause.clear();  // never on the public page
        d.incidents.push_back(std::move(i));
        break;
      }
    }
  }
  return d;
}

std::string_view bar_class(float r) {
  if (std::isnan(r)) return "none";
  if (r >= 0.999f) return "ok";
  if (r >= 0.95f) return "degraded";
  return "fail";
}

std::string render_html(const StatusPageConfig& page, const std::vector<Shown>& shown, const PageData& d,
                        const std::vector<Announcement>& announcements, std::int64_t now) {
  const std::string_view overall = overall_word(shown);
  std::string h;
  h.reserve(8192 + shown.size() * 6000);
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<link rel=\"icon\" href=\"data:,\"><title>";
  h += escape_html(page.title);
  h += "</title><style>"
       ":root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--card:#f6f8fa;--line:#d0d7de;--ok:#1a7f37;--degraded:#9a6700;"
       "--fail:#cf222e;--none:#8c959f}"
       "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--card:#161b22;--line:#30363d;"
       "--ok:#3fb950;--degraded:#d29922;--fail:#f85149;--none:#6e7681}}"
       "body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif}"
       "main{max-width:52rem;margin:0 auto;padding:1.5rem}h1{margin:.2rem 0}h2{font-size:1.1rem;margin:2rem 0 .5rem}"
       ".muted{color:var(--muted)}.banner{padding:1rem 1.25rem;border-radius:.5rem;font-weight:600;color:#fff}"
       ".b-operational{background:var(--ok)}.b-degraded{background:var(--degraded)}"
       ".b-partial_outage,.b-major_outage{background:var(--fail)}"
       ".ann{border-left:4px solid var(--degraded);background:var(--card);padding:.6rem 1rem;margin:.5rem 0}"
       ".ann-info{border-color:var(--none)}.ann-incident{border-color:var(--fail)}"
       "ul{list-style:none;padding:0;margin:0}.subject{border:1px solid var(--line);border-radius:.5rem;"
       "padding:.75rem 1rem;margin:.5rem 0;background:var(--card)}.row{display:flex;justify-content:space-between;gap:1rem}"
       ".name{font-weight:600}.st-ok{color:var(--ok)}.st-degraded{color:var(--degraded)}.st-fail{color:var(--fail)}"
       ".st-unknown{color:var(--muted)}svg{display:block;width:100%;height:2rem;margin:.4rem 0 .2rem}"
       ".u-ok{fill:var(--ok)}.u-degraded{fill:var(--degraded)}.u-fail{fill:var(--fail)}.u-none{fill:var(--none);opacity:.35}"
       ".legend{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}"
       "footer{margin-top:2rem;font-size:.8rem;color:var(--muted)}</style></head><body><main>";
  h += "<header><h1>" + escape_html(page.title) + "</h1>";
  if (!page.description.empty()) h += "<p class=\"muted\">" + escape_html(page.description) + "</p>";
  h += "</header>";
  h += fmt::format("<p class=\"banner b-{}\" role=\"status\">{}</p>", overall, overall_text(overall));
  if (!announcements.empty()) {
    h += "<section aria-labelledby=\"ann\"><h2 id=\"ann\">Announcements</h2>";
    for (const Announcement& a : announcements) {
      h += fmt::format("<div class=\"ann ann-{}\"><strong>{}</strong> {}", escape_html(a.level),
                       a.level == "maintenance" ? "Maintenance:" : a.level == "incident" ? "Incident:" : "Note:",
                       escape_html(a.message));
      if (a.until) h += " <span class=\"muted\">(until " + format_iso8601(*a.until) + ")</span>";
      h += "</div>";
    }
    h += "</section>";
  }
  h += "<section aria-labelledby=\"subjects\"><h2 id=\"subjects\">Current status</h2><ul>";
  const std::int64_t first_day = history::floor_to(now, 86400) - (kDays - 1) * 86400;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const Shown& s = shown[i];
    const std::string name = escape_html(s.id.name);
    const std::string_view word = public_word(s.status);
    const std::string_view cls = s.status == Health::kOk         ? "ok"
                                 : s.status == Health::kDegraded ? "degraded"
                                 : s.status == Health::kFail     ? "fail"
                                                                 : "unknown";
    h += fmt::format("<li class=\"subject\"><div class=\"row\"><span class=\"name\">{}</span>"
                     "<span class=\"st-{}\">{}</span></div>",
                     name, cls, word);
    if (d.history) {
      const std::string total = percent(d.uptime[i]);
      h += fmt::format("<svg viewBox=\"0 0 {} 20\" preserveAspectRatio=\"none\" role=\"img\" "
                       "aria-label=\"{}: {} uptime over {} days\">",
                       kDays * 5, name, total, kDays);
      for (int day = 0; day < kDays; ++day) {
        const float r = d.daily[i * kDays + static_cast<std::size_t>(day)];
        const std::string date = format_iso8601(WallTime(std::chrono::seconds(first_day + day * 86400))).substr(0, 10);
        h += fmt::format("<rect x=\"{}\" width=\"4\" height=\"20\" class=\"u-{}\"><title>{}: {}</title></rect>", day * 5,
                         bar_class(r), date, std::isnan(r) ? std::string("no data") : percent(r));
      }
      h += fmt::format("</svg><div class=\"legend\"><span>{} days ago</span><span>{} uptime</span><span>today</span></div>",
                       kDays, total);
    }
    h += "</li>";
  }
  h += "</ul></section>";
  if (d.history) {
    h += fmt::format("<section aria-labelledby=\"incidents\"><h2 id=\"incidents\">Incidents, last {} days</h2>",
                     kIncidentDays);
    if (d.incidents.empty()) h += "<p class=\"muted\">No incidents.</p>";
    h += "<ul>";
    for (const Incident& i : d.incidents) {
      const std::int64_t start = history::unix_seconds(i.started_at);
      const std::int64_t end = i.resolved_at ? history::unix_seconds(*i.resolved_at) : now;
      h += fmt::format("<li class=\"subject\"><div class=\"row\"><span class=\"name\">{}</span><span class=\"st-{}\">{}</span>"
                       "</div><div class=\"muted\">began {} · {} {}</div></li>",
                       escape_html(i.subject.name), i.worst == "fail" ? "fail" : "degraded",
                       i.worst == "fail" ? "outage" : "degraded", format_iso8601(i.started_at),
                       i.resolved_at ? "resolved after" : "ongoing for", span_text(end - start));
    }
    h += "</ul></section>";
  }
  h += "<footer>Updated " + format_iso8601(WallTime(std::chrono::seconds(now))) + " · hale</footer></main></body></html>\n";
  return h;
}

nlohmann::json page_json(const StatusPageConfig& page, const std::vector<Shown>& shown, const PageData& d,
                         const std::vector<Announcement>& announcements, std::int64_t now) {
  nlohmann::json subjects = nlohmann::json::array();
  for (std::size_t i = 0; i < shown.size(); ++i) {
    nlohmann::json s{{"name", shown[i].id.name}, {"kind", to_string(shown[i].id.kind)},
                     {"status", public_word(shown[i].status)}};
    if (d.history) {
      nlohmann::json days = nlohmann::json::array();
      for (int day = 0; day < kDays; ++day) {
        const float r = d.daily[i * kDays + static_cast<std::size_t>(day)];
        days.push_back(std::isnan(r) ? nlohmann::json(nullptr) : nlohmann::json(std::round(r * 1e5) / 1e5));
      }
      s["daily_uptime"] = std::move(days);
      s["uptime_90d"] = d.uptime[i] ? nlohmann::json(std::round(*d.uptime[i] * 1e6) / 1e6) : nlohmann::json(nullptr);
    }
    subjects.push_back(std::move(s));
  }
  nlohmann::json incidents = nlohmann::json::array();
  for (const Incident& i : d.incidents) {
    incidents.push_back({{"id", i.id},
                         {"name", i.subject.name},
                         {"kind", to_string(i.subject.kind)},
                         {"status", i.resolved_at ? "resolved" : "open"},
                         {"worst", i.worst == "fail" ? "outage" : "degraded"},
                         {"started_at", format_iso8601(i.started_at)},
                         {"resolved_at", i.resolved_at ? nlohmann::json(format_iso8601(*i.resolved_at)) : nlohmann::json(nullptr)}});
  }
  nlohmann::json ann = nlohmann::json::array();
  for (const Announcement& a : announcements) ann.push_back(announcement_json(a));
  return nlohmann::json{{"title", page.title},
                        {"description", page.description},
                        {"status", overall_word(shown)},
                        {"generated_at", format_iso8601(WallTime(std::chrono::seconds(now)))},
                        {"announcements", std::move(ann)},
                        {"subjects", std::move(subjects)},
                        {"incidents", std::move(incidents)}};
}

std::vector<Announcement> shown_announcements(const RouterContext& ctx) {
  std::vector<Announcement> out;
  if (!ctx.announcements) return out;
  for (Announcement& a : ctx.announcements()) {
    if (a.shown_at(ctx.now)) out.push_back(std::move(a));
  }
  return out;
}

HttpResponse not_found() { return text_answer(404, "not found\n"); }

// /status or /status.json, from the history when there is one.
HttpResponse page_answer(const RouteCall& c, bool html) {
  const RouterContext& ctx = c.ctx;
  if (!ctx.status_page) return not_found();
  std::vector<Shown> shown = shown_subjects(ctx);
  std::vector<Announcement> announcements = shown_announcements(ctx);
  const std::int64_t now = history::unix_seconds(ctx.now);
  const StatusPageConfig page = *ctx.status_page;
  auto answer = [html, page, now](const std::vector<Shown>& shown, const PageData& d,
                                  const std::vector<Announcement>& announcements) {
    if (html) {
      HttpResponse r = text_answer(200, render_html(page, shown, d, announcements, now));
      r.content_type = "text/html; charset=utf-8";
      return r;
    }
    return json_answer(200, page_json(page, shown, d, announcements, now).dump(-1, ' ', false,
                                                                                nlohmann::json::error_handler_t::replace));
  };
  if (!ctx.history || !ctx.history->enabled()) return answer(shown, PageData{}, announcements);
  std::vector<std::optional<history::Point>> live;
  for (const Shown& s : shown) live.push_back(ctx.history->recorder().current(s.id, ctx.now, false));
  return answer_from_history(ctx.history, [shown = std::move(shown), live = std::move(live),
                                           announcements = std::move(announcements), now, answer](HistoryDb& db) {
    auto d = read_page_data(db, shown, live, now);
    if (!d) return json_error(500, "history_read_failed", d.status().message());
    return answer(shown, *d, announcements);
  });
}

std::string_view status_color(Health h) {
  switch (h) {
    case Health::kOk: return "#4c1";
    case Health::kDegraded: return "#dfb317";
    case Health::kFail: return "#e05d44";
    case Health::kUnknown: break;
  }
  return "#9f9f9f";
}

std::string_view uptime_color(std::optional<double> r) {
  if (!r) return "#9f9f9f";
  if (*r >= 0.999) return "#4c1";
  if (*r >= 0.99) return "#97ca00";
  if (*r >= 0.95) return "#dfb317";
  return "#e05d44";
}

HttpResponse badge_answer(std::string_view label, std::string_view message, std::string_view color, bool json) {
  if (json) {
    // shields.io's endpoint badge: https://shields.io/badges/endpoint-badge
    std::string c(color);
    if (!c.empty() && c.front() == '#') c.erase(0, 1);
    return json_answer(200, nlohmann::json{{"schemaVersion", 1}, {"label", label}, {"message", message}, {"color", c}}.dump());
  }
  HttpResponse r = text_answer(200, badge_svg(label, message, color));
  r.content_type = "image/svg+xml";
  return r;
}

// Verdana 11px advance widths, roughly, in tenths of a pixel (shields.io measures the real
// font; badges here only need to fit their text).
int text_width(std::string_view s) {
  int w = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 'i' || c == 'l' || c == 'j' || c == '.' || c == ',' || c == ':' || c == '!' || c == '|' || c == '\'') {
      w += 35;
    } else if (c == 'f' || c == 't' || c == 'r' || c == 'I' || c == ' ' || c == '-' || c == '(' || c == ')') {
      w += 50;
    } else if (c == 'm' || c == 'w' || c == 'M' || c == 'W' || c == '%') {
      w += 105;
    } else if (c >= 'A' && c <= 'Z') {
      w += 78;
    } else {
      w += 68;
    }
  }
  return (w + 9) / 10;
}

}  // namespace

bool is_public(const StatusPageConfig& page, std::string_view name, const std::vector<std::string>& groups) {
  if (any_glob_matches(page.match, name)) return true;
  for (const std::string& g : groups) {
    if (std::find(page.groups.begin(), page.groups.end(), g) != page.groups.end()) return true;
  }
  return false;
}

std::string badge_svg(std::string_view label, std::string_view message, std::string_view color) {
  const std::string l = escape_html(label), m = escape_html(message);
  const int lw = text_width(label) + 10, mw = text_width(message) + 10, w = lw + mw;
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\" role=\"img\" aria-label=\"{l}: {m}\">"
      "<title>{l}: {m}</title><linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" "
      "stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient><clipPath id=\"r\"><rect width=\"{w}\" "
      "height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath><g clip-path=\"url(#r)\"><rect width=\"{lw}\" height=\"20\" "
      "fill=\"#555\"/><rect x=\"{lw}\" width=\"{mw}\" height=\"20\" fill=\"{c}\"/><rect width=\"{w}\" height=\"20\" "
      "fill=\"url(#s)\"/></g><g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" "
      "font-size=\"11\"><text x=\"{lx}\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">{l}</text><text x=\"{lx}\" "
      "y=\"14\">{l}</text><text x=\"{mx}\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">{m}</text><text x=\"{mx}\" "
      "y=\"14\">{m}</text></g></svg>",
      fmt::arg("w", w), fmt::arg("lw", lw), fmt::arg("mw", mw), fmt::arg("l", l), fmt::arg("m", m), fmt::arg("c", color),
      fmt::arg("lx", lw / 2.0), fmt::arg("mx", lw + mw / 2.0));
}

HttpResponse status_page(const RouteCall& c) { return page_answer(c, true); }
HttpResponse status_json(const RouteCall& c) { return page_answer(c, false); }

// /badge/NAME/status.svg|json, /badge/NAME/uptime/WINDOW.svg|json (24h, 7d, 30d, 90d),
// /badge/NAME/latency/24h.svg|json.
HttpResponse badge(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  if (!ctx.status_page) return not_found();
  std::string_view rest = c.name;  // NAME/...
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return not_found();
  const std::string name(rest.substr(0, slash));
  std::string_view what = rest.substr(slash + 1);
  bool json = false;
  if (what.ends_with(".svg")) {
    what.remove_suffix(4);
  } else if (what.ends_with(".json")) {
    what.remove_suffix(5);
    json = true;
  } else {
    return not_found();
  }
  // The subject, if it is public; 404 for both "no such name" and "not shown".
  std::optional<Shown> subject;
  for (const Shown& s : shown_subjects(ctx)) {
    if (s.id.name == name) {
      subject = s;
      break;
    }
  }
  if (!subject) return not_found();
  if (what == "status") return badge_answer(name, public_word(subject->status), status_color(subject->status), json);
  std::string_view window;
  bool latency = false;
  if (what.starts_with("uptime/")) {
    window = what.substr(7);
    if (window != "24h" && window != "7d" && window != "30d" && window != "90d") return not_found();
  } else if (what == "latency/24h") {
    window = "24h";
    latency = true;
  } else {
    return not_found();
  }
  const std::int64_t seconds = *uptime_window_seconds(window);
  const std::int64_t now = history::unix_seconds(ctx.now);
  if (!ctx.history || !ctx.history->enabled()) return badge_answer(name, "no data", "#9f9f9f", json);
  const std::optional<history::Point> live = ctx.history->recorder().current(subject->id, ctx.now);
  return answer_from_history(ctx.history, [id = subject->id, name, window = std::string(window), seconds, now, live, latency,
                                           json](HistoryDb& db) {
    if (latency) {
      auto points = db.points(id, history::Level::kMinute, now - seconds, now, live);
      if (!points) return json_error(500, "history_read_failed", points.status().message());
      bool timed = false;
      for (const auto& p : *points) timed = timed || p.has_latency;
      if (!timed) return badge_answer(name + " latency", "no data", "#9f9f9f", json);
      const double p50 = history::combined_p50(*points);
      const std::string text = p50 < 10 ? fmt::format("{:.1f} ms", p50) : fmt::format("{:.0f} ms", p50);
      return badge_answer(name + " latency", text, p50 < 100 ? "#4c1" : p50 < 500 ? "#dfb317" : "#e05d44", json);
    }
    auto u = db.uptime(id, now - seconds, now, live);
    if (!u) return json_error(500, "history_read_failed", u.status().message());
    const auto r = u->ratio();
    return badge_answer(name + " " + window, r ? percent(r) : "no data", uptime_color(r), json);
  });
}

// GET: every announcement (config and API, shown or not); POST (token): a new one from
// {"message", "level", "from", "until" | "duration"}.
HttpResponse announcements_list(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  if (c.req.method != "POST") {
    nlohmann::json list = nlohmann::json::array();
    if (ctx.announcements) {
      for (const Announcement& a : ctx.announcements()) {
        nlohmann::json j = announcement_json(a);
        j["shown"] = a.shown_at(ctx.now);
        list.push_back(std::move(j));
      }
    }
    return json_answer(200, nlohmann::json{{"announcements", std::move(list)}}.dump(-1, ' ', false,
                                                                                  nlohmann::json::error_handler_t::replace));
  }
  if (auto refused = refuse_unauthorized(c.req, ctx.admin_token)) return *refused;
  if (!ctx.add_announcement) return json_error(503, "history_unavailable", "announcements are kept in the history, which is off");
  const nlohmann::json body = nlohmann::json::parse(c.req.body, nullptr, false);
  if (!body.is_object()) return json_error(400, "bad_request", "the body must be a JSON object with a \"message\"");
  Announcement a;
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return std::string("\x01");  // marks a wrong type
    return it->get<std::string>();
  };
  for (const auto& [key, value] : body.items()) {
    if (key != "message" && key != "level" && key != "from" && key != "until" && key != "duration") {
      return json_error(400, "bad_request", fmt::format("unknown field \"{}\" (message, level, from, until, duration)", key));
    }
  }
  const auto message = text("message");
  if (!message || message->empty() || *message == "\x01") {
    return json_error(400, "bad_request", "\"message\" is a non-empty string");
  }
  a.message = *message;
  if (auto level = text("level")) {
    if (*level != "info" && *level != "maintenance" && *level != "incident") {
      return json_error(400, "bad_request", "\"level\" is one of info, maintenance, incident");
    }
    a.level = *level;
  }
  for (const char* key : {"from", "until"}) {
    if (auto t = text(key)) {
      auto parsed = parse_iso8601_instant(*t);
      if (!parsed) return json_error(400, "bad_request", fmt::format("\"{}\" is an RFC 3339 time", key));
      (std::string_view(key) == "from" ? a.from : a.until) = *parsed;
    }
  }
  if (auto d = text("duration")) {
    const auto parsed = parse_duration(*d);
    if (!parsed || a.until) {
      return json_error(400, "bad_request", "\"duration\" is a duration (\"2h\"), and not given with \"until\"");
    }
    a.until = a.from.value_or(ctx.now) + std::chrono::duration_cast<WallTime::duration>(*parsed);
  }
  if (a.from && a.until && *a.until <= *a.from) return json_error(400, "bad_request", "\"until\" must be after \"from\"");
  Announcement made = ctx.add_announcement(std::move(a));
  return json_answer(201, announcement_json(made).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse announcement_one(const RouteCall& c) {
  const RouterContext& ctx = c.ctx;
  if (auto refused = refuse_unauthorized(c.req, ctx.admin_token)) return *refused;
  if (!ctx.remove_announcement || !ctx.remove_announcement(c.name)) {
    return json_error(404, "not_found", fmt::format("no announcement \"{}\" made through the API", c.name));
  }
  return text_answer(204, "");
}

}  // namespace hale
