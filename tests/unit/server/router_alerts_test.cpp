// Router, alerting part (SPEC §3, §6): GET /api/v1/alerts [?state=&limit=], GET|POST
// /api/v1/silences and GET|DELETE /api/v1/silences/ID, through route() with a hand-built
// AlertsView and recording ctx.add_silence / ctx.expire_silence (no sockets, no alerter).
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hale/server/router.h"
#include "support/router_fixture.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kAdminToken = "adm-s3cret";
constexpr const char* kBearer = "Bearer adm-s3cret";
// The id the fake add_silence gives a new silence, as the alerter does (32 hex digits).
constexpr const char* kNewId = "5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b";

json bad_request(const std::string& message) {
  return json{{"error", {{"code", "bad_request"}, {"message", message}}}};
}

// The ids of the deliveries of a GET /api/v1/alerts answer, in order.
std::vector<std::string> delivery_ids(const json& j) {
  std::vector<std::string> ids;
  for (const auto& d : j.at("deliveries")) ids.push_back(d.at("id").get<std::string>());
  return ids;
}

// Every object key anywhere in `j`.
void collect_keys(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.push_back(k);
      collect_keys(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect_keys(v, out);
  }
}

// What the router handed to ctx.add_silence / ctx.expire_silence.
struct SilenceCalls {
  std::vector<Silence> added;
  std::vector<std::string> expired;
};

// The alerting view in the context (two notifiers failing or not, deliveries pending and done,
// silences and a maintenance window), and silence calls that record what they were handed.
class RouterAlertsTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    set_checks({});
    admin_token_ = kAdminToken;
    const WallTime now = clock_.wall_now();  // 2026-01-01T00:00:00Z
    view_.now = now;
    view_.durable = true;

    // ops (slack) is failing: two pending, one in flight, backing off for 4 s.
    NotifierStats ops;
    ops.sent = 3;
    ops.failed = 1;
    ops.retries = 2;
    ops.silenced = 1;
    ops.pending = 2;
    ops.in_flight = 1;
    ops.oldest_pending = now - 90s;
    ops.consecutive_failures = 2;
    ops.retry_at = now + 4s;
    // hook (webhook) accepts everything.
    NotifierStats hook;
    hook.sent = 5;
    // gone: removed from the config, its rows still around (no type).
    NotifierStats gone;
    gone.failed = 7;
    view_.notifiers = {{"ops", ops}, {"hook", hook}, {"gone", gone}};
    view_.notifier_types = {{"ops", "slack"}, {"hook", "webhook"}};

    view_.pending = {
        delivery("p1", "ops", DeliveryState::kPending, now - 90s, "check/db/fail"),
        delivery("p2", "ops", DeliveryState::kPending, now - 30s, "heartbeat/backup/fail"),
    };
    view_.pending[0].seq = 10;
    view_.pending[0].attempts = 2;
    view_.pending[0].last_attempt_at = now - 2s;
    view_.pending[0].next_attempt_at = now + 4s;
    view_.pending[0].last_error = "HTTP 503";
    view_.pending[1].seq = 11;
    view_.pending[1].alert.kind = SubjectKind::kHeartbeat;
    view_.pending[1].alert.subject = "backup";
    view_.pending[1].alert.state = "down";

    view_.recent = {
        delivery("r1", "hook", DeliveryState::kSent, now - 20s, "check/db/fail"),
        delivery("r2", "ops", DeliveryState::kFailed, now - 300s, "check/api/fail"),
        delivery("r3", "hook", DeliveryState::kSilenced, now - 400s, "check/db/degraded"),
    };
    view_.recent[0].attempts = 1;
    view_.recent[0].last_attempt_at = now - 19s;
    view_.recent[0].done_at = now - 19s;
    view_.recent[1].attempts = 1;
    view_.recent[1].last_attempt_at = now - 299s;
    view_.recent[1].done_at = now - 299s;
    view_.recent[1].last_error = "HTTP 404: no such channel";
    view_.recent[1].alert.subject = "api";
    view_.recent[2].done_at = now - 400s;
    view_.recent[2].alert.status = Health::kDegraded;
    view_.recent[2].alert.silenced = true;

    view_.silences = {
        silence("aaaa", now - 1h, now + 1h, {{"subject", "db"}, {"kind", "check"}}),   // active
        silence("bbbb", now + 1h, now + 3h, {{"key", "heartbeat/*"}}),                 // pending
        silence("cccc", now - 3h, now - 2h, {{"status", "flapping"}}),                 // expired
    };

    SilenceSet::ActiveWindow w;
    w.index = 0;
    w.spec.match = {"db*"};
    w.spec.kinds = {SubjectKind::kCheck};
    w.spec.schedule = Calendar::parse("0 23 * * 3", "UTC").value();
    w.spec.duration = 2h;
    w.spec.comment = "weekly maintenance";
    w.starts_at = now - 1h;
    w.ends_at = now + 1h;
    view_.windows = {w};
  }

  // A delivery of `key` ("check/db/fail") made at `at`; the message contains nothing secret.
  static Delivery delivery(std::string id, std::string notifier, DeliveryState state, WallTime at, std::string key) {
    Delivery d;
    d.id = std::move(id);
    d.notifier = std::move(notifier);
    d.state = state;
    d.created_at = at;
    d.alert.key = std::move(key);
    d.alert.kind = SubjectKind::kCheck;
    d.alert.subject = "db";
    d.alert.status = Health::kFail;
    d.alert.previous = Health::kOk;
    d.alert.state = "fail";
    d.alert.critical = true;
    d.alert.since = at - 60s;
    d.alert.at = at;
    d.alert.message = "connection refused";
    return d;
  }

  Silence silence(std::string id, WallTime starts, WallTime ends, std::vector<SilenceMatcher> matchers) {
    Silence s;
    s.id = std::move(id);
    s.matchers = std::move(matchers);
    s.starts_at = starts;
    s.ends_at = ends;
    s.comment = "db migration";
    s.author = "alice";
    s.created_at = starts - 5min;
    return s;
  }

  HttpResponse post_silence(const json& body) { return request("POST", "/api/v1/silences", kBearer, body.dump()); }
  void add_to_context(RouterContext& ctx) override {
    if (!with_alerts_) return;
    ctx.alerts = [this](bool) { return view_; };
    ctx.add_silence = [this](Silence s) {
      silence_calls_.added.push_back(s);
      s.id = kNewId;  // as the alerter does
      s.created_at = clock_.wall_now();
      view_.silences.push_back(s);
      return s;
    };
    // As SilenceSet::expire: known and not over yet -> ends now.
    ctx.expire_silence = [this](std::string_view id) {
      silence_calls_.expired.emplace_back(id);
      for (Silence& s : view_.silences) {
        if (s.id == id && s.ends_at > clock_.wall_now()) {
          s.ends_at = clock_.wall_now();
          if (s.starts_at > s.ends_at) s.starts_at = s.ends_at;
          return true;
        }
      }
      return false;
    };
  }

  // A valid POST body; tests change what they need.
  static json good_silence() {
    return json{{"matchers", {{{"name", "subject"}, {"value", "db*"}}, {{"name", "kind"}, {"value", "check"}}}},
                {"duration", "2h"},
                {"comment", "db failover drill"},
                {"author", "bob"}};
  }

  AlertsView view_;
  bool with_alerts_ = true;
  SilenceCalls silence_calls_;
};

