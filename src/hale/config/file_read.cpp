// Reading a config file or a secret file whole, within bounds (see file_read.h).
#include "hale/config/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace hale::config {

namespace {

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a file";
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string byte_size_text(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} bytes", bytes);
}

Status check_readable_regular_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (f.fd < 0) return Status::error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kUnavailable, std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Status::unavailable(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::error(fmt::format("not a regular file ({})", kind_of(st.st_mode)));
  return Status::ok();
}

StatusOr<std::string> read_regular_file(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (f.fd < 0) return Status::error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kUnavailable, std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Status::unavailable(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::error(fmt::format("not a regular file ({})", kind_of(st.st_mode)));
  const auto too_big = [&](std::size_t size) {
    return Status::error(fmt::format("is {}; the limit is {}", byte_size_text(size), byte_size_text(max_bytes)));
  };
  if (static_cast<std::size_t>(st.st_size) > max_bytes) return too_big(static_cast<std::size_t>(st.st_size));
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::unavailable(std::strerror(errno));
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) return too_big(text.size());  // it grew while read
  }
  return text;
}

}  // namespace hale::config
