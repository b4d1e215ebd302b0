// The degraded-mode matrix (SPEC §7): for every check and heartbeat of a config, what follows
// when it is down (fail): /livez, /readyz and custom groups, the guards that answer 503, the
// services stopped, unready, not ready, restarted or kept waiting, the checks it blocks, and who
// is alerted after how long. Read from the config alone (no daemon): the incident-response
// checklist that `hale matrix` prints. Pure.
#pragma once

#include <string>
#include <vector>

#include "hale/config.h"

namespace hale {

// One consequence for one named thing: ("voice-agent", "stopped (held) until llama-guard is usable").
struct MatrixEffect {
  std::string name;
  std::string effect;
  bool operator==(const MatrixEffect&) const = default;
};

struct MatrixRow {
  SubjectKind kind = SubjectKind::kCheck;  // a check or a heartbeat
  std::string name;
  bool critical = true;
  // "503", "200 degraded" (a non-critical subject, or a service that weighs as non-critical),
  // or "200" (unaffected).
  std::string health;  // /health: "503" (critical) or "200 degraded"
  std::string livez;
  std::string readyz;
  std::vector<MatrixEffect> groups;    // custom groups: group -> "503" | "200 degraded"
  std::vector<MatrixEffect> guards;    // "/guard/NAME" -> its 503 code
  std::vector<MatrixEffect> services;  // service -> what happens to it
  std::vector<std::string> blocked;    // checks blocked by it (depends_on, transitively), sorted
  std::vector<MatrixEffect> alerted;   // notifier -> "at once" | "after 2m"
};

// Every check, then every heartbeat, each in name order.
std::vector<MatrixRow> degraded_matrix(const Config& config);

// The renderings of `hale matrix --format`: text (a block per subject), a Markdown table, JSON.
std::string matrix_text(const std::vector<MatrixRow>& rows);
std::string matrix_markdown(const std::vector<MatrixRow>& rows);
std::string matrix_json(const std::vector<MatrixRow>& rows);

}  // namespace hale
