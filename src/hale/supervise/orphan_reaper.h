// OrphanReaper: when hale adopts orphans (a child subreaper in the subreaper containment mode, or
// PID 1 in a container), processes whose parent died become hale's children. On every SIGCHLD it
// looks at hale's children (/proc/self/task/*/children) and, for each one hale did not start
// itself (ChildRegistry): reaps it if it has exited, and kills it if `keep(pid)` says its run is
// over. It never waits on a child hale started: those exits belong to their owners' pidfds, so
// there is no waitpid(-1) anywhere. One per process (it owns the SIGCHLD handler).
// Thread-safety: the loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <set>

namespace boost::asio {
class io_context;
}

namespace hale {

class OrphanReaper {
 public:
  // `keep(pid)`: whether an adopted process that still runs may go on (its run is alive).
  OrphanReaper(boost::asio::io_context& io, std::function<bool(pid_t)> keep);
  ~OrphanReaper();
  OrphanReaper(const OrphanReaper&) = delete;
  OrphanReaper& operator=(const OrphanReaper&) = delete;

  // Looks at every adopted child now (also done on each SIGCHLD).
  void sweep();

  struct Signals;

 private:
  void wait_for_signal();

  std::function<bool(pid_t)> keep_;
  std::set<pid_t> killed_;  // adopted and killed, not reaped yet: said once
  std::unique_ptr<Signals> signals_;
};

}  // namespace hale
