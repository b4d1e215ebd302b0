// The degraded-mode matrix (see degraded_matrix.h).
#include "hale/matrix/degraded_matrix.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hale/alert/alert_routes.h"

namespace hale {

namespace {

// How much a failing thing weighs in one answer: nothing, degraded, or failed.
enum class Weight { kNone, kDegraded, kFail };

Weight weight(bool in_group, bool critical) {
  if (!in_group) return Weight::kNone;
  return critical ? Weight::kFail : Weight::kDegraded;
}

std::string answer(Weight w) {
  switch (w) {
    case Weight::kFail: return "503";
    case Weight::kDegraded: return "200 degraded";
    case Weight::kNone: return "200";
  }
  return "200";
}

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The checks blocked when `name` fails: those that depend on it, and on them, and so on.
std::vector<std::string> blocked_by(const Config& c, const std::string& name) {
  std::set<std::string> out;
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    const std::string parent = todo.back();
    todo.pop_back();
    for (const CheckSpec& child : c.checks) {
      if (contains(child.depends_on, parent) && out.insert(child.name).second) todo.push_back(child.name);
    }
  }
  return {out.begin(), out.end()};
}

// What a failing `name` does to one service, if anything, and whether that takes the service
// out of /readyz (and how much it weighs there).
struct ServiceEffect {
  std::string effect;
  bool not_ready = false;  // out of /readyz, its guard closed
};

std::optional<ServiceEffect> effect_on(const ServiceSpec& s, const std::string& name) {
  std::vector<std::string> parts;
  bool not_ready = false;
  if (contains(s.require, name)) {
    switch (s.on_require_fail) {
      case RequireFail::kStop:
        parts.push_back(fmt::format("stopped (held: {} fail) until every requirement is usable", name));
        not_ready = true;
        break;
      case RequireFail::kUnready:
        parts.push_back(fmt::format("keeps running, not ready (held: {} fail)", name));
        not_ready = true;
        break;
      case RequireFail::kIgnore: parts.push_back("keeps running (on_require_fail = \"ignore\", fail open)"); break;
    }
  }
  if (s.liveness == name) {
    parts.push_back(fmt::format("restarted (liveness), at most {} times in {}, then failed", s.restart_budget.max,
                                format_duration(s.restart_budget.window)));
  }
  if (s.readiness == name) {
    parts.push_back("not ready (readiness)");
    not_ready = true;
  }
  for (const ServiceDependency& d : s.depends_on) {
    if (d.name == name) parts.push_back("a start waits for it (depends_on healthy)");
  }
  if (parts.empty()) return std::nullopt;
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : "; ") + p;
  return ServiceEffect{text, not_ready};
}

// The weight a not-ready service has in /readyz: only services that take part (a readiness
// check, or on_require_fail = "unready"), critical per their readiness check.
Weight service_readyz_weight(const Config& c, const ServiceSpec& s) {
  if (!s.readiness.empty()) {
    const CheckSpec* r = c.find_check(s.readiness);
    return weight(true, r ? r->critical : true);
  }
  if (!s.require.empty() && s.on_require_fail == RequireFail::kUnready) return Weight::kFail;
  return Weight::kNone;
}

std::string after_text(Duration after) { return after <= Duration::zero() ? "at once" : "after " + format_duration(after); }

MatrixRow row_for(const Config& c, SubjectKind kind, const std::string& name, bool critical,
                  const std::vector<std::string>& groups, const std::string& guard_code) {
  MatrixRow row;
  row.kind = kind;
  row.name = name;
  row.critical = critical;
  Weight live = weight(contains(groups, "live"), critical);
  Weight ready = weight(contains(groups, "ready"), critical);
  for (const GroupSpec& g : c.groups) {
    if (contains(groups, g.name)) row.groups.push_back({g.name, answer(weight(true, critical))});
  }
  row.guards.push_back({"/guard/" + name, guard_code});
  for (const ServiceSpec& s : c.services) {
    auto e = effect_on(s, name);
    if (!e) continue;
    row.services.push_back({s.name, e->effect});
    if (e->not_ready) {
      ready = std::max(ready, service_readyz_weight(c, s));
      // /guard/NAME finds a check or heartbeat of that name first: the service's guard is
      // only reachable under a name of its own.
      const bool shadowed = c.find_check(s.name) != nullptr ||
                            std::any_of(c.heartbeats.begin(), c.heartbeats.end(),
                                        [&](const HeartbeatSpec& h) { return h.name == s.name; });
      if (!shadowed) row.guards.push_back({"/guard/" + s.name, default_guard_code(s.name)});
    }
  }
  if (kind == SubjectKind::kCheck) row.blocked = blocked_by(c, name);
  row.health = answer(weight(true, critical));
  row.livez = answer(live);
  row.readyz = answer(ready);
  for (const AlertRoute& r : routes_for(SubjectId{kind, name}, c.alerts)) {
    if (std::find(r.policy.on.begin(), r.policy.on.end(), Health::kFail) == r.policy.on.end()) continue;
    row.alerted.push_back({r.notifier, after_text(r.policy.after)});
  }
  return row;
}

