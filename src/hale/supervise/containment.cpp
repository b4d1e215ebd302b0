// Choosing and keeping the containment mode (see containment.h).
#include "hale/supervise/containment.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "hale/log/json_log.h"
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

// Removes `dir` and the cgroups directly below it, waiting a little for killed processes to be
// gone (a cgroup with a process in it cannot be removed).
void remove_cgroup_tree(const std::string& dir) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        if (e->d_type == DT_DIR && e->d_name[0] != '.') ::rmdir((dir + "/" + e->d_name).c_str());
      }
      ::closedir(d);
    }
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
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
    remove_cgroup_tree(dir);
    log_event(LogLevel::kInfo, "containment_stale_cgroup_removed", {{"cgroup", dir}});
  }
}

// Whether a process may be moved into a cgroup below `top`: a child of ours tries it and exits.
Status try_joining(const std::string& top) {
  const std::string probe = top + "/hale-probe";
  if (::mkdir(probe.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::error(fmt::format("cannot create {}: {}", probe, errno_text(errno)));
  }
  const int fd = ::open((probe + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    ::rmdir(probe.c_str());
    return Status::error(fmt::format("cannot open {}/cgroup.procs: {}", probe, errno_text(e)));
  }
  const pid_t child = ::fork();
  if (child == 0) {
    const bool ok = ::write(fd, "0", 1) == 1;
    ::_exit(ok ? 0 : (errno & 0x7f) + 1);
  }
  ::close(fd);
  int status = 0;
  if (child > 0) ::waitpid(child, &status, 0);
  ::rmdir(probe.c_str());
  if (child < 0) return Status::error(std::string("fork: ") + errno_text(errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const int e = WIFEXITED(status) ? WEXITSTATUS(status) - 1 : EIO;
    return Status::error(fmt::format("cannot move a process into a cgroup under {}: {}", top, errno_text(e)));
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
  for (const auto& [service, fd] : joins_) ::close(fd);
  if (!top_.empty()) remove_cgroup_tree(top_);
}

StatusOr<int> Containment::join_fd(const std::string& service) {
  if (mode_ != ContainmentMode::kCgroup) return -1;
  if (auto it = joins_.find(service); it != joins_.end()) return it->second;
  const std::string dir = top_ + "/" + service + ".service";
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::error(fmt::format("cannot create the cgroup {}: {}", dir, errno_text(errno)));
  }
  const int fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(fmt::format("cannot open {}/cgroup.procs: {}", dir, errno_text(errno)));
  joins_.emplace(service, fd);
  return fd;
}

void Containment::kill_leftovers(const std::string& service, const std::string& invocation_id) {
  if (mode_ == ContainmentMode::kCgroup) {
    if (joins_.contains(service)) write_text(top_ + "/" + service + ".service/cgroup.kill", "1");
    return;
  }
  if (invocation_id.size() != kInvocationIdLength) return;
  const char* ids[] = {invocation_id.c_str()};
  kill_marked_processes(ids, 1, ::getpid(), 10);
}

}  // namespace hale