// --- GET /api/v1/alerts ---------------------------------------------------------------------

TEST_F(RouterAlertsTest, AlertsListsEveryNotifierByNameWithItsStats) {
  auto r = get("/api/v1/alerts");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_body(r);
  EXPECT_EQ(j.at("timestamp"), "2026-01-01T00:00:00Z") << "the view's now, for ages";
  EXPECT_EQ(j.at("durable"), true);
  EXPECT_EQ(j.at("pending"), 2) << "the notifiers' pending, summed";
  ASSERT_EQ(j.at("notifiers").size(), 3u);
  EXPECT_EQ(j["notifiers"][0],
            (json{{"name", "gone"}, {"type", nullptr}, {"sent", 0}, {"failed", 7}, {"retries", 0}, {"silenced", 0},
                  {"pending", 0}, {"in_flight", 0}, {"oldest_pending_age_seconds", nullptr},
                  {"consecutive_failures", 0}, {"retry_at", nullptr}}))
      << "a notifier no longer configured keeps its counters, without a type";
  EXPECT_EQ(j["notifiers"][1],
            (json{{"name", "hook"}, {"type", "webhook"}, {"sent", 5}, {"failed", 0}, {"retries", 0}, {"silenced", 0},
                  {"pending", 0}, {"in_flight", 0}, {"oldest_pending_age_seconds", nullptr},
                  {"consecutive_failures", 0}, {"retry_at", nullptr}}));
  EXPECT_EQ(j["notifiers"][2],
            (json{{"name", "ops"}, {"type", "slack"}, {"sent", 3}, {"failed", 1}, {"retries", 2}, {"silenced", 1},
                  {"pending", 2}, {"in_flight", 1}, {"oldest_pending_age_seconds", 90},
                  {"consecutive_failures", 2}, {"retry_at", "2026-01-01T00:00:04Z"}}));
}

TEST_F(RouterAlertsTest, AlertsSaysWhenTheOutboxIsInMemoryOnly) {
  view_.durable = false;
  EXPECT_EQ(json_body(get("/api/v1/alerts")).at("durable"), false);
}

TEST_F(RouterAlertsTest, AlertsWithoutNotifiersOrDeliveries) {
  view_ = AlertsView{};
  view_.now = clock_.wall_now();
  const json j = json_body(get("/api/v1/alerts"));
  EXPECT_EQ(j, (json{{"timestamp", "2026-01-01T00:00:00Z"},
                     {"durable", true},
                     {"outbox_error", nullptr},
                     {"memory_only", 0},
                     {"notifiers", json::array()},
                     {"pending", 0},
                     {"deliveries", json::array()}}));
}

