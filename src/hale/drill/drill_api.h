// The JSON of GET /api/v1/drills and GET /api/v1/drills/NAME (SPEC §7): each drill of the
// config with its running and last runs, and a drill asked for through POST /api/v1/drills
// (which the config does not have) while it runs or once it has run.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/drill/drill_runner.h"

namespace hale {

// {"drills": [{"name", "force", "duration", "expect", "schedule", "page", "running", "last_run"}]}
std::string drills_list_json(const DrillRunner& drills);
// {"drill": {...}} as one element of that list; nullopt for a name the runner does not know.
std::optional<std::string> drill_json(const DrillRunner& drills, std::string_view name);

}  // namespace hale
