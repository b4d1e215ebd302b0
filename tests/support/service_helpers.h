// Helpers for supervisor integration tests: the services API of a running hale, the test child
// program (tests/helpers/svc_child.cpp) as a TOML command, and /proc lookups.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "support/hale_process.h"
#include "support/http_client.h"

// Set by tests/CMakeLists.txt for the integration tests.
#ifndef HALE_TEST_CHILD
#error "HALE_TEST_CHILD (the path of hale_test_child) must be defined"
#endif

namespace hale::testing {

inline constexpr const char* kServiceToken = "svc-test-token";

// [server] for a supervisor test: loopback, the test token, state under the test's temp dir.
inline std::string server_section(const std::string& state_dir) {
  return "[server]\nlisten = \"127.0.0.1:{PORT}\"\nadmin_token = \"" + std::string(kServiceToken) +
         "\"\nstate_dir = \"" + state_dir + "\"\n";
}

// `["<hale_test_child>", "arg", ...]` as TOML.
inline std::string child_command(std::initializer_list<std::string> args) {
  std::string out = "[\"" HALE_TEST_CHILD "\"";
  for (const auto& a : args) out += ", \"" + a + "\"";
  return out + "]";
}

// GET /api/v1/services/NAME as JSON; null when it did not answer 200.
inline nlohmann::json service_state(const HaleProcess& hale, const std::string& name) {
  HttpReply r = http_get(hale.url("/api/v1/services/" + name));
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

inline std::string state_of(const HaleProcess& hale, const std::string& name) {
  nlohmann::json j = service_state(hale, name);
  return j.is_object() ? j.value("state", "") : "";
}

inline std::optional<pid_t> pid_of(const HaleProcess& hale, const std::string& name) {
  nlohmann::json j = service_state(hale, name);
  if (!j.is_object() || !j["pid"].is_number()) return std::nullopt;
  return j["pid"].get<pid_t>();
}

inline HttpReply service_action(const HaleProcess& hale, const std::string& name, const std::string& action,
                                const std::string& token = kServiceToken) {
  std::vector<std::string> headers;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  return http_request("POST", hale.url("/api/v1/services/" + name + "/" + action), headers);
}

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 when there is no such process.
inline char proc_state(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return 0;
  const auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() ? 0 : line[paren + 2];
}

// Alive and not a zombie.
inline bool running(pid_t pid) {
  const char s = proc_state(pid);
  return s != 0 && s != 'Z' && s != 'X';
}

inline std::optional<pid_t> read_pid_file(const std::string& path) {
  std::ifstream f(path);
  long pid = 0;
  if (!(f >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace hale::testing