TEST_F(RouterAlertsTest, AlertsOldestPendingAgeIsNeverNegative) {
  // The wall clock stepped back after the delivery was made: an age of 0, as /metrics says.
  view_.notifiers["ops"].oldest_pending = clock_.wall_now() + 30s;
  const json j = json_body(get("/api/v1/alerts"));
  EXPECT_EQ(j["notifiers"][2]["name"], "ops");
  EXPECT_EQ(j["notifiers"][2]["oldest_pending_age_seconds"], 0);
}

TEST_F(RouterAlertsTest, AlertsListsPendingOldestFirstThenFinishedNewestFirst) {
  const json j = json_body(get("/api/v1/alerts"));
  EXPECT_EQ(delivery_ids(j), (std::vector<std::string>{"p1", "p2", "r1", "r2", "r3"}));
}

TEST_F(RouterAlertsTest, AlertsShowsEveryFieldOfADelivery) {
  const json j = json_body(get("/api/v1/alerts"));
  // The keys in the order the API writes them.
  const auto ordered = nlohmann::ordered_json::parse(get("/api/v1/alerts").body);
  std::vector<std::string> keys;
  for (const auto& [k, v] : ordered["deliveries"][0].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "notifier", "key", "kind", "subject", "status", "previous",
                                            "resolved", "flapping", "severity", "sequence", "message", "since",
                                            "state", "attempts", "created_at", "last_attempt_at",
                                            "next_attempt_at", "done_at", "last_error"}));
  EXPECT_EQ(j["deliveries"][0],
            (json{{"id", "p1"}, {"notifier", "ops"}, {"key", "check/db/fail"}, {"kind", "check"}, {"subject", "db"},
                  {"status", "fail"}, {"previous", "ok"}, {"resolved", false}, {"flapping", false},
                  {"severity", "critical"}, {"sequence", 0}, {"message", "connection refused"},
                  {"since", "2025-12-31T23:57:30Z"}, {"state", "pending"}, {"attempts", 2},
                  {"created_at", "2025-12-31T23:58:30Z"}, {"last_attempt_at", "2025-12-31T23:59:58Z"},
                  {"next_attempt_at", "2026-01-01T00:00:04Z"}, {"done_at", nullptr}, {"last_error", "HTTP 503"}}));
  // Never tried yet: nulls, no error.
  EXPECT_EQ(j["deliveries"][1]["kind"], "heartbeat");
  EXPECT_EQ(j["deliveries"][1]["subject"], "backup");
  EXPECT_EQ(j["deliveries"][1]["attempts"], 0);
  EXPECT_EQ(j["deliveries"][1]["last_attempt_at"], nullptr);
  EXPECT_EQ(j["deliveries"][1]["next_attempt_at"], nullptr);
  EXPECT_EQ(j["deliveries"][1]["last_error"], nullptr);
  // Finished ones: done_at; a refusal keeps its error; a silenced one was never tried.
  EXPECT_EQ(j["deliveries"][2]["state"], "sent");
  EXPECT_EQ(j["deliveries"][2]["done_at"], "2025-12-31T23:59:41Z");
  EXPECT_EQ(j["deliveries"][2]["last_error"], nullptr);
  EXPECT_EQ(j["deliveries"][3]["state"], "failed");
  EXPECT_EQ(j["deliveries"][3]["last_error"], "HTTP 404: no such channel");
  EXPECT_EQ(j["deliveries"][4]["state"], "silenced");
  EXPECT_EQ(j["deliveries"][4]["status"], "degraded");
  EXPECT_EQ(j["deliveries"][4]["severity"], "warning");
  EXPECT_EQ(j["deliveries"][4]["attempts"], 0);
}

TEST_F(RouterAlertsTest, AlertsOfAResolutionAndAFlap) {
  Delivery resolved = delivery("r0", "hook", DeliveryState::kSent, clock_.wall_now() - 1s, "check/db/fail");
  resolved.alert.resolved = true;
  resolved.alert.status = Health::kOk;
  resolved.alert.previous = Health::kFail;
  resolved.alert.sequence = 0;
  Delivery flap = delivery("r00", "hook", DeliveryState::kSent, clock_.wall_now() - 2s, "check/db/flapping");
  flap.alert.flapping = true;
  flap.alert.sequence = 3;
  view_.recent.insert(view_.recent.begin(), {resolved, flap});
  const json j = json_body(get("/api/v1/alerts?state=sent"));
  ASSERT_EQ(delivery_ids(j), (std::vector<std::string>{"r0", "r00", "r1"}));
  EXPECT_EQ(j["deliveries"][0]["resolved"], true);
  EXPECT_EQ(j["deliveries"][0]["status"], "ok");
  EXPECT_EQ(j["deliveries"][0]["previous"], "fail");
  EXPECT_EQ(j["deliveries"][0]["severity"], "critical") << "a resolution keeps the severity of what it resolves";
  EXPECT_EQ(j["deliveries"][1]["flapping"], true);
  EXPECT_EQ(j["deliveries"][1]["severity"], "warning");
  EXPECT_EQ(j["deliveries"][1]["sequence"], 3);
}

