// SERVICE JSON -> ServiceInfo.
#include "hale/text/terminal_text.h"
#include "hale/cli/service_info.h"

#include "hale/cli/time_text.h"

namespace hale::cli {

std::string json_string(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  // What the daemon says may quote a target or a job (an unauthenticated ping's output): never
  // raw control characters on the terminal (issue 17).
  return it != j.end() && it->is_string() ? terminal_safe(it->get<std::string>()) : "";
}

namespace {

std::optional<WallTime> json_time(const nlohmann::json& j, const char* key) {
  return parse_iso8601_instant(json_string(j, key));
}

std::string describe_exit(const nlohmann::json& e) {
  if (!e.is_object()) return "";
  if (auto sig = e.find("signal"); sig != e.end() && sig->is_string()) return "signal " + sig->get<std::string>();
  if (auto code = e.find("code"); code != e.end() && code->is_number_integer()) {
    return "exit code " + std::to_string(code->get<long long>());
  }
  return "";
}

}  // namespace

ServiceInfo service_from_json(const nlohmann::json& j) {
  ServiceInfo s;
  if (!j.is_object()) return s;
  s.name = json_string(j, "name");
  s.state = json_string(j, "state");
  s.reason = json_string(j, "reason");
  s.wanted = json_string(j, "wanted");
  if (auto p = j.find("pid"); p != j.end() && p->is_number_integer()) s.pid = p->get<long long>();
  if (auto r = j.find("restarts"); r != j.end() && r->is_number_integer()) s.restarts = r->get<long long>();
  if (auto e = j.find("last_exit"); e != j.end()) s.last_exit = describe_exit(*e);
  s.next_restart_at = json_time(j, "next_restart_at");
  s.started_at = json_time(j, "started_at");
  s.status_text = json_string(j, "status_text");
  return s;
}

}  // namespace hale::cli
