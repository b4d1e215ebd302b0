// HaleProcess and run_hale: fork/exec of the built hale binary.
#include "support/hale_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "support/http_client.h"

extern char** environ;

namespace hale::testing {

namespace {

std::string replace_port(std::string text, std::uint16_t port) {
  const std::string key = "{PORT}";
  for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos)) {
    text.replace(pos, key.size(), std::to_string(port));
  }
  return text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The test's own environment with `overrides` applied, built before fork() (no allocation in
// the child).
std::vector<std::string> environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    bool overridden = false;
    for (const auto& [k, v] : overrides) overridden |= kv.substr(0, kv.find('=')) == k;
    if (!overridden) env.emplace_back(kv);
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path,
            const std::vector<std::pair<std::string, std::string>>& env_overrides = {}) {
  std::vector<std::string> env = environment(env_overrides);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  std::string bin = HALE_BINARY;
  argv.push_back(bin.data());
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::optional<int> wait_pid(pid_t pid, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    struct timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

CommandResult run_hale(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                       const std::vector<std::pair<std::string, std::string>>& env) {
  TempDir dir;
  const std::string out = (dir.path() / "out").string(), err = (dir.path() / "err").string();
  pid_t pid = spawn(args, out, err, env);
  CommandResult r;
  auto code = wait_pid(pid, timeout);
  if (!code) {
    kill(pid, SIGKILL);
    code = wait_pid(pid, std::chrono::seconds(5));
  }
  r.exit_code = code.value_or(-1);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

HaleProcess::HaleProcess(std::string config) : port_(free_port()) {
  config_path_ = dir_.write("hale.toml", replace_port(std::move(config), port_));
  log_path_ = (dir_.path() / "hale.log").string();
}

HaleProcess::~HaleProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    wait_pid(pid_, std::chrono::seconds(5));
  }
}

void HaleProcess::launch() {
  pid_ = spawn({"run", "-c", config_path_}, (dir_.path() / "stdout").string(), log_path_, env_);
}

bool HaleProcess::start(std::chrono::milliseconds ready_within) {
  launch();
  return eventually(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;  // exited: reported below
        }
        return http_get(url("/livez")).status != 0;
      },
      ready_within) && pid_ > 0;
}

std::string HaleProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HaleProcess::rewrite_config(std::string config) {
  dir_.write("hale.toml", replace_port(std::move(config), port_));
}

void HaleProcess::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> HaleProcess::wait_exit(std::chrono::milliseconds within) {
  if (pid_ <= 0) return std::nullopt;
  auto code = wait_pid(pid_, within);
  if (code) pid_ = -1;
  return code;
}

std::string HaleProcess::log() const { return read_file(log_path_); }

bool HaleProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds within) const {
  return eventually([&] { return log().find(needle) != std::string::npos; }, within);
}

}  // namespace hale::testing
