// The bounded tail of a job's output (see output_tail.h).
#include "hale/heartbeat/output_tail.h"

namespace hale {

void OutputTail::append(std::string_view chunk) {
  total_ += chunk.size();
  if (capacity_ == 0) return;
  if (chunk.size() >= capacity_) {
    buffer_.assign(chunk.substr(chunk.size() - capacity_));
    return;
  }
  buffer_.append(chunk);
  // Trim only once the buffer holds twice the capacity: each byte is moved at most once more,
  // instead of shifting the whole tail on every small chunk.
  if (buffer_.size() >= 2 * capacity_) buffer_.erase(0, buffer_.size() - capacity_);
}

std::string OutputTail::str() const {
  if (buffer_.size() <= capacity_) return buffer_;
  return buffer_.substr(buffer_.size() - capacity_);
}

}  // namespace hale
