// EventHub: the Server-Sent Events stream of GET /api/v1/events (SPEC §7): every transition of
// checks, services and heartbeats as an SSE frame with a resumable id, kept in a ring of the
// last kKept frames for clients that reconnect with Last-Event-ID, and handed to each connected
// client's bounded queue. A client that falls behind by more than kMaxQueuedBytes is dropped
// (it reconnects and resumes from its last id): a slow reader never slows hale or the others.
// No Beast, no socket: the HTTP session is a Subscriber. Thread-safety: one thread (the loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace hale {

class EventHub {
 public:
  static constexpr std::size_t kKept = 4096;                 // frames kept for resumption
  static constexpr std::size_t kMaxQueuedBytes = 256 * 1024;  // per client, then it is dropped

  using Frame = std::shared_ptr<const std::string>;  // one event, shared by every client

  // One connected client: takes frames in order; false when it cannot (its queue is full), and
  // then the hub forgets it and it closes.
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    virtual bool push(const Frame& frame) = 0;
  };

  // `type` is the SSE event name ("check", "service", "heartbeat"); `json` one line of JSON.
  void publish(std::string_view type, std::string_view json);

  // Adds `s`, first giving it what it missed: every kept frame after `last_event_id` (the
  // header's value, "" for none). An id it cannot resume from (too old, from another run of
  // hale, not a number), or whose backlog would fill half a client's queue, gets a `reset`
  // event instead: the client should read the whole state (/health) again. False when `s`
  // refused the replay (it is not added).
  bool subscribe(Subscriber* s, std::string_view last_event_id);
  void unsubscribe(Subscriber* s) { subscribers_.erase(s); }

  // ": keepalive" to every client (proxies close a stream silent for long).
  void keepalive();

  std::size_t clients() const { return subscribers_.size(); }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t last_id() const { return next_id_ - 1; }
  // This run's id prefix: ids are "<run>-<n>", so an id of an earlier hale is told apart.
  const std::string& run() const { return run_; }

 private:
  void deliver(const Frame& f);
  static const Frame& reset_frame();

  std::string run_ = make_run_id();
  static std::string make_run_id();
  std::uint64_t next_id_ = 1;
  std::deque<std::pair<std::uint64_t, Frame>> kept_;
  std::set<Subscriber*> subscribers_;
  std::uint64_t dropped_ = 0;
};

}  // namespace hale