TEST_F(RouterAlertsTest, AlertsStateKeepsOneState) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"pending", {"p1", "p2"}}, {"sent", {"r1"}}, {"failed", {"r2"}}, {"silenced", {"r3"}}};
  for (const auto& [state, ids] : cases) {
    auto r = get("/api/v1/alerts?state=" + state);
    ASSERT_EQ(r.status, 200) << state;
    const json j = json_body(r);
    EXPECT_EQ(delivery_ids(j), ids) << state;
    EXPECT_EQ(j["notifiers"].size(), 3u) << "the notifiers are always all there: " << state;
  }
}

TEST_F(RouterAlertsTest, AnAcceptedDeliveryIsSentOnlyOnceThatIsRecorded) {
  // Issue 21: "sent" means the next hale will not send it again. Until the outbox has it as
  // sent, it is "accepted", and ?state= follows what is shown.
  view_.recent.insert(view_.recent.begin(),
                      delivery("r0", "hook", DeliveryState::kSent, clock_.wall_now() - 1s, "check/api/fail"));
  view_.recording = {"r0"};
  json j = json_body(get("/api/v1/alerts"));
  ASSERT_EQ(delivery_ids(j), (std::vector<std::string>{"p1", "p2", "r0", "r1", "r2", "r3"}));
  EXPECT_EQ(j["deliveries"][2]["state"], "accepted");
  EXPECT_EQ(j["deliveries"][3]["state"], "sent");
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?state=accepted"))), (std::vector<std::string>{"r0"}));
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?state=sent"))), (std::vector<std::string>{"r1"}));
  view_.recording.clear();  // the commit is back
  j = json_body(get("/api/v1/alerts?state=sent"));
  EXPECT_EQ(delivery_ids(j), (std::vector<std::string>{"r0", "r1"}));
  EXPECT_EQ(j["deliveries"][0]["state"], "sent");
}

TEST_F(RouterAlertsTest, AlertsBadStateIs400) {
  for (const char* target : {"/api/v1/alerts?state=bogus", "/api/v1/alerts?state=", "/api/v1/alerts?state=Pending",
                             "/api/v1/alerts?state=delivered"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(json_body(r), bad_request("`state` is one of pending, accepted, sent, failed, silenced")) << target;
  }
}

TEST_F(RouterAlertsTest, AlertsLimitCutsTheListInOrder) {
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?limit=1"))), (std::vector<std::string>{"p1"}));
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?limit=3"))), (std::vector<std::string>{"p1", "p2", "r1"}));
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?limit=1000"))).size(), 5u);
  // The limit counts what the filter kept.
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?state=failed&limit=1"))), (std::vector<std::string>{"r2"}));
  EXPECT_EQ(delivery_ids(json_body(get("/api/v1/alerts?limit=2&state=pending"))), (std::vector<std::string>{"p1", "p2"}));
}

TEST_F(RouterAlertsTest, AlertsLimitDefaultsTo100) {
  view_.recent.clear();
  for (int i = 0; i < 150; ++i) {
    view_.recent.push_back(delivery("d" + std::to_string(i), "hook", DeliveryState::kSent,
                                    clock_.wall_now() - std::chrono::seconds(i), "check/db/fail"));
  }
  const json j = json_body(get("/api/v1/alerts"));
  ASSERT_EQ(j["deliveries"].size(), 100u);
  EXPECT_EQ(j["deliveries"][0]["id"], "p1");
  EXPECT_EQ(j["deliveries"][99]["id"], "d97");
  EXPECT_EQ(json_body(get("/api/v1/alerts?limit=1000"))["deliveries"].size(), 152u);
}

TEST_F(RouterAlertsTest, AlertsBadLimitIs400) {
  for (const char* limit : {"0", "1001", "x", "", "-1", "+5", "1.5", "10x", " 5", "99999999999999999999999"}) {
    auto r = get(std::string("/api/v1/alerts?limit=") + limit);
    EXPECT_EQ(r.status, 400) << "limit=" << limit;
    EXPECT_EQ(json_body(r), bad_request("`limit` is a number from 1 to 1000")) << "limit=" << limit;
  }
}

TEST_F(RouterAlertsTest, HeadAnswersLikeGet) {
  EXPECT_EQ(request("HEAD", "/api/v1/alerts").status, 200);
  EXPECT_EQ(request("HEAD", "/api/v1/silences").status, 200);
  EXPECT_EQ(request("HEAD", "/api/v1/silences/aaaa").status, 200);
  EXPECT_EQ(request("HEAD", "/api/v1/alerts?limit=0").status, 400);
}

TEST_F(RouterAlertsTest, OtherMethodsAre405WithAllow) {
  const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> cases = {
      {"/api/v1/alerts", {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}, "GET, HEAD"},
      {"/api/v1/silences", {"PUT", "DELETE", "PATCH", "OPTIONS"}, "GET, HEAD, POST"},
      {"/api/v1/silences/aaaa", {"POST", "PUT", "PATCH", "OPTIONS"}, "GET, HEAD, DELETE"},
  };
  for (const auto& [target, methods, allow] : cases) {
    for (const std::string& method : methods) {
      auto r = request(method, target, kBearer, good_silence().dump());
      EXPECT_EQ(r.status, 405) << method << " " << target;
      EXPECT_EQ(header(r, "Allow"), allow) << method << " " << target;
    }
  }
  EXPECT_TRUE(silence_calls_.added.empty());
  EXPECT_TRUE(silence_calls_.expired.empty());
}

TEST_F(RouterAlertsTest, WithoutAlertingEveryRouteIs503) {
  with_alerts_ = false;
  const json unavailable = {{"error", {{"code", "alerting_unavailable"}, {"message", "alerting is not running"}}}};
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/alerts"},
           {"GET", "/api/v1/alerts?state=bogus"},
           {"GET", "/api/v1/silences"},
           {"POST", "/api/v1/silences"},
           {"GET", "/api/v1/silences/aaaa"},
           {"DELETE", "/api/v1/silences/aaaa"}}) {
    auto r = request(method, target, kBearer, good_silence().dump());
    EXPECT_EQ(r.status, 503) << method << " " << target;
    EXPECT_EQ(json_body(r), unavailable) << method << " " << target;
  }
  // A wrong method is still one.
  EXPECT_EQ(request("PUT", "/api/v1/alerts").status, 405);
}

