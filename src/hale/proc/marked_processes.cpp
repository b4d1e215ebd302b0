// Finding processes by their INVOCATION_ID (see marked_processes.h). Written for a forked child:
// raw system calls (getdents64 rather than opendir), fixed buffers on the stack, no allocation.
#include "hale/proc/marked_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace hale {

namespace {

struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// "/proc/<pid>/environ" into `buf` (at least 32 bytes).
void environ_path(pid_t pid, char* buf) {
  char digits[16];
  int n = 0;
  unsigned long v = static_cast<unsigned long>(pid);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 && n < 15);
  char* p = buf;
  for (const char* s = "/proc/"; *s;) *p++ = *s++;
  while (n > 0) *p++ = digits[--n];
  for (const char* s = "/environ"; *s;) *p++ = *s++;
  *p = '\0';
}

// Reads the environment of `pid` entry by entry ("KEY=VALUE", NUL-separated) and returns the
// value of INVOCATION_ID in `out` when it is one of the expected length.
bool read_invocation_id(pid_t pid, char* out) {
  char path[40];
  environ_path(pid, path);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  constexpr std::size_t kVarLen = sizeof(kInvocationVar) - 1;
  char entry[kVarLen + kInvocationIdLength + 1];  // enough to recognise our entry; longer ones are not it
  std::size_t len = 0;
  bool too_long = false;
  bool found = false;
  char chunk[4096];
  ssize_t n;
  while (!found && (n = ::read(fd, chunk, sizeof chunk)) > 0) {
    for (ssize_t i = 0; i < n && !found; ++i) {
      const char c = chunk[i];
      if (c != '\0') {
        if (len < sizeof entry) {
          entry[len++] = c;
        } else {
          too_long = true;
        }
        continue;
      }
      if (!too_long && len == kVarLen + kInvocationIdLength && std::memcmp(entry, kInvocationVar, kVarLen) == 0) {
        std::memcpy(out, entry + kVarLen, kInvocationIdLength);
        out[kInvocationIdLength] = '\0';
        found = true;
      }
      len = 0;
      too_long = false;
    }
  }
  ::close(fd);
  return found;
}

}  // namespace

bool invocation_id_of(pid_t pid, char* out) { return read_invocation_id(pid, out); }

int kill_marked_processes(const char* const* ids, int count, pid_t self, int max_passes) {
  if (count <= 0) return 0;
  int killed_total = 0;
  for (int pass = 0; pass < max_passes; ++pass) {
    const int dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return killed_total;
    int killed = 0;
    alignas(LinuxDirent64) char buf[8192];
    long n;
    while ((n = ::syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
      for (long off = 0; off < n;) {
        const auto* d = reinterpret_cast<const LinuxDirent64*>(buf + off);
        off += d->d_reclen;
        pid_t pid = 0;
        const char* s = d->d_name;
        if (*s < '1' || *s > '9') continue;
        for (; *s >= '0' && *s <= '9'; ++s) pid = pid * 10 + (*s - '0');
        if (*s != '\0' || pid == self) continue;
        char id[kInvocationIdLength + 1];
        if (!read_invocation_id(pid, id)) continue;
        for (int i = 0; i < count; ++i) {
          if (std::memcmp(id, ids[i], kInvocationIdLength) == 0 && ids[i][kInvocationIdLength] == '\0') {
            if (::kill(pid, SIGKILL) == 0) ++killed;
            break;
          }
        }
      }
    }
    ::close(dir);
    killed_total += killed;
    if (killed == 0) break;
  }
  return killed_total;
}

}  // namespace hale
