// ExternalProcess: fork/exec of a program with captured output (see external_process.h).
#include "support/external_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "support/hale_process.h"

extern char** environ;

namespace hale::testing {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<int> decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ExternalProcess::ExternalProcess(std::vector<std::string> argv, std::vector<std::pair<std::string, std::string>> env)
    : out_path_((dir_.path() / "out").string()), err_path_((dir_.path() / "err").string()) {
  // Everything the child needs is built before fork(): no allocation after it.
  std::vector<std::string> environment;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    bool overridden = false;
    for (const auto& [k, v] : env) overridden |= kv.substr(0, kv.find('=')) == k;
    if (!overridden) environment.emplace_back(kv);
  }
  for (const auto& [k, v] : env) environment.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
}

ExternalProcess::~ExternalProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

std::string ExternalProcess::out() const { return slurp(out_path_); }
std::string ExternalProcess::err() const { return slurp(err_path_); }

bool ExternalProcess::wait_for_output(const std::string& needle, std::chrono::milliseconds within) const {
  return eventually(
      [&] { return out().find(needle) != std::string::npos || err().find(needle) != std::string::npos; }, within);
}

bool ExternalProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    exit_code_ = decode(status);
    return false;
  }
  return true;
}

std::optional<int> ExternalProcess::stop(int sig, std::chrono::milliseconds within) {
  if (!running()) return exit_code_;
  kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_code_ = decode(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    struct timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace hale::testing