TEST_F(RouterAlertsTest, OtherPathsAreNotAlertRoutes) {
  EXPECT_EQ(get("/api/v1/alerts/p1").status, 404);
  EXPECT_EQ(get("/api/v1/silences/").status, 404);
  EXPECT_EQ(get("/api/v1/silencesx").status, 404);
  EXPECT_EQ(get("/api/v1/alertsx").status, 404);
}

// --- POST /api/v1/silences ------------------------------------------------------------------

TEST_F(RouterAlertsTest, PostSilenceWithoutAnAdminTokenConfiguredIs403) {
  admin_token_.reset();
  for (const std::string auth : {"", "Bearer anything", kBearer}) {
    auto r = request("POST", "/api/v1/silences", auth, good_silence().dump());
    EXPECT_EQ(r.status, 403) << auth;
    EXPECT_EQ(json_body(r)["error"]["code"], "api_disabled") << auth;
  }
  EXPECT_TRUE(silence_calls_.added.empty());
}

TEST_F(RouterAlertsTest, PostSilenceWithAMissingOrWrongTokenIs401) {
  for (const std::string auth : {"", "Bearer wrong", "Bearer adm-s3cre", "Bearer adm-s3cretX", "adm-s3cret",
                                 "Basic YWRtOmFkbS1zM2NyZXQ="}) {
    auto r = request("POST", "/api/v1/silences", auth, good_silence().dump());
    EXPECT_EQ(r.status, 401) << auth;
    EXPECT_EQ(json_body(r)["error"]["code"], "unauthorized") << auth;
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer") << auth;
  }
  // The token is checked before the body: a bad body without a token is 401, not 400.
  EXPECT_EQ(request("POST", "/api/v1/silences", "", "not json").status, 401);
  EXPECT_TRUE(silence_calls_.added.empty());
}

TEST_F(RouterAlertsTest, PostSilenceWithDurationStartsNow) {
  auto r = post_silence(good_silence());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json_body(r), (json{{"id", kNewId},
                           {"matchers",
                            {{{"name", "subject"}, {"value", "db*"}}, {{"name", "kind"}, {"value", "check"}}}},
                           {"starts_at", "2026-01-01T00:00:00Z"},
                           {"ends_at", "2026-01-01T02:00:00Z"},
                           {"comment", "db failover drill"},
                           {"author", "bob"},
                           {"created_at", "2026-01-01T00:00:00Z"},
                           {"state", "active"}}));
  ASSERT_EQ(silence_calls_.added.size(), 1u);
  const Silence& s = silence_calls_.added[0];
  EXPECT_EQ(s.id, "") << "the alerter gives the id";
  EXPECT_EQ(s.matchers, (std::vector<SilenceMatcher>{{"subject", "db*"}, {"kind", "check"}}));
  EXPECT_EQ(s.starts_at, clock_.wall_now());
  EXPECT_EQ(s.ends_at, clock_.wall_now() + 2h);
  EXPECT_EQ(s.comment, "db failover drill");
  EXPECT_EQ(s.author, "bob");
}

TEST_F(RouterAlertsTest, PostSilenceWithStartsAndEndsAt) {
  json b = good_silence();
  b.erase("duration");
  b.erase("author");
  b["starts_at"] = "2026-01-01T01:00:00Z";
  b["ends_at"] = "2026-01-01T03:30:00+02:00";  // 01:30Z
  auto r = post_silence(b);
  ASSERT_EQ(r.status, 201) << r.body;
  const json j = json_body(r);
  EXPECT_EQ(j["starts_at"], "2026-01-01T01:00:00Z");
  EXPECT_EQ(j["ends_at"], "2026-01-01T01:30:00Z");
  EXPECT_EQ(j["state"], "pending") << "starts in an hour";
  EXPECT_EQ(j["author"], "");
  ASSERT_EQ(silence_calls_.added.size(), 1u);
  EXPECT_EQ(silence_calls_.added[0].starts_at, clock_.wall_now() + 1h);
  EXPECT_EQ(silence_calls_.added[0].ends_at, clock_.wall_now() + 90min);
  EXPECT_EQ(silence_calls_.added[0].author, "");

  // A start in the past with a duration: ends that long after the start.
  b = good_silence();
  b["starts_at"] = "2025-12-31T23:00:00Z";
  b["duration"] = "90m";
  r = post_silence(b);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json_body(r)["ends_at"], "2026-01-01T00:30:00Z");
  EXPECT_EQ(json_body(r)["state"], "active");
}

