// RotatingLog: a supervised service's stdout/stderr file under state_dir/logs/, rotated by size
// (like logrotate's `size` + `rotate N`): NAME.log is written, NAME.log.1 is the previous one,
// up to NAME.log.<keep>; older ones are deleted. Disk use is bounded by (keep + 1) x max_bytes.
// Not thread-safe: one writer (the loop).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "hale/status.h"

namespace hale {

class RotatingLog {
 public:
  RotatingLog(std::string path, std::size_t max_bytes, int keep);
  ~RotatingLog();
  RotatingLog(const RotatingLog&) = delete;
  RotatingLog& operator=(const RotatingLog&) = delete;

  // Appends `data`, rotating first when it would push the file past max_bytes. A single write
  // larger than max_bytes goes into a fresh file of its own (never split, never lost).
  Status write(std::string_view data);
  const std::string& path() const { return path_; }
  std::size_t size() const { return size_; }

 private:
  Status open_file();
  Status rotate();

  std::string path_;
  std::size_t max_bytes_;
  int keep_;
  std::FILE* file_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace hale