std::string list(const std::vector<MatrixEffect>& effects, std::string_view sep) {
  std::string out;
  for (const MatrixEffect& e : effects) out += (out.empty() ? "" : std::string(sep)) + e.name + ": " + e.effect;
  return out;
}

std::string names(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string or_dash(std::string s) { return s.empty() ? "-" : s; }

// A Markdown cell: no pipe or line break may end it early.
std::string md(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') {
      out += "\\|";
    } else if (ch == '\n') {
      out += "<br>";
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::vector<MatrixRow> degraded_matrix(const Config& config) {
  std::vector<MatrixRow> rows;
  for (const CheckSpec& ch : config.checks) {
    rows.push_back(row_for(config, SubjectKind::kCheck, ch.name, ch.critical, ch.groups, ch.guard_code));
  }
  for (const HeartbeatSpec& h : config.heartbeats) {
    rows.push_back(row_for(config, SubjectKind::kHeartbeat, h.name, h.critical, h.groups, h.guard_code));
  }
  return rows;
}

std::string matrix_text(const std::vector<MatrixRow>& rows) {
  std::string out;
  for (const MatrixRow& r : rows) {
    if (!out.empty()) out += "\n";
    out += fmt::format("when {} {} is down ({}):\n", to_string(r.kind), r.name, r.critical ? "critical" : "non-critical");
    out += fmt::format("  /health   {}\n", r.health);
    out += fmt::format("  /livez    {}\n", r.livez);
    out += fmt::format("  /readyz   {}\n", r.readyz);
    for (const MatrixEffect& g : r.groups) out += fmt::format("  /groupz/{}  {}\n", g.name, g.effect);
    out += fmt::format("  guards    {}\n", list(r.guards, ", "));
    if (r.services.empty()) out += "  services  -\n";
    for (std::size_t i = 0; i < r.services.size(); ++i) {
      out += fmt::format("  {}  {}: {}\n", i == 0 ? "services" : "        ", r.services[i].name, r.services[i].effect);
    }
    if (r.kind == SubjectKind::kCheck) out += fmt::format("  blocked   {}\n", or_dash(names(r.blocked)));
    out += fmt::format("  alerted   {}\n", r.alerted.empty() ? "nobody" : list(r.alerted, ", "));
  }
  return out;
}

std::string matrix_markdown(const std::vector<MatrixRow>& rows) {
  std::string out =
      "| down | /health | /livez | /readyz | groups | guards answering 503 | services | checks blocked | alerted |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const MatrixRow& r : rows) {
    std::vector<std::string> guards;
    for (const MatrixEffect& g : r.guards) guards.push_back("`" + g.name + "`");
    out += fmt::format("| {} `{}`{} | {} | {} | {} | {} | {} | {} | {} | {} |\n", to_string(r.kind), md(r.name),
                       r.critical ? "" : " (non-critical)", r.health, r.livez, r.readyz, md(or_dash(list(r.groups, "<br>"))),
                       md(names(guards)), md(or_dash(list(r.services, "<br>"))), md(or_dash(names(r.blocked))),
                       md(r.alerted.empty() ? "nobody" : list(r.alerted, "<br>")));
  }
  return out;
}

std::string matrix_json(const std::vector<MatrixRow>& rows) {
  using nlohmann::ordered_json;
  auto effects = [](const std::vector<MatrixEffect>& v, const char* key, const char* value) {
    ordered_json arr = ordered_json::array();
    for (const MatrixEffect& e : v) arr.push_back({{key, e.name}, {value, e.effect}});
    return arr;
  };
  ordered_json arr = ordered_json::array();
  for (const MatrixRow& r : rows) {
    ordered_json j;
    j["kind"] = to_string(r.kind);
    j["name"] = r.name;
    j["critical"] = r.critical;
    j["health"] = r.health;
    j["livez"] = r.livez;
    j["readyz"] = r.readyz;
    j["groups"] = effects(r.groups, "group", "answer");
    j["guards"] = effects(r.guards, "path", "code");
    j["services"] = effects(r.services, "service", "effect");
    j["blocked"] = r.blocked;
    j["alerted"] = effects(r.alerted, "notifier", "when");
    arr.push_back(std::move(j));
  }
  ordered_json doc;
  doc["matrix"] = std::move(arr);
  return doc.dump(2) + "\n";
}

}  // namespace hale
