// Containment: how hale makes sure nothing a service started outlives its run, its `hale stop`,
// or hale itself (SPEC §4: no orphans, even a descendant that left the process group or the
// session with setsid or a double fork). Two modes, chosen once at start:
//
// - cgroup: each run of a service runs in a cgroup v2 of its own,
//   <hale's cgroup>/hale.<pid>/<NAME>.service/<INVOCATION_ID> (its process is born in it: clone3,
//   proc/fork_into.h). What a run leaves behind dies with one write to that cgroup's cgroup.kill,
//   whatever groups or sessions it made; the guardian writes hale.<pid>'s
//   cgroup.kill if hale dies. Used where hale may create a cgroup: under systemd with
//   Delegate=yes, or in a container with a writable cgroup2 mount (found in /proc/self/mountinfo,
//   not assumed at /sys/fs/cgroup), on Linux 5.14 or later (cgroup.kill).
// - subreaper: otherwise. hale is a child subreaper (PR_SET_CHILD_SUBREAPER), so the orphans of a
//   service come back to hale rather than to init, and the OrphanReaper reaps them. Every run
//   carries INVOCATION_ID=<32 hex> in its environment, which what it starts inherits; a run's
//   leftovers are found by it in /proc and killed (here, and by the guardian after hale died). A
//   descendant that clears its environment before it escapes the group is out of reach in this
//   mode (not in the cgroup mode).
//
// Thread-safety: the loop thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hale/config.h"
#include "hale/status.h"

namespace hale {

enum class ContainmentMode { kCgroup, kSubreaper };
std::string_view to_string(ContainmentMode m);

class Containment {
 public:
  // Sets up the mode `setting` asks for: auto tries a cgroup first and falls back to the
  // subreaper (why_not_cgroup() says why); cgroup fails when hale may not create one.
  static StatusOr<std::unique_ptr<Containment>> open(ContainmentSetting setting);
  // Removes the cgroups it made (the services have stopped by then).
  ~Containment();
  Containment(const Containment&) = delete;
  Containment& operator=(const Containment&) = delete;

  ContainmentMode mode() const { return mode_; }
  // Why the cgroup mode is not in force ("" when it is, or was not asked for).
  const std::string& why_not_cgroup() const { return why_not_cgroup_; }
  // cgroup mode: the directory of hale's cgroups (hale.<pid>), "" otherwise.
  const std::string& cgroup_dir() const { return top_; }

  // cgroup mode: a new cgroup for one process of a run of `service`, <NAME>.service/<leaf> (the
  // leaf: the run's INVOCATION_ID, with ".pre_start" for its pre_start), open; the caller closes
  // it once the process is born in it (clone3 CLONE_INTO_CGROUP). -1 in subreaper mode.
  StatusOr<int> open_run_cgroup(const std::string& service, const std::string& leaf);

  // SIGKILLs whatever is left of that process (a crash, a stop, hale stopping): everything in
  // its cgroup (then removed, or at the service's next start once empty), or, in subreaper mode,
  // every process carrying `invocation_id`.
  void kill_leftovers(const std::string& service, const std::string& leaf, const std::string& invocation_id);

 private:
  explicit Containment(ContainmentMode mode) : mode_(mode) {}

  ContainmentMode mode_;
  std::string why_not_cgroup_;
  std::string top_;                    // <hale's cgroup>/hale.<pid>
  std::string run_cgroup(const std::string& service, const std::string& leaf) const;
  static void remove_finished_runs(const std::string& parent, const std::string& keep);
};

// A new run's INVOCATION_ID: 32 lower-case hex digits.
std::string new_invocation_id(std::uint64_t a, std::uint64_t b);

}  // namespace hale
