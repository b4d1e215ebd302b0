// No descendant of a service escapes (SPEC §4, issue 12): a grandchild that calls setsid() and a
// daemon that double-forks are ended by a SIGKILL of hale, by `hale stop` and by a restart, in both
// containment modes: a cgroup per service, and hale as a child subreaper (INVOCATION_ID marks).
// Where the machine allows no cgroup, the cgroup cases say so and why, and are skipped; the
// subreaper cases run everywhere.
#include <sys/prctl.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "support/hale_process.h"
#include "support/service_helpers.h"
#include "support/temp_dir.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

// Makes this test process the subreaper of what hale leaves behind when it dies, so that those
// orphans can be seen (and reaped) here instead of vanishing into init.
class OrphanCatcher {
 public:
  OrphanCatcher() { EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  ~OrphanCatcher() {
    reap();
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  }
  static void reap() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
};

struct Escape {
  const char* mode;    // containment
  const char* escape;  // how the grandchild leaves: setsid | double-fork
};

class Containment : public ::testing::TestWithParam<Escape> {
 protected:
  // One service whose child starts a grandchild that leaves its group and session, and a plain
  // one, under the containment mode of the parameter. False (and the test skipped, saying why)
  // when this machine does not allow that mode.
  bool start_hale() {
    grandchild_file_ = (state_.path() / "grandchild.pid").string();
    hale_.emplace(server_section(state_.path().string()) + "containment = \"" + GetParam().mode +
                  "\"\n\n[services.daemon]\ncommand = " +
                  child_command({"--grandchild-pid-file", grandchild_file_, "--escape", GetParam().escape}) +
                  "\nstop_timeout = \"2s\"\n");
    if (!hale_->start()) {
      const std::string log = hale_->log();
      if (std::string(GetParam().mode) == "cgroup" && log.find("containment_unavailable") != std::string::npos) {
        std::printf("[ no cgroup ] this machine allows hale no cgroup of its own: %s\n", log.c_str());
        RecordProperty("cgroup_mode", "unavailable");
        return false;
      }
      ADD_FAILURE() << log;
      return false;
    }
    RecordProperty("containment", GetParam().mode);
    return true;
  }

  // The grandchild's pid once the service runs and the file is written.
  std::optional<pid_t> grandchild() {
    std::optional<pid_t> pid;
    EXPECT_TRUE(eventually([&] { return (pid = read_pid_file(grandchild_file_)).has_value() && running(*pid); }, 5s))
        << hale_->log();
    return pid;
  }

  // Gone, and not a zombie left for someone to reap.
  static bool gone(pid_t pid) {
    OrphanCatcher::reap();
    return proc_state(pid) == 0;
  }

