// EventHub (SPEC §7 GET /api/v1/events): ids, resumption from Last-Event-ID, the reset for an id
// that cannot be resumed, and a client that falls behind being dropped without holding others.
#include "hale/server/event_hub.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hale {
namespace {

struct Client : EventHub::Subscriber {
  std::vector<std::string> got;
  std::size_t room = 1000;  // frames it takes before it refuses (a full queue)
  bool push(const EventHub::Frame& f) override {
    if (got.size() >= room) return false;
    got.push_back(*f);
    return true;
  }
};

std::string id_of(const std::string& frame) { return frame.substr(4, frame.find('\n') - 4); }

TEST(EventHub, EveryClientGetsEachEventAsAnSseFrameWithAnId) {
  EventHub hub;
  Client a, b;
  ASSERT_TRUE(hub.subscribe(&a, ""));
  ASSERT_TRUE(hub.subscribe(&b, ""));
  hub.publish("check", R"({"name":"db","to":"fail"})");
  ASSERT_EQ(a.got.size(), 1u);
  EXPECT_EQ(a.got[0], "id: " + hub.run() + "-1\nevent: check\ndata: {\"name\":\"db\",\"to\":\"fail\"}\n\n");
  EXPECT_EQ(b.got, a.got);
  EXPECT_EQ(hub.clients(), 2u);
}

TEST(EventHub, AReconnectingClientGetsWhatItMissedThenTheRest) {
  EventHub hub;
  Client first;
  hub.subscribe(&first, "");
  for (int i = 0; i < 5; ++i) hub.publish("check", "{\"n\":" + std::to_string(i) + "}");
  const std::string seen = id_of(first.got[1]);  // it saw two, then lost its connection
  hub.unsubscribe(&first);
  Client again;
  ASSERT_TRUE(hub.subscribe(&again, seen));
  ASSERT_EQ(again.got.size(), 3u);
  EXPECT_EQ(again.got[0], first.got[2]);
  EXPECT_EQ(again.got[2], first.got[4]);
  hub.publish("service", "{}");
  EXPECT_EQ(again.got.size(), 4u);
  EXPECT_EQ(first.got.size(), 5u) << "gone: not told any more";
}

TEST(EventHub, AnIdItCannotResumeFromGetsAReset) {
  EventHub hub;
  for (int i = 0; i < 3; ++i) hub.publish("check", "{}");
  for (const std::string& id : {std::string("deadbeef-2"), hub.run() + "-99", hub.run() + "-x", std::string("7")}) {
    Client c;
    ASSERT_TRUE(hub.subscribe(&c, id)) << id;
    ASSERT_EQ(c.got.size(), 1u) << id;
    EXPECT_EQ(c.got[0], "event: reset\ndata: {}\n\n") << id;
    hub.unsubscribe(&c);  // it goes away (as a session does when it closes)
  }
  // Too old: the ring keeps kKept frames, and the one after the last seen has left it.
  Client early;
  hub.subscribe(&early, "");
  for (std::size_t i = 0; i < EventHub::kKept + 2; ++i) hub.publish("check", "{}");
  Client late;
  hub.subscribe(&late, id_of(early.got.front()));
  EXPECT_EQ(late.got.front(), "event: reset\ndata: {}\n\n");
}

TEST(EventHub, ABacklogTooLargeToCatchUpOnIsAResetNotAReplay) {
  EventHub hub;
  Client first;
  hub.subscribe(&first, "");
  hub.publish("check", "{}");
  const std::string big(1000, 'x');
  for (int i = 0; i < 200; ++i) hub.publish("check", "{\"pad\":\"" + big + "\"}");  // ~200 KB behind
  Client again;
  ASSERT_TRUE(hub.subscribe(&again, id_of(first.got.front())));
  ASSERT_EQ(again.got.size(), 1u);
  EXPECT_EQ(again.got[0], "event: reset\ndata: {}\n\n");
  hub.publish("check", "{}");
  EXPECT_EQ(again.got.size(), 2u) << "and then live";
}

TEST(EventHub, AClientThatFallsBehindIsDroppedAndTheOthersGoOn) {
  EventHub hub;
  Client slow, fast;
  slow.room = 2;
  hub.subscribe(&slow, "");
  hub.subscribe(&fast, "");
  for (int i = 0; i < 10; ++i) hub.publish("check", "{}");
  EXPECT_EQ(slow.got.size(), 2u);
  EXPECT_EQ(fast.got.size(), 10u);
  EXPECT_EQ(hub.clients(), 1u);
  EXPECT_EQ(hub.dropped(), 1u);
}

}  // namespace
}  // namespace hale
