// HaleChild: fork/exec of the built hale binary with captured output.
#include "support/hale_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/hale_process.h"

namespace hale::testing {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

HaleChild::HaleChild(const std::vector<std::string>& args)
    : out_path_((dir_.path() / "out").string()), err_path_((dir_.path() / "err").string()) {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    std::string bin = HALE_BINARY;
    argv.push_back(bin.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
}

HaleChild::~HaleChild() {
  if (pid_ > 0) stop(SIGKILL);
}

std::string HaleChild::out() const { return slurp(out_path_); }
std::string HaleChild::err() const { return slurp(err_path_); }

bool HaleChild::wait_for_out(const std::string& needle, std::chrono::milliseconds within) const {
  return eventually([&] { return out().find(needle) != std::string::npos; }, within);
}

std::optional<int> HaleChild::wait_exit(std::chrono::milliseconds within) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    struct timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
}

std::optional<int> HaleChild::stop(int sig, std::chrono::milliseconds within) {
  if (pid_ <= 0) return std::nullopt;
  kill(pid_, sig);
  auto code = wait_exit(within);
  if (!code && sig != SIGKILL) return stop(SIGKILL, within);
  return code;
}

}  // namespace hale::testing
