// A drill from an API request (see drill_request.h): JSON -> the TOML a [drills.NAME] table
// would be -> the config's own drill reader.
#include "hale/drill/drill_request.h"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "hale/config/diagnostics.h"
#include "hale/config/drill_table.h"
#include "hale/config/load_context.h"

namespace hale {

namespace {

using json = nlohmann::json;

// A JSON scalar or list as the TOML value a config would hold; nullopt for anything else.
std::optional<toml::array> as_array(const json& v) {
  toml::array out;
  for (const json& e : v) {
    if (!e.is_string()) return std::nullopt;
    out.push_back(e.get<std::string>());
  }
  return out;
}

Status put(toml::table& t, const std::string& key, const json& v) {
  if (v.is_string()) {
    t.insert_or_assign(key, v.get<std::string>());
  } else if (v.is_number_integer()) {
    t.insert_or_assign(key, v.get<std::int64_t>());
  } else if (v.is_boolean()) {
    t.insert_or_assign(key, v.get<bool>());
  } else if (v.is_array()) {
    auto a = as_array(v);
    if (!a) return Status::error("`" + key + "` must be an array of strings");
    t.insert_or_assign(key, std::move(*a));
  } else {
    return Status::error("`" + key + "` must be a string, a number, a boolean or an array of strings");
  }
  return Status::ok();
}

}  // namespace

StatusOr<DrillSpec> parse_drill_request(std::string_view body, const Config& config) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::error("the body must be a JSON object: {\"name\", \"force\", \"duration\", \"expect\"}");
  auto name = j.find("name");
  if (name == j.end() || !name->is_string()) return Status::error("`name` (a string) is required");
  toml::table drill;
  for (const auto& [key, value] : j.items()) {
    if (key == "name") continue;
    if (key == "force" || key == "expect") {
      if (!value.is_object()) return Status::error("`" + key + "` must be an object");
      toml::table inner;
      for (const auto& [k, v] : value.items()) {
        if (Status s = put(inner, k, v); !s) return s;
      }
      drill.insert_or_assign(key, std::move(inner));
      continue;
    }
    if (Status s = put(drill, key, value); !s) return s;
  }
  toml::table drills;
  drills.insert_or_assign(name->get<std::string>(), std::move(drill));
  config::Diagnostics d("request");
  config::LoadContext ctx(d, "");
  std::vector<DrillSpec> read = config::read_drills(drills, config, ctx);
  if (d.size() > 0 || read.size() != 1) {
    std::string message;
    for (const ConfigError& e : d.take_in_file_order()) message += (message.empty() ? "" : "; ") + e.message;
    return Status::error(message.empty() ? "not a drill" : message);
  }
  return std::move(read.front());
}

}  // namespace hale
