// TempFile: a file with given content that is removed when the test ends (secret files, CA
// files and config files for the loader tests).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace hale::testing {

class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = "") {
    std::string tmpl = "/tmp/hale_test_XXXXXX" + suffix;
    const int fd = ::mkstemps(tmpl.data(), static_cast<int>(suffix.size()));
    if (fd < 0) std::abort();
    path_ = tmpl;
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n <= 0) std::abort();
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hale::testing