  OrphanCatcher orphans_;
  TempDir state_;
  std::string grandchild_file_;
  std::optional<HaleProcess> hale_;
};

TEST_P(Containment, TheApiSaysWhichModeHoldsTheServices) {
  if (!start_hale()) GTEST_SKIP() << "cgroup mode unavailable here (see the line above)";
  ASSERT_TRUE(grandchild().has_value());
  const HttpReply r = http_get(hale_->url("/api/v1/services"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["containment"], GetParam().mode) << r.body;
  EXPECT_TRUE(hale_->wait_for_log("\"event\":\"containment\"")) << hale_->log();
}

TEST_P(Containment, HaleStatusSaysWhichModeHoldsTheServices) {
  if (!start_hale()) GTEST_SKIP() << "cgroup mode unavailable here (see the line above)";
  ASSERT_TRUE(grandchild().has_value());
  const CommandResult r = run_hale({"status", "-c", hale_->config_path()});
  EXPECT_THAT(r.out, ::testing::HasSubstr(std::string("no orphans: ") + GetParam().mode + " (")) << r.out << r.err;
}

TEST_P(Containment, AnEscapedGrandchildDiesWithASigkillOfHale) {
  if (!start_hale()) GTEST_SKIP() << "cgroup mode unavailable here (see the line above)";
  const std::optional<pid_t> gc = grandchild();
  ASSERT_TRUE(gc.has_value());
  const std::optional<pid_t> main = pid_of(*hale_, "daemon");
  ASSERT_TRUE(main.has_value());
  hale_->signal(SIGKILL);
  ASSERT_TRUE(hale_->wait_exit().has_value());
  EXPECT_TRUE(eventually([&] { return gone(*gc) && gone(*main); }, 5s))
      << "grandchild " << proc_state(*gc) << ", main " << proc_state(*main) << " outlived hale";
}

TEST_P(Containment, AnEscapedGrandchildDiesWithHaleStop) {
  if (!start_hale()) GTEST_SKIP() << "cgroup mode unavailable here (see the line above)";
  const std::optional<pid_t> gc = grandchild();
  ASSERT_TRUE(gc.has_value());
  ASSERT_EQ(service_action(*hale_, "daemon", "stop").status, 200);
  ASSERT_TRUE(eventually([&] { return state_of(*hale_, "daemon") == "stopped"; }, 5s)) << hale_->log();
  // hale reaps what it adopted: no zombie is left either.
  EXPECT_TRUE(eventually([&] { return gone(*gc); }, 5s)) << "grandchild " << proc_state(*gc) << hale_->log();
}

TEST_P(Containment, ARestartLeavesNothingOfTheOldRun) {
  if (!start_hale()) GTEST_SKIP() << "cgroup mode unavailable here (see the line above)";
  const std::optional<pid_t> old_gc = grandchild();
  ASSERT_TRUE(old_gc.has_value());
  ::unlink(grandchild_file_.c_str());
  ASSERT_EQ(service_action(*hale_, "daemon", "restart").status, 200);
  const std::optional<pid_t> new_gc = grandchild();
  ASSERT_TRUE(new_gc.has_value());
  EXPECT_NE(*new_gc, *old_gc);
  EXPECT_TRUE(eventually([&] { return gone(*old_gc); }, 5s)) << "old grandchild " << proc_state(*old_gc);
  EXPECT_TRUE(running(*new_gc)) << "the new run's grandchild was killed with the old run";
}

TEST_P(Containment, ACrashEndsWhatTheRunLeftBehind) {
  if (!start_hale()) GTEST_SKIP() << "cgroup mode unavailable here (see the line above)";
  const std::optional<pid_t> gc = grandchild();
  ASSERT_TRUE(gc.has_value());
  const std::optional<pid_t> main = pid_of(*hale_, "daemon");
  ASSERT_TRUE(main.has_value());
  ::unlink(grandchild_file_.c_str());
  ::kill(*main, SIGKILL);  // the main process crashes; its escaped grandchild must not live on
  EXPECT_TRUE(eventually([&] { return gone(*gc); }, 5s)) << "grandchild " << proc_state(*gc) << hale_->log();
}

TEST_P(Containment, WhatAPreStartLeavesBehindEndsAndTheCommandStillRuns) {
  // pre_start's leftovers are ended when it exits; the command that follows has a cgroup of its
  // own (a killed cgroup kills what is cloned into it on this kernel) and runs.
  const std::string pre_gc = (state_.path() / "pre.pid").string();
  hale_.emplace(server_section(state_.path().string()) + "containment = \"" + GetParam().mode +
                "\"\n\n[services.daemon]\ncommand = " + child_command({}) + "\npre_start = " +
                child_command({"--grandchild-pid-file", pre_gc, "--escape", GetParam().escape, "--exit-after", "0"}) +
                "\n");
  if (!hale_->start()) {
    if (std::string(GetParam().mode) == "cgroup" && hale_->log().find("containment_unavailable") != std::string::npos) {
      GTEST_SKIP() << "cgroup mode unavailable here";
    }
    FAIL() << hale_->log();
  }
  ASSERT_TRUE(eventually([&] { return state_of(*hale_, "daemon") == "running"; }, 5s)) << hale_->log();
  const std::optional<pid_t> gc = read_pid_file(pre_gc);
  ASSERT_TRUE(gc.has_value());
  EXPECT_TRUE(eventually([&] { return gone(*gc); }, 5s)) << "pre_start's grandchild " << proc_state(*gc);
  const std::optional<pid_t> main = pid_of(*hale_, "daemon");
  ASSERT_TRUE(main.has_value());
  // Room for a late kill of the command along with pre_start's leftovers, were it in their
  // cgroup: it still runs after. (Absence can only be shown by waiting.)
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(running(*main)) << hale_->log();
  EXPECT_EQ(state_of(*hale_, "daemon"), "running");
}

INSTANTIATE_TEST_SUITE_P(Modes, Containment,
                         ::testing::Values(Escape{"cgroup", "setsid"}, Escape{"cgroup", "double-fork"},
                                           Escape{"subreaper", "setsid"}, Escape{"subreaper", "double-fork"}),
                         [](const auto& info) {
                           std::string name = std::string(info.param.mode) + "_" + info.param.escape;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(ContainmentChoice, AutoPrefersACgroupAndSaysWhyWhenItCannot) {
  TempDir state;
  HaleProcess hale(server_section(state.path().string()) + "\n[services.plain]\ncommand = " + child_command({}) + "\n");
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(hale.wait_for_log("\"event\":\"containment\"")) << hale.log();
  const HttpReply r = http_get(hale.url("/api/v1/services"));
  const std::string mode = nlohmann::json::parse(r.body).value("containment", "");
  std::printf("[ containment ] auto chose %s on this machine\n", mode.c_str());
  RecordProperty("auto_containment", mode);
  ASSERT_TRUE(mode == "cgroup" || mode == "subreaper") << r.body;
  if (mode == "subreaper") {
    EXPECT_TRUE(hale.wait_for_log("why_not_cgroup")) << "auto fell back without saying why: " << hale.log();
  }
}

}  // namespace
}  // namespace hale::testing
