// The delivery schedule (SPEC §6) on simulated time: per-notifier backoff with jitter, the
// receiver's Retry-After, one attempt at a time while failing, in-order delivery per subject,
// permanent refusals, giving up, and independence of notifiers.
#include "hale/alert/delivery_queue.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

using namespace std::chrono_literals;

const WallTime t0 = FakeClock().wall_now();
WallTime at(Duration d) { return t0 + std::chrono::duration_cast<WallTime::duration>(d); }

DeliveryOutcome accepted() { return {OutcomeKind::kAccepted, "", std::nullopt}; }
DeliveryOutcome retry(std::string reason = "HTTP 503", std::optional<Duration> after = std::nullopt) {
  return {OutcomeKind::kRetry, std::move(reason), after};
}
DeliveryOutcome permanent(std::string reason = "HTTP 400") { return {OutcomeKind::kPermanent, std::move(reason), std::nullopt}; }

class DeliveryQueueTest : public ::testing::Test {
 protected:
  DeliveryQueueTest() : queue(Random::from([this] { return u; })) {
    RetryPolicy p;
    p.base = 1s;
    p.max = 8s;
    p.jitter = Jitter::share(0.5);
    queue.set_notifiers({{"ops", p}, {"pager", p}});
  }

  Delivery delivery(std::string notifier, std::string subject, Duration created = 0s) {
    Delivery d;
    d.seq = ++seq;
    d.id = "id" + std::to_string(d.seq);
    d.notifier = std::move(notifier);
    d.alert.kind = SubjectKind::kCheck;
    d.alert.subject = subject;
    d.alert.key = "check/" + subject + "/fail";
    d.created_at = at(created);
    d.next_attempt_at = at(created);
    return d;
  }

  static std::vector<std::string> ids(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.id);
    return out;
  }

  double u = 0.0;
  std::int64_t seq = 0;
  DeliveryQueue queue;
};

TEST_F(DeliveryQueueTest, AcceptedIsSentAndLeavesThePendingList) {
  queue.add(delivery("ops", "db"));
  auto started = queue.start_due(at(0s));
  ASSERT_EQ(ids(started), std::vector<std::string>{"id1"});
  EXPECT_EQ(started[0].attempts, 1);
  EXPECT_TRUE(queue.start_due(at(0s)).empty()) << "in flight: not started twice";
  auto done = queue.finish("id1", accepted(), at(10ms));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, DeliveryState::kSent);
  EXPECT_EQ(done->done_at, at(10ms));
  EXPECT_TRUE(queue.pending().empty());
  ASSERT_EQ(queue.finished().size(), 1u);
  EXPECT_EQ(queue.stats().at("ops").sent, 1u);
  EXPECT_FALSE(queue.next_deadline());
  EXPECT_FALSE(queue.finish("id1", accepted(), at(20ms))) << "not in flight any more";
}

TEST_F(DeliveryQueueTest, FailuresBackOffExponentiallyWithJitterUpToMax) {
  queue.add(delivery("ops", "db"));
  u = 0.5;  // jitter 0.5 of the delay x 0.5 = +25 %
  const Duration expected[] = {1250ms, 2500ms, 5s, 10s, 10s};  // 1s 2s 4s 8s 8s, +25 %
  WallTime now = at(0s);
  for (Duration wait : expected) {
    ASSERT_EQ(queue.start_due(now).size(), 1u);
    auto d = queue.finish("id1", retry(), now);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->state, DeliveryState::kPending);
    EXPECT_EQ(d->next_attempt_at, now + wait);
    EXPECT_EQ(d->last_error, "HTTP 503");
    EXPECT_EQ(queue.next_deadline(), now + wait);
    EXPECT_TRUE(queue.start_due(now + wait - 1ms).empty()) << "not before its time";
    now += wait;
  }
  EXPECT_EQ(queue.stats().at("ops").retries, 5u);
  EXPECT_EQ(queue.stats().at("ops").consecutive_failures, 5);
  ASSERT_EQ(queue.start_due(now).size(), 1u);
  auto sent = queue.finish("id1", accepted(), now);
  EXPECT_EQ(sent->attempts, 6);
  EXPECT_EQ(queue.stats().at("ops").consecutive_failures, 0);
}

