// Choosing and keeping the containment mode (see containment.h).
#include "hale/supervise/containment.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "hale/log/json_log.h"
#include "hale/proc/cgroup_tree.h"
#include "hale/proc/fork_into.h"
#include "hale/proc/marked_processes.h"
#include "hale/supervise/guardian.h"

namespace hale {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// hale's own cgroup v2 directory: its path in /proc/self/cgroup ("0::/path") under the
// cgroup2 mount that holds it (/proc/self/mountinfo). An error says why there is none.
StatusOr<std::string> own_cgroup_dir() {
  std::ifstream cg("/proc/self/cgroup");
  std::string line, path;
  bool v2 = false;
  while (std::getline(cg, line)) {
    if (line.rfind("0::", 0) == 0) {
      path = line.substr(3);
      v2 = true;
    }
  }
  if (!v2) return Status::error("no cgroup v2 hierarchy (/proc/self/cgroup has no \"0::\" line)");
  std::ifstream mi("/proc/self/mountinfo");
  while (std::getline(mi, line)) {
    std::istringstream in(line);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    std::size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 5 || dash + 1 >= f.size() || f[dash + 1] != "cgroup2") continue;
    const std::string root = unescape_mountinfo(f[3]);
    const std::string mount_point = unescape_mountinfo(f[4]);
    // The mount shows the hierarchy from `root` down: hale's cgroup must be at or below it.
    if (root != "/" && path != root && path.rfind(root + "/", 0) != 0) continue;
    const std::string below = root == "/" ? path : path.substr(root.size());
    return mount_point + (below == "/" ? "" : below);
  }
  return Status::error("no cgroup2 file system is mounted (/proc/self/mountinfo)");
}

bool pid_alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

bool write_text(const std::string& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// The cgroups of hales that are gone (their guardian killed what they ran, or it was killed
// too): kill what is left in them and remove them.
void remove_stale_cgroups(const std::string& parent) {
  DIR* d = ::opendir(parent.c_str());
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind("hale.", 0) != 0 || name.size() <= 5) continue;
    const std::string digits = name.substr(5);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid != ::getpid() && !pid_alive(pid)) stale.push_back(parent + "/" + name);
  }
  ::closedir(d);
  for (const std::string& dir : stale) {
    write_text(dir + "/cgroup.kill", "1");
    remove_cgroup_tree(dir.c_str(), 50);
    log_event(LogLevel::kInfo, "containment_stale_cgroup_removed", {{"cgroup", dir}});
  }
}

// Whether a process may be born in a cgroup below `top`, as every service run will be: a child
// is, and exits at once.
Status try_joining(const std::string& top) {
  const std::string probe = top + "/hale-probe";
  if (::mkdir(probe.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::error(fmt::format("cannot create {}: {}", probe, errno_text(errno)));
  }
  const int fd = ::open(probe.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    ::rmdir(probe.c_str());
    return Status::error(fmt::format("cannot open {}: {}", probe, errno_text(e)));
  }
  const pid_t child = fork_into_cgroup(fd);
  const int e = errno;
  if (child == 0) ::syscall(SYS_exit_group, 0);  // raw calls only in this child (fork_into.h)
  ::close(fd);
  if (child > 0) ::waitpid(child, nullptr, 0);
  ::rmdir(probe.c_str());
  if (child < 0) {
    return Status::error(fmt::format("cannot start a process in a cgroup under {}: {}", top, errno_text(e)));
  }
  return Status::ok();
}

// Sets up <own cgroup>/hale.<pid>, or says why it cannot.
StatusOr<std::string> make_top_cgroup() {
  auto own = own_cgroup_dir();
  if (!own) return own.status();
  remove_stale_cgroups(*own);
  const std::string top = fmt::format("{}/hale.{}", *own, ::getpid());
  if (::mkdir(top.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::error(fmt::format("cannot create {}: {}", top, errno_text(errno)));
  }
  if (::access((top + "/cgroup.kill").c_str(), W_OK) != 0) {
    ::rmdir(top.c_str());
    return Status::error(fmt::format("{} has no writable cgroup.kill (it needs Linux 5.14 or later)", top));
  }
  if (Status s = try_joining(top); !s) {
    ::rmdir(top.c_str());
    return s;
  }
  return top;
}

}  // namespace

std::string_view to_string(ContainmentMode m) { return m == ContainmentMode::kCgroup ? "cgroup" : "subreaper"; }

std::string new_invocation_id(std::uint64_t a, std::uint64_t b) { return fmt::format("{:016x}{:016x}", a, b); }

StatusOr<std::unique_ptr<Containment>> Containment::open(ContainmentSetting setting) {
  std::string why_not;
  if (setting != ContainmentSetting::kSubreaper) {
    auto top = make_top_cgroup();
    if (top) {
      std::unique_ptr<Containment> c(new Containment(ContainmentMode::kCgroup));
      c->top_ = *top;
      Guardian::instance().set_cgroup_kill_file(c->top_ + "/cgroup.kill");
      return c;
    }
    if (setting == ContainmentSetting::kCgroup) {
      return Status::error("containment = \"cgroup\", but " + top.status().message());
    }
    why_not = top.status().message();
  }
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    return Status::error(std::string("cannot become a child subreaper: ") + errno_text(errno));
  }
  std::unique_ptr<Containment> c(new Containment(ContainmentMode::kSubreaper));
  c->why_not_cgroup_ = std::move(why_not);
  return c;
}

