// rmdir of a cgroup tree, leaves first (see cgroup_tree.h).
#include "hale/proc/cgroup_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>

namespace hale {

namespace {

// Removes every cgroup below the open directory `dir_fd` (depth-first), not `dir_fd` itself.
// Depth is bounded: hale's trees are three levels deep (hale.<pid>/NAME.service/<run>).
void remove_children(int dir_fd, int depth) {
  if (depth > 4) return;
  alignas(8) char buf[4096];
  long n;
  while ((n = ::syscall(SYS_getdents64, dir_fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[]
      std::uint16_t reclen;
      __builtin_memcpy(&reclen, buf + off + 16, sizeof reclen);
      const auto type = static_cast<unsigned char>(buf[off + 18]);
      const char* name = buf + off + 19;
      off += reclen;
      if (type != DT_DIR || name[0] == '.') continue;
      const int child = static_cast<int>(::syscall(SYS_openat, dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (child >= 0) {
        remove_children(child, depth + 1);
        ::syscall(SYS_close, child);
      }
      ::syscall(SYS_unlinkat, dir_fd, name, AT_REMOVEDIR);
    }
  }
}

}  // namespace

bool remove_cgroup_tree(const char* dir, int attempts) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const int fd = static_cast<int>(::syscall(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd < 0) return true;  // gone already
    remove_children(fd, 1);
    ::syscall(SYS_close, fd);
    if (::syscall(SYS_unlinkat, AT_FDCWD, dir, AT_REMOVEDIR) == 0) return true;
    const timespec pause{0, 10'000'000};
    ::syscall(SYS_nanosleep, &pause, nullptr);
  }
  return false;
}

}  // namespace hale