TEST_F(DeliveryQueueTest, RetryAfterReplacesTheBackoff) {
  queue.add(delivery("ops", "db"));
  queue.start_due(at(0s));
  auto d = queue.finish("id1", retry("HTTP 429", 30s), at(0s));
  EXPECT_EQ(d->next_attempt_at, at(30s));
  EXPECT_TRUE(queue.start_due(at(29s)).empty());
  EXPECT_EQ(queue.start_due(at(30s)).size(), 1u);
}

TEST_F(DeliveryQueueTest, AFailingReceiverIsTriedOneDeliveryAtATime) {
  for (const char* s : {"a", "b", "c", "d", "e", "f"}) queue.add(delivery("ops", s));
  auto first = queue.start_due(at(0s));
  EXPECT_EQ(first.size(), DeliveryQueue::kMaxInFlight) << "while it accepts: up to four at once";
  // All four fail; they were under way together, so the backoff grows once, not four times.
  for (const auto& d : first) queue.finish(d.id, retry(), at(1s));
  EXPECT_EQ(queue.stats().at("ops").consecutive_failures, 1);
  EXPECT_EQ(queue.next_deadline(), at(2s));
  auto probe = queue.start_due(at(2s));
  ASSERT_EQ(ids(probe), std::vector<std::string>{"id1"}) << "one at a time, oldest first";
  queue.finish("id1", accepted(), at(2s));
  auto rest = queue.start_due(at(2s));
  EXPECT_EQ(ids(rest), (std::vector<std::string>{"id2", "id3", "id4", "id5"})) << "accepting again: all flow";
}

TEST_F(DeliveryQueueTest, OneSubjectsDeliveriesGoOutInOrder) {
  queue.add(delivery("ops", "db"));   // the alert
  queue.add(delivery("ops", "db"));   // its resolution
  queue.add(delivery("ops", "web"));
  EXPECT_EQ(ids(queue.start_due(at(0s))), (std::vector<std::string>{"id1", "id3"}));
  queue.finish("id1", retry(), at(0s));
  EXPECT_TRUE(queue.start_due(at(0s)).empty()) << "the resolution waits for its alert";
  queue.finish("id3", accepted(), at(0s));
  ASSERT_EQ(ids(queue.start_due(at(1s))), std::vector<std::string>{"id1"});
  queue.finish("id1", accepted(), at(1s));
  EXPECT_EQ(ids(queue.start_due(at(1s))), std::vector<std::string>{"id2"});
}

TEST_F(DeliveryQueueTest, APermanentRefusalFailsThatDeliveryOnly) {
  queue.add(delivery("ops", "db"));
  queue.add(delivery("ops", "web"));
  queue.start_due(at(0s));
  auto failed = queue.finish("id1", permanent("HTTP 400"), at(0s));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->state, DeliveryState::kFailed);
  EXPECT_EQ(failed->last_error, "HTTP 400");
  EXPECT_EQ(queue.stats().at("ops").failed, 1u);
  EXPECT_EQ(queue.stats().at("ops").consecutive_failures, 0) << "the receiver answered: no backoff";
  queue.finish("id2", accepted(), at(0s));
  queue.add(delivery("ops", "db"));
  EXPECT_EQ(queue.start_due(at(0s)).size(), 1u);
}

TEST_F(DeliveryQueueTest, NotifiersAreIndependent) {
  queue.add(delivery("ops", "db"));
  queue.add(delivery("pager", "db"));
  EXPECT_EQ(queue.start_due(at(0s)).size(), 2u);
  queue.finish("id1", retry(), at(0s));
  queue.finish("id2", accepted(), at(0s));
  queue.add(delivery("pager", "web"));
  queue.add(delivery("ops", "web"));
  EXPECT_EQ(ids(queue.start_due(at(0s))), std::vector<std::string>{"id3"}) << "ops backs off, pager does not";
}

