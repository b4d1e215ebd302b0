// TestProcess: fork/exec with captured output (see test_process.h).
#include "support/file_text.h"
#include "support/test_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "support/eventually.h"

extern char** environ;

namespace hale::testing {

namespace {

// The test's own environment with `overrides` applied.
std::vector<std::string> environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    bool overridden = false;
    for (const auto& [k, v] : overrides) overridden |= kv.substr(0, kv.find('=')) == k;
    if (!overridden) env.emplace_back(kv);
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

TestProcess::TestProcess(std::vector<std::string> argv, ProcessOptions options)
    : out_path_((dir_.path() / "out").string()),
      err_path_((dir_.path() / "err").string()),
      own_group_(options.own_group) {
  // Everything the child needs is built before fork(): the test may have threads (receivers,
  // servers), so the child must not allocate between fork() and exec.
  std::vector<std::string> env = environment(options.env);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (own_group_) setpgid(0, 0);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (cwd != nullptr && chdir(cwd) != 0) _exit(126);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  // In the parent too, so that the group exists before the constructor returns: a kill(-pid)
  // right after start would otherwise find no group.
  if (own_group_) setpgid(pid_, pid_);
}

TestProcess::~TestProcess() {
  if (!running()) return;
  ::kill(own_group_ ? -pid_ : pid_, SIGKILL);
  wait_exit(std::chrono::seconds(5));
}

std::string TestProcess::out() const { return file_text(out_path_); }
std::string TestProcess::err() const { return file_text(err_path_); }

bool TestProcess::wait_for_out(const std::string& needle, std::chrono::milliseconds within) const {
  return eventually([&] { return out().find(needle) != std::string::npos; }, within);
}

bool TestProcess::wait_for_output(const std::string& needle, std::chrono::milliseconds within) const {
  return eventually(
      [&] { return out().find(needle) != std::string::npos || err().find(needle) != std::string::npos; }, within);
}

bool TestProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  pid_ = -1;
  exit_code_ = exit_code_of(status);
  return false;
}

std::optional<int> TestProcess::wait_exit(std::chrono::milliseconds within) {
  if (eventually([&] { return !running(); }, within)) return exit_code_;
  return std::nullopt;
}

void TestProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> TestProcess::stop(int sig, std::chrono::milliseconds within) {
  signal(sig);
  auto code = wait_exit(within);
  if (!code && sig != SIGKILL) return stop(SIGKILL, within);
  return code;
}

}  // namespace hale::testing
