// OutputTail: the last N bytes of a job's output, for the body of its exit-code ping (SPEC §5:
// "sends the exit code with the last 100 KB of output"). `hale exec` appends stdout and stderr
// chunks as they arrive, so the tail is both streams in arrival order. Pure, not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hale/heartbeat/ping_request.h"

namespace hale {

class OutputTail {
 public:
  // Keeps at most `capacity` bytes (default: what hale keeps of a ping body, kMaxPingBody).
  explicit OutputTail(std::size_t capacity = kMaxPingBody) : capacity_(capacity) {}

  // Appends a chunk of any size; older bytes beyond the capacity are dropped. Memory stays
  // under twice the capacity.
  void append(std::string_view chunk);
  // The last min(total(), capacity) bytes, in order.
  std::string str() const;
  // Every byte ever appended, kept or not.
  std::uint64_t total() const { return total_; }

 private:
  std::size_t capacity_;
  std::string buffer_;  // its last capacity_ bytes are the tail
  std::uint64_t total_ = 0;
};

}  // namespace hale
