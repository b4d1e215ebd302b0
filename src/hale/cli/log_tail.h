// Reading a service's rotated log files (state_dir/logs/NAME.log, NAME.log.1, ...) for
// `hale logs`: the last N lines across rotations, and following the current file like
// `tail -F` (through rotation and truncation).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace hale::cli {

// The text of the last `n` lines of the file open at `fd`, looking only at bytes [0, size).
// A last line without '\n' counts as a line and is returned as it is.
std::string last_lines(int fd, off_t size, std::size_t n);

// Lines in `text`: its '\n's, plus one for a last line without '\n'.
std::size_t count_lines(const std::string& text);

// The current log file followed from an offset; poll() prints what was appended since.
class LogFollower {
 public:
  // `fd` (may be -1 when the file does not exist yet) is adopted, `offset` is where to go on.
  LogFollower(std::string path, int fd, off_t offset);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Writes new bytes to stdout (flushed); reopens the path when it was replaced (rotation:
  // another inode) after draining the old file, and starts over when it shrank (truncation).
  void poll();

 private:
  void drain();

  std::string path_;
  int fd_;
  off_t offset_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace hale::cli
