// `hale logs NAME [-n N] [-f]`: a service's output from state_dir/logs/NAME.log (and the
// rotated NAME.log.1, .2, ... when it holds fewer than N lines), read from disk, no daemon.
// -f follows the file through rotations until interrupted.
// Exit 0 (also when there is no output yet), 1 when a file cannot be read, 2 for a bad config or
// a name that is not a service in it.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "hale/cli/commands.h"
#include "hale/cli/log_tail.h"
#include "hale/config.h"

namespace hale::cli {

namespace {

constexpr int kMaxRotated = 1000;  // far beyond any log_keep; a bound for a strange directory

void write_out(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
}

}  // namespace

int cmd_logs(const std::string& config_path, const std::string& name, int lines, bool follow) {
  LoadResult r = load_config_file(config_path);
  if (!r.config) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  if (!r.config->find_service(name)) {
    std::string known;
    for (const auto& s : r.config->services) known += (known.empty() ? "" : ", ") + s.name;
    std::fprintf(stderr, "hale: no service named \"%s\" in %s%s%s\n", name.c_str(), config_path.c_str(),
                 known.empty() ? "" : " (services: ", known.empty() ? "" : (known + ")").c_str());
    return 2;
  }
  const std::string path = (std::filesystem::path(r.config->server.state_dir) / "logs" / (name + ".log")).string();

  // The current file first: open it once, so that -f goes on exactly where the tail ended.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) {
    std::fprintf(stderr, "hale: cannot read %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  off_t size = 0;
  std::vector<std::string> texts;  // newest first
  std::size_t wanted = static_cast<std::size_t>(lines);
  if (fd >= 0) {
    struct stat st {};
    if (fstat(fd, &st) == 0) size = st.st_size;
    texts.push_back(last_lines(fd, size, wanted));
    wanted -= std::min(wanted, count_lines(texts.back()));
  }
  bool any_rotated = false;
  for (int i = 1; i <= kMaxRotated; ++i) {
    const std::string rotated = path + "." + std::to_string(i);
    const int rfd = open(rotated.c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd < 0) break;
    any_rotated = true;
    if (wanted > 0) {
      struct stat st {};
      std::string text = fstat(rfd, &st) == 0 ? last_lines(rfd, st.st_size, wanted) : "";
      if (!text.empty() && text.back() != '\n') text += '\n';  // the next bytes come from a newer file
      wanted -= std::min(wanted, count_lines(text));
      texts.push_back(std::move(text));
    }
    close(rfd);
    if (wanted == 0) break;
  }
  for (auto it = texts.rbegin(); it != texts.rend(); ++it) write_out(*it);
  std::fflush(stdout);
  if (fd < 0 && !any_rotated) {
    std::fprintf(stderr, "no output from %s yet (%s does not exist)\n", name.c_str(), path.c_str());
  }
  if (!follow) {
    if (fd >= 0) close(fd);
    return 0;
  }
  LogFollower follower(path, fd, size);
  while (true) {
    struct timespec ts{0, 150'000'000};
    nanosleep(&ts, nullptr);
    follower.poll();
  }
}

}  // namespace hale::cli
