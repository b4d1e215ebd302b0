// last_lines: reads backwards in 64 KiB chunks; LogFollower: poll-based tail -F.
#include "hale/cli/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace hale::cli {

std::size_t count_lines(const std::string& text) {
  const auto n = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

std::string last_lines(int fd, off_t size, std::size_t n) {
  if (n == 0 || size <= 0) return "";
  constexpr off_t kChunk = 64 * 1024;
  std::string buf;
  off_t pos = size;
  std::size_t newlines = 0;  // in buf, not counting a '\n' that ends the file
  bool ends_with_newline = false;
  while (pos > 0) {
    const off_t len = std::min(kChunk, pos);
    pos -= len;
    std::string chunk(static_cast<std::size_t>(len), '\0');
    const ssize_t got = pread(fd, chunk.data(), chunk.size(), pos);
    if (got != static_cast<ssize_t>(len)) {  // the file shrank under us: keep what we have
      pos += len;
      break;
    }
    if (buf.empty()) ends_with_newline = chunk.back() == '\n';
    newlines += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    buf.insert(0, chunk);
    if (newlines - (ends_with_newline ? 1 : 0) >= n) break;
  }
  // Walk back from the end to the n-th line start.
  std::size_t seen = 0;
  std::size_t i = buf.size() - (ends_with_newline ? 1 : 0);
  while (i > 0) {
    if (buf[i - 1] == '\n' && ++seen == n) return buf.substr(i);
    --i;
  }
  return buf;
}

LogFollower::LogFollower(std::string path, int fd, off_t offset) : path_(std::move(path)), fd_(fd), offset_(offset) {
  struct stat st {};
  if (fd_ >= 0 && fstat(fd_, &st) == 0) {
    dev_ = st.st_dev;
    ino_ = st.st_ino;
  }
}

LogFollower::~LogFollower() {
  if (fd_ >= 0) close(fd_);
}

void LogFollower::drain() {
  if (fd_ < 0) return;
  char buf[64 * 1024];
  bool wrote = false;
  while (true) {
    const ssize_t got = pread(fd_, buf, sizeof buf, offset_);
    if (got <= 0) break;
    std::fwrite(buf, 1, static_cast<std::size_t>(got), stdout);
    offset_ += got;
    wrote = true;
  }
  if (wrote) std::fflush(stdout);
}

void LogFollower::poll() {
  drain();
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) return;  // rotated away and not created again yet
  if (fd_ >= 0 && st.st_dev == dev_ && st.st_ino == ino_) {
    if (st.st_size < offset_) {  // truncated in place
      offset_ = 0;
      drain();
    }
    return;
  }
  // A new file at the path (or the first one): finish the old one, then read the new from 0.
  drain();
  const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  offset_ = 0;
  if (fstat(fd_, &st) == 0) {
    dev_ = st.st_dev;
    ino_ = st.st_ino;
  }
  drain();
}

}  // namespace hale::cli