TEST_F(RouterAlertsTest, PostSilenceEveryMatcherName) {
  json b = good_silence();
  b["matchers"] = {{{"name", "subject"}, {"value", "db"}},
                   {{"name", "kind"}, {"value", "heartbeat"}},
                   {{"name", "status"}, {"value", "fail"}},
                   {{"name", "key"}, {"value", "heartbeat/*/fail"}}};
  ASSERT_EQ(post_silence(b).status, 201);
  ASSERT_EQ(silence_calls_.added.size(), 1u);
  EXPECT_EQ(silence_calls_.added[0].matchers.size(), 4u);
  EXPECT_EQ(silence_calls_.added[0].matchers[3], (SilenceMatcher{"key", "heartbeat/*/fail"}));
}

TEST_F(RouterAlertsTest, PostSilenceBadBodiesAre400NamingTheProblem) {
  auto with = [](std::function<void(json&)> change) {
    json b = good_silence();
    change(b);
    return b.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "the body is not JSON"},
      {"", "the body is not JSON"},
      {"{\"matchers\": [", "the body is not JSON"},
      {"[]", "the body must be a JSON object"},
      {"\"silence\"", "the body must be a JSON object"},
      {with([](json& b) { b["reason"] = "x"; }),
       "unknown field \"reason\" (matchers, starts_at, ends_at, duration, comment, author)"},
      {with([](json& b) { b.erase("matchers"); }), "`matchers` must be an array of {\"name\", \"value\"}"},
      {with([](json& b) { b["matchers"] = {{"name", "subject"}, {"value", "db"}}; }),
       "`matchers` must be an array of {\"name\", \"value\"}"},
      {with([](json& b) { b["matchers"] = json::array(); }),
       "a silence needs at least one matcher (e.g. {\"name\": \"subject\", \"value\": \"*\"})"},
      {with([](json& b) { b["matchers"] = {"db"}; }),
       "every matcher is {\"name\": \"subject|kind|status|key\", \"value\": \"a glob\"}"},
      {with([](json& b) { b["matchers"] = {{{"name", "subject"}}}; }),
       "every matcher is {\"name\": \"subject|kind|status|key\", \"value\": \"a glob\"}"},
      {with([](json& b) { b["matchers"] = {{{"name", "subject"}, {"value", 3}}}; }),
       "every matcher is {\"name\": \"subject|kind|status|key\", \"value\": \"a glob\"}"},
      {with([](json& b) { b["matchers"] = {{{"name", "host"}, {"value", "db"}}}; }),
       "unknown matcher name \"host\" (subject, kind, status, key)"},
      {with([](json& b) { b["matchers"] = {{{"name", "subject"}, {"value", ""}}}; }),
       "matcher \"subject\" needs a value (a name or a glob)"},
      {with([](json& b) { b["ends_at"] = "2026-01-01T05:00:00Z"; }), "give one of `ends_at` and `duration`"},
      {with([](json& b) { b.erase("duration"); }), "give one of `ends_at` and `duration`"},
      {with([](json& b) {
         b.erase("duration");
         b["starts_at"] = "2026-01-01T02:00:00Z";
         b["ends_at"] = "2026-01-01T01:00:00Z";
       }),
       "`ends_at` must be after `starts_at`"},
      {with([](json& b) {
         b.erase("duration");
         b["starts_at"] = "2026-01-01T02:00:00Z";
         b["ends_at"] = "2026-01-01T02:00:00Z";
       }),
       "`ends_at` must be after `starts_at`"},
      {with([](json& b) {
         b.erase("duration");
         b["starts_at"] = "2025-12-31T20:00:00Z";
         b["ends_at"] = "2025-12-31T22:00:00Z";
       }),
       "the silence would be over already"},
      {with([](json& b) {
         b["starts_at"] = "2025-12-31T20:00:00Z";
         b["duration"] = "4h";  // ends exactly now
       }),
       "the silence would be over already"},
      {with([](json& b) { b.erase("comment"); }), "`comment` is required: say why the alerts are muted"},
      {with([](json& b) { b["comment"] = ""; }), "`comment` is required: say why the alerts are muted"},
      {with([](json& b) { b["comment"] = 42; }), "`comment` is required: say why the alerts are muted"},
      {with([](json& b) { b["duration"] = "soon"; }), "`duration` must be a duration such as \"2h\" or \"30m\""},
      {with([](json& b) { b["duration"] = "0s"; }), "`duration` must be a duration such as \"2h\" or \"30m\""},
      {with([](json& b) { b["duration"] = "-1h"; }), "`duration` must be a duration such as \"2h\" or \"30m\""},
      {with([](json& b) { b["duration"] = 7200; }), "`duration` must be a duration such as \"2h\" or \"30m\""},
      {with([](json& b) {
         b.erase("duration");
         b["ends_at"] = "tomorrow";
       }),
       "`ends_at` must be an ISO 8601 time, e.g. \"2026-04-18T20:00:00Z\""},
      {with([](json& b) {
         b.erase("duration");
         b["ends_at"] = 1767232800;
       }),
       "`ends_at` must be an ISO 8601 time, e.g. \"2026-04-18T20:00:00Z\""},
      {with([](json& b) { b["starts_at"] = "2026-02-30T00:00:00Z"; }),
       "`starts_at` must be an ISO 8601 time, e.g. \"2026-04-18T18:00:00Z\""},
      {with([](json& b) { b["author"] = json::array(); }), "`author` must be a string"},
  };
  for (const auto& [b, message] : cases) {
    auto r = request("POST", "/api/v1/silences", kBearer, b);
    EXPECT_EQ(r.status, 400) << b;
    EXPECT_EQ(json_body(r), bad_request(message)) << b;
  }
  EXPECT_TRUE(silence_calls_.added.empty());
}

