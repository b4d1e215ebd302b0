// The set of hale's own children (see child_registry.h).
#include "hale/proc/child_registry.h"

#include <mutex>
#include <unordered_set>

namespace hale {

namespace {

struct Registry {
  std::mutex mu;
  std::unordered_set<pid_t> pids;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void note_own_child(pid_t pid) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.pids.insert(pid);
}

void forget_own_child(pid_t pid) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.pids.erase(pid);
}

bool is_own_child(pid_t pid) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  return r.pids.contains(pid);
}

}  // namespace hale
