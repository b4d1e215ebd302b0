// The small behaviours of ServiceView (hale/service_view.h): names, health, aggregation.
#include "hale/service_view.h"

#include <algorithm>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace hale {

std::string_view to_string(ServiceState s) {
  switch (s) {
    case ServiceState::kStopped: return "stopped";
    case ServiceState::kStarting: return "starting";
    case ServiceState::kRunning: return "running";
    case ServiceState::kReady: return "ready";
    case ServiceState::kUnhealthy: return "unhealthy";
    case ServiceState::kBackoff: return "backoff";
    case ServiceState::kStopping: return "stopping";
    case ServiceState::kFailed: return "failed";
    case ServiceState::kExited: return "exited";
  }
  return "stopped";
}

std::string signal_name(int sig) {
  // sigabbrev_np (glibc 2.32) gives "TERM" for 15 without allocating or localising.
  if (const char* abbrev = ::sigabbrev_np(sig)) return fmt::format("SIG{}", abbrev);
  return fmt::format("signal {}", sig);
}

std::string ExitInfo::describe() const {
  if (signal) return "killed by " + signal_name(*signal);
  if (code) return fmt::format("exit code {}", *code);
  return "unknown";
}

bool ServiceView::in_readyz() const {
  return !readiness.empty() || (!require.empty() && on_require_fail == RequireFail::kUnready);
}

Health ServiceView::ready_health() const {
  if (!held.empty()) return Health::kFail;
  switch (state) {
    case ServiceState::kReady: return Health::kOk;
    case ServiceState::kRunning: return readiness.empty() ? Health::kOk : Health::kFail;
    case ServiceState::kStarting: return Health::kUnknown;
    default: return Health::kFail;
  }
}

Health ServiceView::overall_health() const {
  switch (state) {
    case ServiceState::kRunning:
    case ServiceState::kReady:
    case ServiceState::kStopped:
      return Health::kOk;
    case ServiceState::kStarting:
      return Health::kUnknown;
    case ServiceState::kUnhealthy:
    case ServiceState::kBackoff:
      return Health::kDegraded;
    case ServiceState::kStopping:
      return wanted ? Health::kDegraded : Health::kOk;
    case ServiceState::kExited:
      return last_exit && last_exit->code == 0 ? Health::kOk : Health::kFail;
    case ServiceState::kFailed:
      return Health::kFail;
  }
  return Health::kUnknown;
}

void finalize(ServicesSnapshot& snap) {
  // The rules of SPEC §3 for checks, with a service's `critical` taken from its readiness check.
  auto fold = [](Health acc, Health h, bool critical, bool unknown_fails) {
    if (h == Health::kUnknown) h = unknown_fails ? Health::kFail : Health::kOk;
    if (h == Health::kFail && !critical) h = Health::kDegraded;
    return std::max(acc, h, [](Health a, Health b) {
      auto rank = [](Health x) { return x == Health::kFail ? 2 : x == Health::kDegraded ? 1 : 0; };
      return rank(a) < rank(b);
    });
  };
  snap.ready = Health::kOk;
  snap.overall = Health::kOk;
  for (const auto& s : snap.services) {
    const bool waiting_for_a_verdict =
        s->joining && (s->state == ServiceState::kStarting || s->state == ServiceState::kRunning);
    const bool counts_for_ready = s->in_readyz() && !waiting_for_a_verdict;
    if (counts_for_ready) snap.ready = fold(snap.ready, s->ready_health(), s->critical, true);
    snap.overall = fold(snap.overall, s->overall_health(), s->critical, false);
  }
}

const ServiceView* ServicesSnapshot::find(std::string_view name) const {
  auto it = std::lower_bound(services.begin(), services.end(), name,
                             [](const auto& s, std::string_view n) { return s->name < n; });
  return it != services.end() && (*it)->name == name ? it->get() : nullptr;
}

}  // namespace hale