TEST_F(RouterAlertsTest, PostSilenceBeyondWhatAWallTimeHoldsIs400NotAnotherDate) {
  // WallTime counts nanoseconds in an int64 (1677 to 2262). "Forever" written as 9999-12-31,
  // or 2700-01-01, used to wrap around to another date: 2700 became a silence until 2115.
  for (const char* end : {"2700-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2262-04-12T00:00:00Z"}) {
    json b = good_silence();
    b.erase("duration");
    b["ends_at"] = end;
    auto r = post_silence(b);
    EXPECT_EQ(r.status, 400) << end << ": " << r.body;
    EXPECT_EQ(json_body(r), bad_request("`ends_at` must be between 1678 and 2262")) << end;
  }
  json b = good_silence();
  b["starts_at"] = "1500-01-01T00:00:00Z";
  EXPECT_EQ(json_body(post_silence(b)), bad_request("`starts_at` must be between 1678 and 2262"));
  // A duration that would carry ends_at past 2262.
  b = good_silence();
  b["duration"] = "2500000h";  // 285 years: a Duration, but not after 2026
  auto r = post_silence(b);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json_body(r), bad_request("`duration` is too long: the silence would end after 2262"));
  // The latest end that fits is fine.
  b = good_silence();
  b.erase("duration");
  b["ends_at"] = "2262-01-01T00:00:00Z";
  r = post_silence(b);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json_body(r)["ends_at"], "2262-01-01T00:00:00Z");
  EXPECT_EQ(silence_calls_.added.size(), 1u);
}

// --- GET /api/v1/silences[/ID], DELETE /api/v1/silences/ID ----------------------------------

TEST_F(RouterAlertsTest, SilencesListsEverySilenceWithItsStateAndTheWindows) {
  auto r = get("/api/v1/silences");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_body(r);
  ASSERT_EQ(j.at("silences").size(), 3u);
  EXPECT_EQ(j["silences"][0], (json{{"id", "aaaa"},
                                    {"matchers",
                                     {{{"name", "subject"}, {"value", "db"}}, {{"name", "kind"}, {"value", "check"}}}},
                                    {"starts_at", "2025-12-31T23:00:00Z"},
                                    {"ends_at", "2026-01-01T01:00:00Z"},
                                    {"comment", "db migration"},
                                    {"author", "alice"},
                                    {"created_at", "2025-12-31T22:55:00Z"},
                                    {"state", "active"}}));
  EXPECT_EQ(j["silences"][1]["id"], "bbbb");
  EXPECT_EQ(j["silences"][1]["state"], "pending");
  EXPECT_EQ(j["silences"][2]["id"], "cccc");
  EXPECT_EQ(j["silences"][2]["state"], "expired");
  ASSERT_EQ(j.at("windows").size(), 1u);
  EXPECT_EQ(j["windows"][0], (json{{"index", 0},
                                   {"match", {"db*"}},
                                   {"kind", {"check"}},
                                   {"schedule", "0 23 * * 3"},
                                   {"tz", "UTC"},
                                   {"duration", "2h"},
                                   {"comment", "weekly maintenance"},
                                   {"starts_at", "2025-12-31T23:00:00Z"},
                                   {"ends_at", "2026-01-01T01:00:00Z"}}));
}

TEST_F(RouterAlertsTest, SilencesEmpty) {
  view_.silences.clear();
  view_.windows.clear();
  EXPECT_EQ(json_body(get("/api/v1/silences")),
            (json{{"timestamp", "2026-01-01T00:00:00Z"}, {"silences", json::array()}, {"windows", json::array()}}));
}

TEST_F(RouterAlertsTest, SilenceStateFollowsTheClock) {
  // A silence is active from starts_at (inclusive) to ends_at (exclusive).
  view_.now = clock_.wall_now() + 1h;  // bbbb starts, aaaa ends
  const json j = json_body(get("/api/v1/silences"));
  EXPECT_EQ(j["silences"][0]["state"], "expired");
  EXPECT_EQ(j["silences"][1]["state"], "active");
}

