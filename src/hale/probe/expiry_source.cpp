// The file and environment sources of an expiry check (see expiry_source.h).
#include "hale/probe/expiry_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hale {

namespace {

// Closes the descriptor on every way out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status cannot_read(const std::string& path, const std::string& why) {
  return Status::error("cannot read file:" + path + ": " + why);
}

Status too_large(const std::string& path) {
  return Status::error("file:" + path + " is larger than 1 MiB; a credential file is small");
}

}  // namespace

std::string expiry_source_name(const ExpiryCheck& spec) {
  switch (spec.source_kind) {
    case ExpirySource::kFile: return "file:" + spec.source;
    case ExpirySource::kEnv: return "env:" + spec.source;
    case ExpirySource::kUrl: break;
  }
  return "url";
}

StatusOr<std::string> read_expiry_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return cannot_read(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return cannot_read(path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return cannot_read(path, std::strerror(EISDIR));
  if (!S_ISREG(st.st_mode)) return cannot_read(path, "not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxExpiryDocument) return too_large(path);
  std::string content;
  char buf[16 * 1024];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return cannot_read(path, std::strerror(errno));
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    // The file may grow between fstat() and here.
    if (content.size() > kMaxExpiryDocument) return too_large(path);
  }
  return content;
}

StatusOr<std::string> read_expiry_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return Status::error("environment variable " + name + " is not set");
  return std::string(value);
}

}  // namespace hale