TEST_F(DeliveryQueueTest, AnUnconfiguredNotifiersDeliveriesWaitAndLoseNothing) {
  queue.add(delivery("gone", "db"));
  EXPECT_TRUE(queue.start_due(at(0s)).empty());
  EXPECT_FALSE(queue.next_deadline()) << "nothing to wait for: no spinning timer";
  EXPECT_EQ(queue.stats().at("gone").pending, 1u);
  RetryPolicy p;
  queue.set_notifiers({{"gone", p}});
  EXPECT_EQ(queue.start_due(at(1s)).size(), 1u);
}

TEST_F(DeliveryQueueTest, GiveUpAfterFailsOldPendingDeliveries) {
  RetryPolicy p;
  p.give_up_after = 1h;
  queue.set_notifiers({{"ops", p}});
  queue.add(delivery("ops", "db"));
  queue.start_due(at(0s));
  queue.finish("id1", retry("connection refused"), at(0s));
  EXPECT_TRUE(queue.expire(at(59min)).empty());
  EXPECT_LE(*queue.next_deadline(), at(1h));
  auto expired = queue.expire(at(1h));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].state, DeliveryState::kFailed);
  EXPECT_EQ(expired[0].last_error, "gave up after 1h: connection refused");
  EXPECT_TRUE(queue.pending().empty());
  EXPECT_EQ(queue.stats().at("ops").failed, 1u);
}

TEST_F(DeliveryQueueTest, UndeliveredWhileAKeyHasAPendingDeliveryToThatNotifier) {
  queue.add(delivery("ops", "db"));
  EXPECT_TRUE(queue.undelivered("ops", "check/db/fail"));
  EXPECT_FALSE(queue.undelivered("pager", "check/db/fail"));
  EXPECT_FALSE(queue.undelivered("ops", "check/cache/fail"));
  ASSERT_EQ(queue.start_due(at(0s)).size(), 1u);
  EXPECT_TRUE(queue.undelivered("ops", "check/db/fail")) << "in flight is not delivered yet";
  queue.finish("id1", retry(), at(10ms));
  EXPECT_TRUE(queue.undelivered("ops", "check/db/fail"));
  ASSERT_EQ(queue.start_due(at(2s)).size(), 1u);
  queue.finish("id1", accepted(), at(2s));
  EXPECT_FALSE(queue.undelivered("ops", "check/db/fail"));
}

TEST_F(DeliveryQueueTest, NextDeadlineIsNeverInThePastForWhatCannotStart) {
  for (int i = 0; i < 6; ++i) queue.add(delivery("ops", "s" + std::to_string(i)));
  queue.start_due(at(0s));  // four in flight, two waiting on capacity
  EXPECT_FALSE(queue.next_deadline()) << "capacity, not time, holds them: a finish wakes them";
  queue.finish("id1", accepted(), at(1s));
  EXPECT_EQ(queue.next_deadline(), at(0s)) << "room again: due at once";
}

TEST_F(DeliveryQueueTest, StatsCountPendingAndTheOldestAge) {
  queue.add(delivery("ops", "db", 0s));
  queue.add(delivery("ops", "web", 5s));
  Delivery silenced = delivery("ops", "cache");
  silenced.state = DeliveryState::kSilenced;
  queue.add(silenced);
  const NotifierStats s = queue.stats().at("ops");
  EXPECT_EQ(s.pending, 2u);
  EXPECT_EQ(s.oldest_pending, at(0s));
  EXPECT_EQ(s.silenced, 1u);
  EXPECT_EQ(queue.finished().size(), 1u);
}

}  // namespace
}  // namespace hale
