// HaleProcess and run_hale: the hale binary through TestProcess (see hale_process.h).
#include "support/hale_process.h"

#include <signal.h>

#include <filesystem>

#include "support/http_client.h"

namespace hale::testing {

namespace {

std::string replace_all(std::string text, const std::string& key, const std::string& value) {
  for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size())) {
    text.replace(pos, key.size(), value);
  }
  return text;
}

}  // namespace

std::vector<std::string> hale_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{HALE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult run_hale(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                       const std::vector<std::pair<std::string, std::string>>& env) {
  TestProcess hale(hale_argv(args), {.env = env});
  CommandResult r;
  r.exit_code = hale.wait_exit(timeout).value_or(-1);
  if (hale.running()) r.exit_code = hale.stop(SIGKILL).value_or(-1);
  r.out = hale.out();
  r.err = hale.err();
  return r;
}

HaleProcess::HaleProcess(std::string config) : port_(free_port()) {
  std::filesystem::create_directories(state_dir());
  config_path_ = dir_.write("hale.toml", with_placeholders(std::move(config)));
}

std::string HaleProcess::with_placeholders(std::string config) const {
  return replace_all(replace_all(std::move(config), "{PORT}", std::to_string(port_)), "{STATE_DIR}", state_dir());
}

std::string HaleProcess::state_dir() const { return (dir_.path() / "state").string(); }

HaleProcess::~HaleProcess() = default;  // TestProcess: SIGKILL if still running

void HaleProcess::launch() {
  // A relaunch (after a kill or an exit) replaces the previous process and its log.
  process_.reset();
  process_.emplace(hale_argv({"run", "-c", config_path_}), ProcessOptions{.env = env_});
}

bool HaleProcess::start(std::chrono::milliseconds ready_within) {
  launch();
  // Ready when /livez answers at all; an exit during start-up is a failure, its log kept.
  return eventually([&] { return !process_->running() || http_get(url("/livez")).status != 0; }, ready_within) &&
         process_->running();
}

std::string HaleProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HaleProcess::rewrite_config(std::string config) {
  dir_.write("hale.toml", with_placeholders(std::move(config)));
}

void HaleProcess::signal(int sig) {
  if (process_) process_->signal(sig);
}

std::optional<int> HaleProcess::wait_exit(std::chrono::milliseconds within) {
  if (!process_ || pid() <= 0) return std::nullopt;
  return process_->wait_exit(within);
}

std::string HaleProcess::log() const { return process_ ? process_->err() : std::string(); }

bool HaleProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds within) const {
  return eventually([&] { return log().find(needle) != std::string::npos; }, within);
}

}  // namespace hale::testing
