// Silences (SPEC §6): API silences by matchers and time, maintenance windows by cron and
// duration, and when the set of muted alerts next changes.
#include "hale/alert/silences.h"

#include <gtest/gtest.h>

#include "hale/time/timestamp.h"

namespace hale {
namespace {

using namespace std::chrono_literals;

WallTime utc(const char* iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t) << iso;
  return std::chrono::time_point_cast<WallTime::duration>(*t);
}

Alert alert(SubjectKind kind, std::string subject, Health status, bool resolved = false) {
  Alert a;
  a.kind = kind;
  a.subject = subject;
  a.key = alert_key({kind, subject}, resolved ? Health::kFail : status);
  a.status = status;
  a.resolved = resolved;
  return a;
}

Silence silence(std::vector<SilenceMatcher> m, const char* from, const char* to) {
  Silence s;
  s.id = "s1";
  s.matchers = std::move(m);
  s.starts_at = utc(from);
  s.ends_at = utc(to);
  return s;
}

TEST(Silences, EveryMatcherMustMatch) {
  const Alert db = alert(SubjectKind::kCheck, "db", Health::kFail);
  const Alert web = alert(SubjectKind::kCheck, "web", Health::kFail);
  const Alert backup = alert(SubjectKind::kHeartbeat, "db", Health::kFail);
  Silence s = silence({{"subject", "db"}, {"kind", "check"}}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
  EXPECT_TRUE(silence_matches(s, db));
  EXPECT_FALSE(silence_matches(s, web));
  EXPECT_FALSE(silence_matches(s, backup));
  Silence by_status = silence({{"status", "degraded"}}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
  EXPECT_FALSE(silence_matches(by_status, db));
  EXPECT_TRUE(silence_matches(by_status, alert(SubjectKind::kCheck, "db", Health::kDegraded)));
  // A resolution of db's fail is matched by its key's status, fail, not by the ok it reached.
  EXPECT_TRUE(silence_matches(silence({{"status", "fail"}}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
                              alert(SubjectKind::kCheck, "db", Health::kOk, /*resolved=*/true)));
  EXPECT_TRUE(silence_matches(silence({{"key", "check/web*"}}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), web));
  EXPECT_FALSE(silence_matches(silence({}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), db))
      << "a silence without matchers mutes nothing";
}

TEST(Silences, MatchersAreValidated) {
  EXPECT_FALSE(validate_matchers({}));
  EXPECT_FALSE(validate_matchers({{"subjct", "db"}}));
  EXPECT_NE(validate_matchers({{"subjct", "db"}}).message().find("subjct"), std::string::npos);
  EXPECT_FALSE(validate_matchers({{"subject", ""}}));
  EXPECT_TRUE(validate_matchers({{"subject", "*"}, {"kind", "check"}, {"status", "fail"}, {"key", "x"}}));
}

TEST(Silences, ActiveFromStartToEnd) {
  SilenceSet set;
  set.put(silence({{"subject", "db"}}, "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
  const Alert db = alert(SubjectKind::kCheck, "db", Health::kFail);
  EXPECT_FALSE(set.muted(db, utc("2026-01-01T09:59:59Z")));
  EXPECT_TRUE(set.muted(db, utc("2026-01-01T10:00:00Z")));
  EXPECT_TRUE(set.muted(db, utc("2026-01-01T10:59:59Z")));
  EXPECT_FALSE(set.muted(db, utc("2026-01-01T11:00:00Z")));
  EXPECT_EQ(set.next_change(utc("2026-01-01T09:00:00Z")), utc("2026-01-01T10:00:00Z"));
  EXPECT_EQ(set.next_change(utc("2026-01-01T10:30:00Z")), utc("2026-01-01T11:00:00Z"));
  EXPECT_FALSE(set.next_change(utc("2026-01-01T11:00:00Z")));
}

TEST(Silences, ExpireEndsItNowAndKeepsIt) {
  SilenceSet set;
  set.put(silence({{"subject", "db"}}, "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
  const Alert db = alert(SubjectKind::kCheck, "db", Health::kFail);
  Silence expired;
  ASSERT_TRUE(set.expire("s1", utc("2026-01-01T10:15:00Z"), &expired));
  EXPECT_EQ(expired.ends_at, utc("2026-01-01T10:15:00Z"));
  EXPECT_FALSE(set.muted(db, utc("2026-01-01T10:20:00Z")));
  EXPECT_EQ(set.silences().size(), 1u);
  EXPECT_FALSE(set.expire("s1", utc("2026-01-01T10:20:00Z"))) << "already over";
  EXPECT_FALSE(set.expire("nope", utc("2026-01-01T10:20:00Z")));
  set.forget_ended_before(utc("2026-01-02T00:00:00Z"));
  EXPECT_TRUE(set.silences().empty());
}

TEST(Silences, MaintenanceWindowFromCronAndDuration) {
  SilenceSpec spec;
  spec.match = {"db", "web-*"};
  spec.kinds = {SubjectKind::kCheck};
  spec.schedule = Calendar::parse("0 2 * * 0").value();  // Sundays 02:00
  spec.duration = 2h;
  spec.comment = "weekly maintenance";
  SilenceSet set;
  set.set_windows({spec});
  const Alert db = alert(SubjectKind::kCheck, "db", Health::kFail);
  const Alert web = alert(SubjectKind::kCheck, "web-status", Health::kFail);
  const Alert hb = alert(SubjectKind::kHeartbeat, "db", Health::kFail);
  // 2026-11-29 is a Sunday.
  EXPECT_FALSE(set.muted(db, utc("2026-11-29T01:59:00Z")));
  EXPECT_TRUE(set.muted(db, utc("2026-11-29T02:00:00Z")));
  EXPECT_TRUE(set.muted(web, utc("2026-11-29T03:59:59Z")));
  EXPECT_FALSE(set.muted(hb, utc("2026-11-29T03:00:00Z"))) << "kind check only";
  EXPECT_FALSE(set.muted(db, utc("2026-11-29T04:00:00Z")));
  EXPECT_FALSE(set.muted(db, utc("2026-11-30T02:30:00Z"))) << "a Monday";
  EXPECT_EQ(set.next_change(utc("2026-11-29T01:00:00Z")), utc("2026-11-29T02:00:00Z"));
  EXPECT_EQ(set.next_change(utc("2026-11-29T02:30:00Z")), utc("2026-11-29T04:00:00Z"));
  EXPECT_EQ(set.next_change(utc("2026-11-29T05:00:00Z")), utc("2026-12-06T02:00:00Z"));
  const auto active = set.active_windows(utc("2026-11-29T02:30:00Z"));
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].starts_at, utc("2026-11-29T02:00:00Z"));
  EXPECT_EQ(active[0].ends_at, utc("2026-11-29T04:00:00Z"));
  EXPECT_EQ(active[0].spec.comment, "weekly maintenance");
  EXPECT_TRUE(set.active_windows(utc("2026-11-29T04:30:00Z")).empty());
}

TEST(Silences, WindowInAZoneFollowsItsWallClock) {
  SilenceSpec spec;
  spec.schedule = Calendar::parse("0 2 * * *", "Europe/Berlin").value();  // 02:00 in winter is 01:00 UTC
  spec.duration = 30min;
  SilenceSet set;
  set.set_windows({spec});
  const Alert db = alert(SubjectKind::kCheck, "db", Health::kFail);
  EXPECT_TRUE(set.muted(db, utc("2026-12-01T01:10:00Z")));
  EXPECT_FALSE(set.muted(db, utc("2026-12-01T02:10:00Z")));
}

}  // namespace
}  // namespace hale
