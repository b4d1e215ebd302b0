// Flapping end to end (SPEC §6: a subject that flaps is reported once as flapping, not once per
// flip): the test flips a real listener open and closed faster than the rule's window, and the
// receiver hears the first changes, one "flapping" alert, nothing per flip after it, and one
// "stable again" when a whole window has gone by without a change.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/alert_helpers.h"
#include "support/hale_process.h"
#include "support/tcp_listener.h"
#include "support/test_http_server.h"

namespace hale::testing {
namespace {

using namespace std::chrono_literals;

struct Seen {
  std::string key;
  bool resolved;
  bool flapping;
  std::string status;
};

std::vector<Seen> seen(const TestHttpServer& hook) {
  std::vector<Seen> out;
  for (const auto& a : received_alerts(hook, "/hook")) {
    out.push_back({a.value("key", ""), a.value("resolved", false), a.value("flapping", false), a.value("status", "")});
  }
  return out;
}

std::string describe(const std::vector<Seen>& v) {
  std::string out;
  for (const Seen& s : v) {
    out += s.key + (s.resolved ? " resolved" : "") + (s.flapping ? " flapping" : "") + " (" + s.status + ")\n";
  }
  return out;
}

TEST(AlertsFlapping, ReportedOnceAsFlappingNotPerFlipThenStableOnce) {
  TcpListener db;
  WebhookReceiver hook;
  HaleProcess hale(alert_server_section() + tcp_check("db", db.port(), "100ms") +
                   hook.notifier("hook") +
                   alert_rule("db", "hook", "flapping = { max_changes = 3, window = \"10s\" }\n"));
  ASSERT_TRUE(hale.start()) << hale.log();
  ASSERT_TRUE(wait_for_check(hale, "db", "ok")) << hale.log();

  // Six flips: fail, ok, fail, ok, fail, ok. Each one is seen by the check before the next.
  // last_flip is read before the last one is made: hale's window cannot start earlier, so the
  // bound on it below holds however late this test sees the change.
  std::chrono::steady_clock::time_point last_flip;
  for (int flip = 0; flip < 6; ++flip) {
    const bool to_fail = flip % 2 == 0;
    last_flip = std::chrono::steady_clock::now();
    if (to_fail) {
      db.close();
    } else {
      db.reopen();
    }
    ASSERT_TRUE(eventually([&] { return check_status(hale, "db") == (to_fail ? "fail" : "ok"); })) << "flip " << flip;
  }
  // The fourth change (more than max_changes = 3) made it flapping: fail, its resolution,
  // fail again, then flapping, and nothing for flips five and six.
  ASSERT_TRUE(eventually([&] { return seen(hook).size() >= 4; })) << hale.log();
  std::vector<Seen> got = seen(hook);
  ASSERT_EQ(got.size(), 4u) << describe(got);
  EXPECT_EQ(got[0].key, "check/db/fail");
  EXPECT_FALSE(got[0].resolved);
  EXPECT_EQ(got[1].key, "check/db/fail");
  EXPECT_TRUE(got[1].resolved);
  EXPECT_EQ(got[2].key, "check/db/fail");
  EXPECT_FALSE(got[2].resolved);
  EXPECT_EQ(got[3].key, "check/db/flapping");
  EXPECT_TRUE(got[3].flapping);
  EXPECT_FALSE(got[3].resolved);

  // A window (10 s) after the last change: stable again, once, and then what the status calls
  // for: db is ok, so the fail announced before the flapping is resolved.
  ASSERT_TRUE(eventually([&] { return seen(hook).size() >= 6; }, 20s)) << describe(seen(hook)) << hale.log();
  const double after = seconds_between(last_flip, std::chrono::steady_clock::now());
  EXPECT_GE(after, 8.5) << "stable only after a whole window without a change";
  got = seen(hook);
  ASSERT_EQ(got.size(), 6u) << describe(got);
  EXPECT_EQ(got[4].key, "check/db/flapping");
  EXPECT_TRUE(got[4].resolved);
  EXPECT_FALSE(got[4].flapping);
  EXPECT_EQ(got[5].key, "check/db/fail");
  EXPECT_TRUE(got[5].resolved);
  EXPECT_EQ(got[5].status, "ok");
  int flapping_alerts = 0;
  for (const Seen& s : got) flapping_alerts += s.flapping ? 1 : 0;
  EXPECT_EQ(flapping_alerts, 1);
  ASSERT_TRUE(eventually([&] {
    for (const auto& d : deliveries(hale, "hook")) {
      if (d["state"] != "sent") return false;
    }
    return true;
  })) << hale.log();
}

}  // namespace
}  // namespace hale::testing
