// /api/v1/drills' JSON (see drill_api.h).
#include "hale/drill/drill_api.h"

#include <nlohmann/json.hpp>

namespace hale {

namespace {

// A drill's runs: the one going on, the last one; null when there is none.
void add_runs(nlohmann::json& j, const DrillRunner& drills, std::string_view name) {
  const auto& active = drills.active();
  j["running"] = active && active->drill == name ? to_json(*active) : nlohmann::json();
  const DrillRun* last = drills.last_run(name);
  j["last_run"] = last ? to_json(*last) : nlohmann::json();
}

nlohmann::json configured(const DrillRunner& drills, const DrillSpec& d) {
  nlohmann::json j = to_json(d);
  add_runs(j, drills, d.name);
  return j;
}

}  // namespace

std::string drills_list_json(const DrillRunner& drills) {
  nlohmann::json list = nlohmann::json::array();
  for (const DrillSpec& d : drills.drills()) list.push_back(configured(drills, d));
  return nlohmann::json{{"drills", std::move(list)}}.dump();
}

std::optional<std::string> drill_json(const DrillRunner& drills, std::string_view name) {
  for (const DrillSpec& d : drills.drills()) {
    if (d.name == name) return nlohmann::json{{"drill", configured(drills, d)}}.dump();
  }
  // Asked for through POST /api/v1/drills: known by its runs only.
  const auto& active = drills.active();
  if ((active && active->drill == name) || drills.last_run(name)) {
    nlohmann::json j{{"name", name}};
    add_runs(j, drills, name);
    return nlohmann::json{{"drill", std::move(j)}}.dump();
  }
  return std::nullopt;
}

}  // namespace hale