TEST_F(RouterAlertsTest, GetOneSilence) {
  auto r = get("/api/v1/silences/bbbb");
  ASSERT_EQ(r.status, 200);
  const json j = json_body(r);
  EXPECT_EQ(j["id"], "bbbb");
  EXPECT_EQ(j["matchers"], (json{{{"name", "key"}, {"value", "heartbeat/*"}}}));
  EXPECT_EQ(j["state"], "pending");
  EXPECT_EQ(json_body(get("/api/v1/silences/cccc"))["state"], "expired") << "an expired silence is still shown";

  r = get("/api/v1/silences/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json_body(r), (json{{"error", {{"code", "not_found"}, {"message", "no silence with id \"nope\""}}}}));
  EXPECT_TRUE(silence_calls_.expired.empty()) << "a GET expires nothing";
}

TEST_F(RouterAlertsTest, DeleteSilenceNeedsTheToken) {
  EXPECT_EQ(request("DELETE", "/api/v1/silences/aaaa").status, 401);
  EXPECT_EQ(request("DELETE", "/api/v1/silences/aaaa", "Bearer wrong").status, 401);
  EXPECT_EQ(header(request("DELETE", "/api/v1/silences/aaaa", "Bearer wrong"), "WWW-Authenticate"), "Bearer");
  admin_token_.reset();
  auto r = request("DELETE", "/api/v1/silences/aaaa", kBearer);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json_body(r)["error"]["code"], "api_disabled");
  EXPECT_TRUE(silence_calls_.expired.empty());
  EXPECT_EQ(json_body(get("/api/v1/silences/aaaa"))["state"], "active");
}

TEST_F(RouterAlertsTest, DeleteSilenceExpiresItAndShowsIt) {
  auto r = request("DELETE", "/api/v1/silences/aaaa", kBearer);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(silence_calls_.expired, (std::vector<std::string>{"aaaa"}));
  const json j = json_body(r);
  EXPECT_EQ(j["id"], "aaaa");
  EXPECT_EQ(j["state"], "expired");
  EXPECT_EQ(j["ends_at"], "2026-01-01T00:00:00Z");

  // A pending one is over before it began.
  r = request("DELETE", "/api/v1/silences/bbbb", kBearer);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_body(r)["state"], "expired");
  EXPECT_EQ(json_body(r)["starts_at"], "2026-01-01T00:00:00Z");
}

TEST_F(RouterAlertsTest, DeleteUnknownOrExpiredSilenceIs404) {
  auto r = request("DELETE", "/api/v1/silences/nope", kBearer);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json_body(r),
            (json{{"error", {{"code", "not_found"}, {"message", "no active or pending silence with id \"nope\""}}}}));
  r = request("DELETE", "/api/v1/silences/cccc", kBearer);
  EXPECT_EQ(r.status, 404) << "already expired";
  EXPECT_EQ(silence_calls_.expired, (std::vector<std::string>{"nope", "cccc"}));
}

TEST_F(RouterAlertsTest, PostThenListThenDeleteRoundTrip) {
  ASSERT_EQ(post_silence(good_silence()).status, 201);
  const json listed = json_body(get("/api/v1/silences"));
  ASSERT_EQ(listed["silences"].size(), 4u);
  EXPECT_EQ(listed["silences"][3]["id"], kNewId);
  EXPECT_EQ(listed["silences"][3]["state"], "active");
  ASSERT_EQ(request("DELETE", std::string("/api/v1/silences/") + kNewId, kBearer).status, 200);
  EXPECT_EQ(json_body(get(std::string("/api/v1/silences/") + kNewId))["state"], "expired");
}

// --- no secret ------------------------------------------------------------------------------

TEST_F(RouterAlertsTest, NoAnswerHasAUrlTokenOrPasswordField) {
  std::vector<HttpResponse> answers;
  for (const char* target :
       {"/api/v1/alerts", "/api/v1/alerts?state=pending", "/api/v1/alerts?state=sent", "/api/v1/alerts?state=failed",
        "/api/v1/alerts?state=silenced", "/api/v1/alerts?limit=1", "/api/v1/silences", "/api/v1/silences/aaaa",
        "/api/v1/silences/nope", "/api/v1/alerts?state=x"}) {
    answers.push_back(get(target));
  }
  answers.push_back(post_silence(good_silence()));
  answers.push_back(request("POST", "/api/v1/silences", "Bearer wrong", good_silence().dump()));
  answers.push_back(request("DELETE", "/api/v1/silences/aaaa", kBearer));
  for (const HttpResponse& r : answers) {
    std::vector<std::string> keys;
    collect_keys(json_body(r), keys);
    for (const std::string& k : keys) {
      for (const char* secret : {"url", "urls", "token", "password", "secret", "headers", "username"}) {
        EXPECT_NE(k, secret) << r.body;
      }
    }
    EXPECT_EQ(r.body.find(kAdminToken), std::string::npos) << r.body;
    for (const auto& [k, v] : r.headers) EXPECT_EQ(v.find(kAdminToken), std::string::npos) << k;
  }
}

}  // namespace
}  // namespace hale
