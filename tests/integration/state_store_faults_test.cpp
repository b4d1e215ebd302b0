// Issue 17: the state store when it cannot be used as usual. A read-only state_dir used to make
// hale start a service that the file records as stopped (SQLite could not make its side files),
// and a 0-byte hale.db was taken as a new database without a word. Now the file is read even
// where it cannot be written, an empty or corrupt one is kept aside, and either case is said
// loudly: the log, /health ("state_store", and the status degraded) and an alert about
// hale/state_store.
#include <gtest/gtest.h>

#include <sys/mount.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <string>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/http_client.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

// `dir` read-only for as long as this lives: a read-only bind mount of it over itself (root, as
// the tests run; a directory's mode bits do not stop root).
class ReadOnlyDir {
 public:
  explicit ReadOnlyDir(const std::string& dir) : dir_(dir) {
    if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      error_ = std::string("bind mount: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
    if (::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      error_ = std::string("remount read-only: ") + std::strerror(errno);
    }
  }
  ~ReadOnlyDir() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

std::string config_with_service(const std::string& state_dir, const std::string& hook_url) {
  return server_section(state_dir) + "\n[services.api]\ncommand = " + child_command({}) + "\n" +
         webhook_notifier("hook", hook_url) + alert_rule("*", "hook");
}

nlohmann::json health(const HaleProcess& hale) {
  return nlohmann::json::parse(http_get(hale.url("/health")).body, nullptr, false);
}

bool has_alert(const TestHttpServer& hook, const std::string& key) {
  for (const nlohmann::json& a : received_alerts(hook, "/hook", 200)) {
    if (a.value("key", "") == key) return true;
  }
  return false;
}

TEST(StateStoreFaults, AReadOnlyStateDirStillKeepsAnOperatorsStopAndSaysSo) {
  TempDir state;
  TestHttpServer hook;
  hook.set("/hook", TestResponse::ok());
  const std::string config = config_with_service(state.path().string(), hook.url("/hook"));
  {
    HaleProcess hale(config);
    ASSERT_TRUE(hale.start()) << hale.log();
    ASSERT_TRUE(eventually([&] { return state_of(hale, "api") == "running"; })) << hale.log();
    ASSERT_EQ(service_action(hale, "api", "stop").status, 200);
    ASSERT_TRUE(eventually([&] { return state_of(hale, "api") == "stopped"; })) << hale.log();
    hale.signal(SIGTERM);
    ASSERT_TRUE(hale.wait_exit().has_value());
  }
  ReadOnlyDir read_only(state.path().string());
  if (!read_only.ok()) {
    std::printf("[ no mount ] cannot make the state_dir read-only here (%s): this case is not run\n",
                read_only.error().c_str());
    GTEST_SKIP() << "needs a read-only bind mount: " << read_only.error();
  }
  HaleProcess hale(config);
  ASSERT_TRUE(hale.start()) << hale.log();
  // The moment a wrong start would happen: right after start-up, when hale reads what the
  // operator wanted. Absence can only be shown by waiting.
  std::this_thread::sleep_for(500ms);
  const nlohmann::json api = service_state(hale, "api");
  EXPECT_EQ(api["state"], "stopped") << "the operator's stop was undone: " << api.dump() << hale.log();
  EXPECT_EQ(api["wanted"], "stop");
  const nlohmann::json h = health(hale);
  EXPECT_EQ(h["state_store"]["status"], "read_only") << h.dump();
  EXPECT_EQ(h["status"], "degraded") << h.dump();
  EXPECT_TRUE(hale.wait_for_log("\"event\":\"state_store_condition\"")) << hale.log();
  EXPECT_TRUE(eventually([&] { return has_alert(hook, "hale/state_store/fail"); }, 10s)) << hale.log();
  // A new intent cannot be kept: refused, not carried out and forgotten at the next restart.
  EXPECT_EQ(service_action(hale, "api", "start").status, 500);
  EXPECT_EQ(state_of(hale, "api"), "stopped");
}

TEST(StateStoreFaults, AnEmptyOrForeignHaleDbIsKeptAsideAndSaidSo) {
  for (const std::string& content : {std::string(), std::string("not a database at all\n")}) {
    SCOPED_TRACE(content.empty() ? "0 bytes" : "foreign");
    TempDir state;
    std::ofstream(state.path() / "hale.db") << content;
    TestHttpServer hook;
    hook.set("/hook", TestResponse::ok());
    HaleProcess hale(config_with_service(state.path().string(), hook.url("/hook")));
    ASSERT_TRUE(hale.start()) << hale.log();
    const nlohmann::json h = health(hale);
    EXPECT_EQ(h["state_store"]["status"], "recreated") << h.dump();
    EXPECT_NE(h["state_store"]["message"].get<std::string>().find("is not restored"), std::string::npos) << h.dump();
    EXPECT_EQ(h["status"], "degraded");
    EXPECT_TRUE(eventually([&] { return has_alert(hook, "hale/state_store/degraded"); }, 10s)) << hale.log();
    std::string kept;
    for (const auto& e : std::filesystem::directory_iterator(state.path())) {
      const std::string name = e.path().filename().string();
      if (name.rfind("hale.db.empty-", 0) == 0 || name.rfind("hale.db.corrupt-", 0) == 0) kept = e.path().string();
    }
    ASSERT_FALSE(kept.empty()) << "the old file was not kept aside";
    std::ifstream in(kept);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), content);
    // The new store works: an operator's stop is kept.
    ASSERT_EQ(service_action(hale, "api", "stop").status, 200);
  }
}

}  // namespace
}  // namespace hale::testing
