// RotatingLog: append, and shift NAME.log -> NAME.log.1 -> ... when full.
#include "hale/supervise/rotating_log.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hale {

namespace fs = std::filesystem;

RotatingLog::RotatingLog(std::string path, std::size_t max_bytes, int keep)
    : path_(std::move(path)), max_bytes_(max_bytes == 0 ? 1 : max_bytes), keep_(keep < 0 ? 0 : keep) {}

RotatingLog::~RotatingLog() {
  if (file_) std::fclose(file_);
}

Status RotatingLog::open_file() {
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  file_ = std::fopen(path_.c_str(), "ae");  // append, close-on-exec
  if (!file_) return Status::error("cannot open " + path_ + ": " + std::strerror(errno));
  size_ = fs::file_size(path_, ec);
  if (ec) size_ = 0;
  return Status::ok();
}

Status RotatingLog::rotate() {
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
  }
  std::error_code ec;
  if (keep_ == 0) {
    fs::remove(path_, ec);
  } else {
    fs::remove(path_ + "." + std::to_string(keep_), ec);
    for (int i = keep_ - 1; i >= 1; --i) {
      const std::string from = path_ + "." + std::to_string(i);
      if (fs::exists(from, ec)) fs::rename(from, path_ + "." + std::to_string(i + 1), ec);
    }
    if (fs::exists(path_, ec)) fs::rename(path_, path_ + ".1", ec);
    if (ec) return Status::error("cannot rotate " + path_ + ": " + ec.message());
  }
  return open_file();
}

Status RotatingLog::write(std::string_view data) {
  if (!file_) {
    if (Status s = open_file(); !s) return s;
  }
  if (size_ > 0 && size_ + data.size() > max_bytes_) {
    if (Status s = rotate(); !s) return s;
  }
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size() || std::fflush(file_) != 0) {
    return Status::error("cannot write " + path_ + ": " + std::strerror(errno));
  }
  size_ += data.size();
  return Status::ok();
}

}  // namespace hale