Containment::~Containment() {
  if (!top_.empty()) remove_cgroup_tree(top_.c_str(), 50);
}

std::string Containment::run_cgroup(const std::string& service, const std::string& leaf) const {
  return fmt::format("{}/{}.service/{}", top_, service, leaf);
}

StatusOr<int> Containment::open_run_cgroup(const std::string& service, const std::string& leaf) {
  if (mode_ != ContainmentMode::kCgroup) return -1;
  // A cgroup of its own for every process of every run (pre_start and the command apart): on
  // this kernel (6.18) a child cloned into a cgroup that was once killed through cgroup.kill is
  // killed at birth, so a cgroup is never used twice.
  const std::string parent = fmt::format("{}/{}.service", top_, service);
  if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::error(fmt::format("cannot create the cgroup {}: {}", parent, errno_text(errno)));
  }
  remove_finished_runs(parent, leaf);
  const std::string dir = run_cgroup(service, leaf);
  if (::mkdir(dir.c_str(), 0755) != 0) {  // EEXIST too: a used cgroup is never reused
    return Status::error(fmt::format("cannot create the cgroup {}: {}", dir, errno_text(errno)));
  }
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::error(fmt::format("cannot open the cgroup {}: {}", dir, errno_text(errno)));
  return fd;
}

// The cgroups of a service's earlier runs, once their processes are gone (a killed process may
// still be on its way out when its run's cgroup is first tried).
void Containment::remove_finished_runs(const std::string& parent, const std::string& keep) {
  DIR* d = ::opendir(parent.c_str());
  if (!d) return;
  std::vector<std::string> old;
  while (dirent* e = ::readdir(d)) {
    if (e->d_type == DT_DIR && e->d_name[0] != '.' && keep != e->d_name) old.push_back(parent + "/" + e->d_name);
  }
  ::closedir(d);
  for (const std::string& dir : old) ::rmdir(dir.c_str());  // EBUSY while populated: next time
}

void Containment::kill_leftovers(const std::string& service, const std::string& leaf,
                                 const std::string& invocation_id) {
  if (mode_ == ContainmentMode::kCgroup) {
    if (leaf.empty()) return;
    const std::string dir = run_cgroup(service, leaf);
    if (write_text(dir + "/cgroup.kill", "1")) ::rmdir(dir.c_str());  // gone now, or at the next run
    return;
  }
  if (invocation_id.size() != kInvocationIdLength) return;
  const char* ids[] = {invocation_id.c_str()};
  kill_marked_processes(ids, 1, ::getpid(), 10);
}

}  // namespace hale
